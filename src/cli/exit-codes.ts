/** flow's exit codes, as the README documents them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  invalidInput: 2,
  interrupted: 130,
} as const;
