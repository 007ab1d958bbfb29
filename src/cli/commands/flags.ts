import { InputError } from '../../runner/diagnostics.js';
import { didYouMean } from '../../runner/did-you-mean.js';
import { RESOURCE_TYPES } from '../../policy/settings.js';
import type { PolicyInputs } from '../../policy/resolve.js';

/** The policy settings that have command-line flags, as resolvePolicy takes them. */
export function policyFlags(options: { maxPages?: string; block?: string; budget?: string }): PolicyInputs['flags'] {
  const flags: NonNullable<PolicyInputs['flags']> = {};
  if (options.budget !== undefined) flags.budgetMb = { value: parseBudget(options.budget), flag: '--budget' };
  if (options.maxPages !== undefined) {
    const n = Number(options.maxPages);
    if (!Number.isInteger(n) || n < 1 || n > 64) usage(`--max-pages must be a whole number from 1 to 64, not "${options.maxPages}"`);
    flags.maxPages = { value: n, flag: '--max-pages' };
  }
  if (options.block !== undefined) {
    // `--block none` blocks nothing, and keeps a budget from blocking anything on its own.
    const types = options.block.trim() === 'none' ? [] : options.block.split(',').map((t) => t.trim()).filter(Boolean);
    for (const type of types) {
      if (!(RESOURCE_TYPES as readonly string[]).includes(type)) {
        const suggestion = didYouMean(type, RESOURCE_TYPES);
        usage(`--block: "${type}" is not a resource type${suggestion ? ` — did you mean "${suggestion}"?` : ''}; use ${RESOURCE_TYPES.join(', ')}`);
      }
    }
    flags['block.types'] = { value: types, flag: '--block' };
  }
  return flags;
}

/** `--budget 1GB`, `700MB`, `700` (MB), `1.5G`, `auto`, or `0`/`off` for none; a GB is 1024 MB, as flow's MB are MiB. */
export function parseBudget(text: string): number | 'auto' {
  const written = text.trim().toLowerCase();
  if (written === 'auto') return 'auto';
  if (written === 'off') return 0;
  const match = /^(\d+(?:\.\d+)?)\s*(g|gb|gib|m|mb|mib)?$/.exec(written);
  if (!match) usage(`--budget must be a size such as 700MB or 1GB (or auto, or off), not "${text}"`);
  const value = Number(match[1]) * (match[2]?.startsWith('g') ? 1024 : 1);
  return Math.round(value);
}

function usage(message: string): never {
  throw new InputError([{ file: 'command line', message }]);
}
