import fc from 'fast-check';

/**
 * Ways to damage a YAML file, as data, so fast-check can print a failing case and shrink it.
 * Positions are any natural number, taken modulo the length of the file when applied.
 */
export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'nest'; at: number; shape: NestShape; depth: number; closed: boolean }
  | { kind: 'huge'; at: number; size: number; style: 'plain' | 'double' | 'single' | 'block' }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'odd'; at: number; name: OddName }
  | { kind: 'tab-indent'; line: number }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'copy'; from: number; length: number; at: number };

type NestShape = 'brackets' | 'braces' | 'dashes' | 'questions' | 'indents';
type OddName = keyof typeof ODD_BYTES;

/** Odd characters, as UTF-8 bytes or as bytes that are not UTF-8 at all. */
const ODD_BYTES = {
  'lone high surrogate': [0xed, 0xa0, 0x80],
  'lone low surrogate': [0xed, 0xb0, 0x80],
  'UTF-8 BOM': [0xef, 0xbb, 0xbf],
  'UTF-16 LE BOM': [0xff, 0xfe],
  'UTF-16 BE BOM': [0xfe, 0xff],
  NUL: [0x00],
  'right-to-left mark': [0xe2, 0x80, 0x8f],
  'right-to-left override': [0xe2, 0x80, 0xae],
  emoji: [0xf0, 0x9f, 0x98, 0x80],
  'emoji with joiner': [0xf0, 0x9f, 0x91, 0xa9, 0xe2, 0x80, 0x8d, 0xf0, 0x9f, 0x92, 0xbb],
  'line separator': [0xe2, 0x80, 0xa8],
  'next line (C1)': [0xc2, 0x85],
  'non-character': [0xef, 0xbf, 0xbe],
  'overlong slash': [0xc0, 0xaf],
  'stray continuation byte': [0x80],
  'beyond U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
  'lone CR': [0x0d],
  DEL: [0x7f],
  'escape (ESC)': [0x1b],
  'combining accent': [0xcc, 0x81],
} satisfies Record<string, number[]>;

/** YAML's own punctuation and flow's, which change how the rest of a line is read. */
/** Lines that make flow read other files: devices, a shipped policy, a part, an include loop. */
const REFERENCES = ['\npolicy: /dev/zero\n', '\n  - include: /dev/zero\n', '\nextends: ./balanced.yaml\n', '\npolicy: ../policies/low-memory.yaml\n', '\n  - include: parts/sign-in.yaml\n', '\n  - include: fuzz-case.yaml\n', '\nserve: ../demo\n'];

const TOKENS = [...REFERENCES, '\t', ': ', '- ', '#', '"', "'", '[', ']', '{', '}', ',', '|', '>', '&a ', '*a', '!!binary ', '!custom ', '<<: *a', '\n---\n', '\n...\n', '%YAML 1.2\n', '? ', '${{', '}}', '${{ a.b( }}', '\\', '\n', '  ', 'steps:', 'version: 1', '~', '0x1F', '.inf', 'null'];

const position = fc.nat({ max: 1 << 30 });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('flip' as const), at: position, xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant('nest' as const),
    at: position,
    shape: fc.constantFrom<NestShape>('brackets', 'braces', 'dashes', 'questions', 'indents'),
    depth: fc.oneof(fc.integer({ min: 150, max: 260 }), fc.integer({ min: 1000, max: 25_000 })),
    closed: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('huge' as const),
    at: position,
    // Megabytes take the yaml library a second or more, so they are kept rare.
    size: fc.oneof({ arbitrary: fc.integer({ min: 2000, max: 200_000 }), weight: 20 }, { arbitrary: fc.integer({ min: 500_000, max: 2_000_000 }), weight: 1 }),
    style: fc.constantFrom('plain' as const, 'double' as const, 'single' as const, 'block' as const),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: position, text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8, unit: 'binary' })) }),
  fc.record({ kind: fc.constant('odd' as const), at: position, name: fc.constantFrom(...(Object.keys(ODD_BYTES) as OddName[])) }),
  fc.record({ kind: fc.constant('tab-indent' as const), line: position }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: position }),
  fc.record({ kind: fc.constant('copy' as const), from: position, length: fc.integer({ min: 1, max: 400 }), at: position }),
);

export function applyMutation(file: Buffer, m: Mutation): Buffer {
  const at = 'at' in m ? m.at % (file.length + 1) : 0;
  const insert = (bytes: Buffer | string) => Buffer.concat([file.subarray(0, at), Buffer.from(bytes), file.subarray(at)]);
  switch (m.kind) {
    case 'truncate':
      return file.subarray(0, at);
    case 'flip': {
      if (file.length === 0) return file;
      const copy = Buffer.from(file);
      copy[at % file.length] ^= m.xor;
      return copy;
    }
    case 'nest':
      return insert(nesting(m.shape, m.depth, m.closed));
    case 'huge':
      return insert(hugeScalar(m.size, m.style));
    case 'insert':
      return insert(m.text);
    case 'odd':
      return insert(Buffer.from(ODD_BYTES[m.name]));
    case 'tab-indent':
      return editLine(file, m.line, (line) => line.replace(/^ +/, (spaces) => '\t'.repeat(Math.max(1, spaces.length >> 1))));
    case 'duplicate-line':
      return editLine(file, m.line, (line) => `${line}\n${line}`);
    case 'copy': {
      const from = m.from % (file.length + 1);
      return insert(file.subarray(from, from + m.length));
    }
  }
}

function nesting(shape: NestShape, depth: number, closed: boolean): string {
  switch (shape) {
    case 'brackets':
      return '['.repeat(depth) + (closed ? ']'.repeat(depth) : '');
    case 'braces':
      return '{a: '.repeat(depth) + (closed ? `1${'}'.repeat(depth)}` : '');
    case 'dashes':
      return '- '.repeat(depth) + (closed ? 'x' : '');
    case 'questions':
      return '? '.repeat(depth) + (closed ? 'x' : '');
    case 'indents':
      // Each level one space deeper; capped so the text stays under a megabyte.
      return Array.from({ length: Math.min(depth, 1200) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + (closed ? ' x\n' : '\n');
  }
}

function hugeScalar(size: number, style: 'plain' | 'double' | 'single' | 'block'): string {
  const body = 'x'.repeat(size);
  if (style === 'double') return `"${body}"`;
  if (style === 'single') return `'${body}'`;
  if (style === 'block') return `|\n  ${body}\n`;
  return body;
}

function editLine(file: Buffer, line: number, edit: (line: string) => string): Buffer {
  // latin1 maps each byte to one character, so invalid UTF-8 elsewhere survives the edit unchanged.
  const lines = file.toString('latin1').split('\n');
  const index = line % lines.length;
  lines[index] = edit(lines[index]);
  return Buffer.from(lines.join('\n'), 'latin1');
}
