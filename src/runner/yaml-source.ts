import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { isAlias, isCollection, isMap, isScalar, isSeq, LineCounter, visit, type Document, type Node } from 'yaml';
import { InputError, type Diagnostic } from './diagnostics.js';
import { pathProblem } from './path-kind.js';
import { parseDocumentsWithinDepth } from './yaml-documents.js';

const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MAX_ALIASES = 100;
const MAX_DEPTH = 200;
const MAX_SYNTAX_PROBLEMS = 20;

/** A YAML file parsed with the positions of its nodes kept, so problems can be located. */
export interface YamlSource {
  path: string;
  /** The path as shown in messages: relative to the working folder when inside it. */
  shownPath: string;
  text: string;
  doc: Document.Parsed;
  value: Record<string, unknown>;
  lineCounter: LineCounter;
}

export type PathSegment = string | number;

/** How a kind of file is called in messages, and which top-level keys it starts with. */
export interface FileKind {
  noun: string;
  exampleKeys: string;
}

export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  if (rel === '') return '.';
  // A path beside the working folder reads better relative; one further away reads better whole.
  return rel.startsWith('../..') ? path : rel;
}

/** Reads and parses one YAML file; every way a file can be unusable becomes an InputError. */
export function readYamlSource(path: string, kind: FileKind): YamlSource {
  const shown = shownPath(path);
  const fail = (message: string, hint?: string, line?: number, col?: number): never => {
    throw new InputError([{ file: shown, line, col, message, hint }]);
  };

  const problem = pathProblem(path, 'file');
  if (problem?.kind === 'missing') fail(`no such file`, `check the spelling of the path; it is read relative to ${process.cwd()}`);
  if (problem?.kind === 'folder') fail(`this is a folder, not a ${kind.noun} file`, `give the path of a .yaml file inside it`);
  if (problem) fail(`this ${problem.says}`, problem.hint);
  const { size } = statSync(path);
  if (size > MAX_FILE_BYTES) fail(`the file is ${(size / 1024 / 1024).toFixed(1)} MB; a ${kind.noun} may be at most 10 MB`, 'keep data in a CSV or JSON file and loop over it with forEach');

  const bytes = readFileSync(path);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return fail('the file is saved as UTF-16 text', 'save it as UTF-8 in your editor (in VS Code: the encoding in the status bar, "Save with Encoding")');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const { line, col } = firstInvalidUtf8(bytes);
    return fail('the file is not valid UTF-8 text', 'save it as UTF-8 in your editor', line, col);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  if (text.trim() === '') fail(`the file is empty`, `a ${kind.noun} starts with keys such as ${kind.exampleKeys}`);

  const lineCounter = new LineCounter();
  const at = (offset: number) => lineCounter.linePos(offset);
  const parsed = parseDocumentsWithinDepth(text, lineCounter, MAX_DEPTH);
  if ('tooDeepAt' in parsed) {
    const pos = at(parsed.tooDeepAt);
    return fail(`the structure nests more than ${MAX_DEPTH} levels deep`, 'flatten the structure', pos.line, pos.col);
  }
  const { docs } = parsed;
  if (docs.length > 1) {
    const second = at(docs[1].range[0]);
    fail(`the file holds ${docs.length} YAML documents; a ${kind.noun} is one document`, 'remove the `---` separator and merge or split the documents into files', second.line, second.col);
  }
  const doc = docs[0];
  if (!doc || doc.contents === null) fail(`the file holds only comments`, `a ${kind.noun} starts with keys such as ${kind.exampleKeys}`);

  const syntax: Diagnostic[] = doc.errors.map((error) => {
    const pos = at(error.pos[0]);
    const { message, hint } = plainYamlError(error.code, error.message);
    return { file: shown, line: pos.line, col: pos.col, message, hint };
  });
  if (syntax.length) throw new InputError(firstSyntaxProblems(dedupeByLine(syntax)));

  const complexKey = firstComplexKey(doc);
  if (complexKey) {
    const pos = at(complexKey.offset);
    fail(`a key must be a name, but this one is ${complexKey.what}`, complexKey.hint, pos.line, pos.col);
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    const alias = firstAlias(doc);
    const pos = alias === undefined ? undefined : at(alias);
    const dangling = danglingAlias(doc);
    if (dangling) {
      const where = at(dangling.offset);
      return fail(`the alias *${dangling.name} refers to no anchor`, `an alias repeats a value marked earlier with &${dangling.name}; mark that value, or write it out here`, where.line, where.col);
    }
    if (error instanceof ReferenceError || error instanceof RangeError) {
      return fail('the file expands aliases (*name) too many times', 'YAML aliases that refer to other aliases multiply; write the values out instead', pos?.line, pos?.col);
    }
    return fail(`the file could not be read: ${(error as Error).message}`, undefined, pos?.line, pos?.col);
  }

  if (!isMap(doc.contents) || value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a list' : `a single value (${JSON.stringify(value)?.slice(0, 40)})`;
    const pos = at(doc.contents!.range[0]);
    fail(`a ${kind.noun} must be a mapping of keys, but this file holds ${what}`, `start the file with keys such as ${kind.exampleKeys}`, pos.line, pos.col);
  }
  return { path, shownPath: shown, text, doc, value: value as Record<string, unknown>, lineCounter };
}

