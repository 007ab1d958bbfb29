import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { pathProblem } from '../../runner/path-kind.js';
import { parseCsv } from './csv.js';
import { decodeText } from './text-file.js';

/** The items a loop reads from a file: CSV rows as objects, a JSON array, or JSON Lines. */
export async function readItemsFile(path: string): Promise<unknown[]> {
  const name = basename(path);
  // Validation checks a path written out; one made with ${{ }} is known only now.
  const problem = pathProblem(path, 'file');
  if (problem) throw new Error(`${path} ${problem.says}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  const text = decodeText(bytes, name);
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return parseCsv(text, name);
  if (ext === '.json') {
    const value = parseJson(text, name);
    if (!Array.isArray(value)) throw new Error(`${name} must hold a JSON array (a list in [ ]), but it holds ${value === null ? 'null' : typeof value === 'object' ? 'an object' : typeof value}`);
    return value;
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    return text.split(/\r?\n/).flatMap((line, i) => (line.trim() ? [parseJson(line, `${name}, line ${i + 1}`)] : []));
  }
  throw new Error(`${name}: items are read from .csv, .json or .jsonl files`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}
