import { clip } from './names.js';

/**
 * Parses CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, a field
 * in double quotes may hold commas, line breaks and doubled quotes (""). The first record is the
 * header; each later record becomes an object keyed by it and must have as many fields. Blank
 * lines are skipped.
 */
export function parseCsv(text: string, fileName = 'the CSV file'): Record<string, string>[] {
  const rows = csvRows(text.replace(/^\uFEFF/, ''), fileName);
  if (rows.length === 0) return [];
  const [header, ...records] = rows;
  const names = header.fields.map((name) => name.trim());
  names.forEach((name, i) => {
    if (!name) throw new Error(`${fileName}: column ${i + 1} of the header has no name`);
    if (names.indexOf(name) !== i) throw new Error(`${fileName}: the header names the column "${name}" twice`);
  });
  return records.map(({ fields, line }) => {
    // A short row is refused rather than padded: it usually means a broken export or a missing comma, which padding would hide.
    if (fields.length !== names.length) {
      const fix = fields.length > names.length ? 'put a field holding a comma in double quotes' : 'write an empty field as nothing between two commas (a,,c)';
      throw new Error(`${fileName}, line ${line}: ${count(fields.length)}, but the header has ${names.length} (${clip(names.join(', '), 80)}); ${fix}`);
    }
    return Object.fromEntries(names.map((name, i) => [name, fields[i]]));
  });
}

function count(fields: number): string {
  return fields === 1 ? '1 field' : `${fields} fields`;
}

interface Row {
  fields: string[];
  /** Line where the record starts, for messages. */
  line: number;
}

function csvRows(text: string, fileName: string): Row[] {
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;
  let fieldStarted = false;
  const endRow = () => {
    fields.push(field);
    // A line with nothing on it is a blank line, not a record with one empty field.
    if (fields.length > 1 || fields[0] !== '' || fieldStarted) rows.push({ fields, line: rowLine });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') throw new Error(`${fileName}, line ${line}: a quoted field must end at a comma or the end of the line`);
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === '"') {
      if (field !== '') throw new Error(`${fileName}, line ${line}: a quote inside an unquoted field; put the whole field in quotes and double the quote ("")`);
      quoted = true;
      fieldStarted = true;
      quoteLine = line;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += char;
    }
  }
  if (quoted) throw new Error(`${fileName}, line ${quoteLine}: a quoted field is never closed`);
  if (field !== '' || fields.length || fieldStarted) endRow();
  return rows;
}
