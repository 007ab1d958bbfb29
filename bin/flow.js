#!/usr/bin/env -S node --
// The `--` in the first line ends Node's own options: Node 20 reads an `--env-file` anywhere on
// the command line as its own and quits when the file is missing, before flow could say so.
import '../dist/cli/main.js';