/** The node at a path of keys and indexes, or the deepest existing node on the way. */
export function nodeAt(source: YamlSource, path: readonly PathSegment[]): Node | undefined {
  let node: unknown = source.doc.contents;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return node as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) return node as Node;
      node = item;
    } else {
      break;
    }
  }
  return node as Node;
}

/** The key node of `key` inside the mapping at `path`, for problems about the key itself. */
export function keyNodeAt(source: YamlSource, path: readonly PathSegment[], key: string): Node | undefined {
  const map = nodeAt(source, path);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
  return (pair?.key as Node | undefined) ?? undefined;
}

export function positionOf(source: YamlSource, node: Node | undefined, extraOffset = 0): { line: number; col: number } {
  const offset = (node?.range?.[0] ?? 0) + extraOffset;
  return source.lineCounter.linePos(offset);
}

/** Where a scalar's text starts in the file: its range, past an opening quote. */
export function scalarTextOffset(node: Node | undefined): number | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  return node.range[0] + (quoted ? 1 : 0);
}

function plainYamlError(code: string, message: string): { message: string; hint?: string } {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const unclosed = /Flow (sequence|mapping) in block collection must be sufficiently indented and end with a ([\]}])/.exec(first);
  if (unclosed) return { message: `a ${unclosed[1] === 'sequence' ? '[' : '{'} bracket is not closed`, hint: `add the closing ${unclosed[2]}` };
  switch (code) {
    case 'TAB_AS_INDENT':
      return { message: 'a tab is used for indentation; YAML indents with spaces only', hint: 'replace the tabs at the start of this line with spaces' };
    case 'KEY_OVER_1024_CHARS':
      return { message: 'this key is over 1024 characters long, more than YAML allows', hint: 'shorten the key; a long text belongs in a value' };
    case 'DUPLICATE_KEY':
      return { message: 'this key appears twice in the same mapping', hint: 'keep one of the two; the second would silently replace the first' };
    case 'MISSING_CHAR':
      if (/quote/i.test(first)) return { message: 'a quoted text is not closed before the file ends', hint: 'add the closing quote where the text ends' };
      return { message: `something is not closed: ${first.toLowerCase()}`, hint: 'add the missing closing quote or bracket' };
    case 'BAD_INDENT':
      return { message: `the indentation does not line up: ${first}`, hint: 'items of the same list or mapping must start in the same column' };
    case 'MULTILINE_IMPLICIT_KEY':
      return { message: 'a key runs over several lines, which usually means a quote or bracket above is not closed', hint: 'check the line above for an unclosed quote or bracket' };
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'UNEXPECTED_TOKEN':
    case 'BAD_SCALAR_START':
      return { message: `YAML syntax error: ${first}`, hint: 'a value that starts with a special character (such as @, `, %, {, [) needs quotes' };
    default:
      return { message: `YAML syntax error: ${first}` };
  }
}

/** One broken bracket or quote can make every later line an error; past the first few they are noise. */
function firstSyntaxProblems(diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length <= MAX_SYNTAX_PROBLEMS) return diagnostics;
  const rest = diagnostics[MAX_SYNTAX_PROBLEMS];
  const more = diagnostics.length - MAX_SYNTAX_PROBLEMS;
  return [
    ...diagnostics.slice(0, MAX_SYNTAX_PROBLEMS),
    { ...rest, message: `${more} more lines from here on have YAML syntax errors, not shown`, hint: 'fix the problems above first: an unclosed bracket or quote often breaks every line after it' },
  ];
}

function dedupeByLine(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<number | undefined>();
  return diagnostics.filter((d) => (seen.has(d.line) ? false : (seen.add(d.line), true)));
}

/**
 * The first key that is a list, a mapping or an alias. Flow's keys are names; a JavaScript
 * object cannot hold such a key, and the yaml library would print a warning and spell the key
 * out as text at every level it is nested in.
 */
function firstComplexKey(doc: Document.Parsed): { what: string; hint: string; offset: number } | undefined {
  let found: { what: string; hint: string; offset: number } | undefined;
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      const offset = key?.range?.[0] ?? 0;
      if (isAlias(key)) found = { what: `an alias (*${key.source})`, hint: 'write the name out instead of the alias', offset };
      else if (isCollection(key)) found = { what: isSeq(key) ? 'a list' : 'a mapping', hint: 'write a plain name before the colon, such as `url:`; a `?` or a bracket before the colon makes the key a list or a mapping', offset };
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

function firstAlias(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node)) offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** The first alias (*name) with no anchor (&name) before it. */
function danglingAlias(doc: Document.Parsed): { name: string; offset: number } | undefined {
  const anchors = new Set<string>();
  let found: { name: string; offset: number } | undefined;
  visit(doc, (_, node) => {
    if (isAlias(node)) {
      if (!anchors.has(node.source)) {
        found = { name: node.source, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
    } else if (node && typeof node === 'object' && 'anchor' in node && typeof node.anchor === 'string') {
      anchors.add(node.anchor);
    }
    return undefined;
  });
  return found;
}

function firstInvalidUtf8(bytes: Buffer): { line: number; col: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    const valid = need >= 0 && i + need < bytes.length && [...bytes.subarray(i + 1, i + 1 + need)].every((c) => (c & 0xc0) === 0x80);
    if (!valid) return { line, col };
    if (b === 0x0a) {
      line++;
      col = 1;
    } else col++;
    i += need + 1;
  }
  return { line, col };
}
