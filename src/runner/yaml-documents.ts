import { Composer, Lexer, Parser, type CST, type Document, type LineCounter } from 'yaml';

export type ParsedDocuments = { docs: Document.Parsed[] } | { tooDeepAt: number };

const COLLECTIONS = new Set<string>(['block-map', 'block-seq', 'flow-collection']);

/**
 * Parses YAML text into its documents, but gives up at the first collection nested deeper than
 * `maxDepth`, returning its offset. The yaml library builds documents by recursion and treats a
 * stack overflow as an ordinary error; near the end of the stack V8 may instead abort the whole
 * process (a regular expression compiled there fails with "out of memory"). Its parser keeps an
 * explicit stack, so the depth is measured there, token by token, before any recursion starts;
 * stopping early also keeps a file of millions of brackets from filling the memory.
 */
export function parseDocumentsWithinDepth(text: string, lineCounter: LineCounter, maxDepth: number): ParsedDocuments {
  const parser = new Parser(lineCounter.addNewLine);
  const tokens: CST.Token[] = [];
  // Parser.parse would count the first line; fed token by token, the parser leaves that to its caller.
  lineCounter.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    // The stack also holds the document and the scalar being read, so it is longer than the nesting.
    if (parser.stack.length > maxDepth) {
      const collections = parser.stack.filter((token) => COLLECTIONS.has(token.type));
      if (collections.length > maxDepth) return { tooDeepAt: collections[maxDepth].offset };
    }
  }
  for (const token of parser.end()) tokens.push(token);
  // The composer makes an Error object for every problem; in a broken file of tens of thousands
  // of problems, capturing their stacks (never shown) took seconds.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return { docs: [...new Composer({ uniqueKeys: true }).compose(tokens)] as Document.Parsed[] };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}
