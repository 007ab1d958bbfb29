/** Marks that a terminal does not show, or that reorder the text around them (a file can hide code behind them). */
const HIDDEN = /[\u0080-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** Control characters other than tab and newline: a terminal acts on them (ESC starts a command). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * Text from a user's file made safe and readable to print: a control character becomes its
 * symbol (␛ for ESC, ␀ for NUL), an invisible mark becomes �, one character each so a caret
 * under the text still lines up. Text longer than `max` keeps its start and end, cut with … in
 * the middle: a message that quotes a megabyte value should still fit on a screen.
 */
export function printable(text: string, max = Infinity): string {
  const shown = text.replace(CONTROL, (char) => String.fromCharCode(char === '\u007f' ? 0x2421 : 0x2400 + char.charCodeAt(0))).replace(HIDDEN, '\ufffd');
  if (shown.length <= max) return shown;
  const tail = Math.floor(max / 3);
  return `${wholeCharacters(shown.slice(0, max - tail - 1))}…${wholeCharacters(shown.slice(shown.length - tail))}`;
}

/** Drops half of a surrogate pair left at either end by a cut. */
function wholeCharacters(text: string): string {
  return text.replace(/^[\udc00-\udfff]|[\ud800-\udbff]$/g, '');
}
