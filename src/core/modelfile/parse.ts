/** Parsing model files: JSON with comments, with every node's offset kept for exact ranges. */
import { parseTree, printParseErrorCode, findNodeAtLocation, getNodeValue, type Node, type ParseError } from 'jsonc-parser';

/** A problem in a model file, located by character offset and length. */
export interface Problem {
  severity: 'error' | 'warning';
  message: string;
  offset: number;
  length: number;
}

/** Deepest nesting of objects and arrays we parse; jsonc-parser overflows the stack near 10,000. */
export const MAX_DEPTH = 64;

/** The offset where nesting first exceeds `max`, or -1 (strings and comments are skipped). */
export function findExcessiveNesting(text: string, max = MAX_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '{' || c === '[') {
      if (++depth > max) return i;
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return -1;
}

/** The parsed tree and value of a model file, or the syntax problems that stopped it. */
export interface ParsedModelText {
  root: Node | undefined;
  value: unknown;
  problems: Problem[];
}

/** Parses model-file text; never throws. */
export function parseModelText(text: string): ParsedModelText {
  const deep = findExcessiveNesting(text);
  if (deep >= 0) {
    return { root: undefined, value: undefined, problems: [{ severity: 'error', message: `nesting deeper than ${MAX_DEPTH} levels; a model file never needs this much`, offset: deep, length: 1 }] };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const problems: Problem[] = errors.map((e) => ({
    severity: 'error',
    message: `JSON syntax: ${syntaxMessage(e.error)}`,
    offset: e.offset,
    length: Math.max(1, e.length),
  }));
  if (!root && problems.length === 0) problems.push({ severity: 'error', message: 'the file is empty; write at least { "family": "vae" }', offset: 0, length: Math.max(1, text.length) });
  return { root, value: root ? getNodeValue(root) : undefined, problems };
}

function syntaxMessage(code: number): string {
  const name = printParseErrorCode(code);
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character', InvalidNumberFormat: 'malformed number', PropertyNameExpected: 'a property name in double quotes is expected',
    ValueExpected: 'a value is expected', ColonExpected: 'a colon is expected', CommaExpected: 'a comma is expected',
    CloseBraceExpected: 'a closing brace } is expected', CloseBracketExpected: 'a closing bracket ] is expected', EndOfFileExpected: 'nothing may follow the top-level object',
    InvalidCommentToken: 'malformed comment', UnexpectedEndOfComment: 'unterminated comment', UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number', InvalidUnicode: 'invalid unicode escape', InvalidEscapeCharacter: 'invalid escape character', InvalidCharacter: 'invalid character',
  };
  return words[name] ?? name;
}

/** The range of the value at `path`, or of its property key with `key`; falls back to the nearest parent. */
export function rangeAt(root: Node | undefined, path: Array<string | number>, key = false): { offset: number; length: number } {
  if (!root) return { offset: 0, length: 1 };
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (node) {
      const target = key && n === path.length && node.parent?.type === 'property' ? node.parent.children?.[0] ?? node : node;
      return { offset: target.offset, length: target.length };
    }
  }
  return { offset: root.offset, length: 1 };
}
