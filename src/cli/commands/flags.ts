import { InputError } from '../../runner/diagnostics.js';
import { didYouMean } from '../../runner/did-you-mean.js';
import { RESOURCE_TYPES } from '../../policy/settings.js';
import type { PolicyInputs } from '../../policy/resolve.js';

/** The policy settings that have command-line flags, as resolvePolicy takes them. */
export function policyFlags(options: { maxPages?: string; block?: string }): PolicyInputs['flags'] {
  const flags: NonNullable<PolicyInputs['flags']> = {};
  if (options.maxPages !== undefined) {
    const n = Number(options.maxPages);
    if (!Number.isInteger(n) || n < 1 || n > 64) usage(`--max-pages must be a whole number from 1 to 64, not "${options.maxPages}"`);
    flags.maxPages = { value: n, flag: '--max-pages' };
  }
  if (options.block !== undefined) {
    const types = options.block.split(',').map((t) => t.trim()).filter(Boolean);
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

function usage(message: string): never {
  throw new InputError([{ file: 'command line', message }]);
}
