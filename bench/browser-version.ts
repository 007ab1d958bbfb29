import { spawnSync } from 'node:child_process';

/** "Chromium 150.0.7871.100 (/usr/bin/chromium)" and the like: results differ between Chromium versions. */
export function browserVersion(path: string): string {
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0].replace(/ built on .*/, '').trim();
  return version ? `${version} (${path})` : path;
}
