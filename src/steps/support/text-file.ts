/**
 * The text of a file a workflow reads data from, or a plain message saying why it is not text:
 * a picture or spreadsheet renamed .csv would otherwise fail later with a puzzling parse error.
 */
export function decodeText(bytes: Buffer, name: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new Error(`${name} is saved as UTF-16 text; save it as UTF-8 (in a spreadsheet: "CSV UTF-8")`);
  }
  // Text never holds a NUL byte; pictures, zip files and spreadsheets (.xlsx) do.
  if (bytes.includes(0)) throw new Error(`${name} holds binary data, not text: is it a picture or a spreadsheet file renamed? Export the data as CSV or JSON`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new Error(`${name}, line ${firstBadLine(bytes)}: this is not UTF-8 text; save the file as UTF-8 (in a spreadsheet: "CSV UTF-8")`);
  }
}

function firstBadLine(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start);
    try {
      decoder.decode(bytes.subarray(start, end < 0 ? undefined : end));
    } catch {
      return line;
    }
    if (end < 0) return line;
    start = end + 1;
  }
}
