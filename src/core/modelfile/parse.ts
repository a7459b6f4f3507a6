/** Parsing model files: JSON with comments, with every node's offset kept for exact ranges. */
import { parseTree, printParseErrorCode, getNodeValue, stripComments, type Node, type ParseError } from 'jsonc-parser';

/** A problem in a model file, located by character offset and length. */
export interface Problem {
  severity: 'error' | 'warning';
  message: string;
  offset: number;
  length: number;
}

/** Deepest nesting of objects and arrays we parse; jsonc-parser overflows the stack near 10,000. */
export const MAX_DEPTH = 64;

/** An opening bracket still open at some point of the text. */
interface Open {
  char: '{' | '[';
  offset: number;
}

/**
 * Walks the brackets of `text` up to `end`, skipping strings (which end at a line break, as in
 * jsonc-parser) and comments. Stops early, returning the offset, when nesting exceeds `max`.
 */
function scanBrackets(text: string, end: number, max: number, stack: Open[]): number {
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < end && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < end && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? end : close + 1;
    } else if (c === '{' || c === '[') {
      if (stack.length >= max) return i;
      stack.push({ char: c, offset: i });
    } else if (c === '}' || c === ']') {
      stack.pop();
    }
  }
  return -1;
}

/** The offset where nesting first exceeds `max`, or -1 (strings and comments are skipped). */
export function findExcessiveNesting(text: string, max = MAX_DEPTH): number {
  return scanBrackets(text, text.length, max, []);
}

/** The parsed tree and value of a model file, or the syntax problems that stopped it. */
export interface ParsedModelText {
  root: Node | undefined;
  value: unknown;
  problems: Problem[];
}

const problem = (message: string, offset: number, length: number): Problem => ({ severity: 'error', message, offset, length: Math.max(0, length) });

/**
 * Parses model-file text; never throws. Only the first syntax error is reported: the ones after
 * it are mostly echoes of the first, and a student fixes them one at a time anyway.
 */
export function parseModelText(text: string): ParsedModelText {
  const deep = findExcessiveNesting(text);
  if (deep >= 0) {
    const message = `nesting deeper than ${MAX_DEPTH} levels: a model file needs only a few; look for repeated or unclosed [ and { brackets`;
    return { root: undefined, value: undefined, problems: [problem(message, deep, 1)] };
  }
  if (stripComments(text).trim() === '') {
    return { root: undefined, value: undefined, problems: [problem('the file is empty: write at least { "family": "vae" }', 0, text.length)] };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const problems = errors.length ? [syntaxProblem(text, errors[0], root)] : [];
  return { root, value: root ? getNodeValue(root) : undefined, problems };
}

/** The token at `offset` as quoted in a message, and its length. */
function tokenAt(text: string, offset: number): { token: string; length: number } {
  if (offset >= text.length) return { token: 'the end of the file', length: 0 };
  const rest = text.slice(offset);
  const m = /^"[^"\n]*"?|^'[^'\n]*'?|^[\w$.+-]+|^[\s\S]/.exec(rest);
  const raw = m ? m[0] : rest[0];
  return { token: raw.length > 40 ? `${raw.slice(0, 37)}…` : raw, length: raw.length };
}

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
/** The last character before `offset` that is not white space. */
const before = (text: string, offset: number) => text.slice(0, offset).trimEnd().slice(-1);
const CLOSE = { '{': '}', '[': ']' } as const;

/** A syntax error in words that say what is wrong and how to fix it, on the text to fix. */
function syntaxProblem(text: string, e: ParseError, root: Node | undefined): Problem {
  const { token, length } = tokenAt(text, e.offset);
  const at = (message: string, offset = e.offset, len = e.length || length) => problem(message, offset, len);
  const atEnd = stripComments(text.slice(e.offset)).trim() === '';
  const open: Open[] = [];
  scanBrackets(text, Math.min(e.offset, text.length), Infinity, open);
  const innermost = open[open.length - 1];
  const code = printParseErrorCode(e.error);
  if (root && e.offset >= root.offset + root.length && !atEnd && (code === 'InvalidSymbol' || code === 'EndOfFileExpected')) {
    return at(`text after the end of the model file: remove it, or move it inside the top-level { … }`, e.offset, text.trimEnd().length - e.offset);
  }
  switch (code) {
    case 'CommaExpected':
      if ((token === '}' || token === ']') && innermost) {
        return at(`"${token}" does not match the "${innermost.char}" opened on line ${lineOf(text, innermost.offset)}: close that one with "${CLOSE[innermost.char]}"`, e.offset, 1);
      }
      if (/\d/.test(token) && /(^|[^\w.])-?0$/.test(text.slice(0, e.offset))) {
        return at(`JSON numbers cannot start with 0: write ${token}, not 0${token}`, e.offset - 1, length + 1);
      }
      return at(`a comma is missing before ${token}: separate properties and list items with ","`, e.offset, length);
    case 'CloseBraceExpected':
    case 'CloseBracketExpected':
      if (atEnd && innermost) {
        return at(`this "${innermost.char}" is never closed: add a matching "${CLOSE[innermost.char]}" (the file ends first)`, innermost.offset, 1);
      }
      return at(`a "${code === 'CloseBracketExpected' ? ']' : '}'}" or a comma is expected before ${token}`, e.offset, length);
    case 'UnexpectedEndOfString':
      return at('this string has no closing double quote: add " at its end (strings cannot span lines)');
    case 'InvalidSymbol':
      if (token.startsWith("'")) return at(`JSON needs double quotes: write "${token.replace(/'/g, '')}" instead of ${token}`);
      if (/^(True|False|None|TRUE|FALSE|NULL|Null)$/.test(token)) return at(`write ${token === 'None' ? 'null' : token.toLowerCase()} in lower case: JSON knows only true, false and null`);
      if (/^[-+]?(\.\d|NaN|Infinity)/.test(token)) return at(`${token} is not a JSON number: write numbers like 0.5, 1e-3 or 128`);
      if (/^[A-Za-z_$]/.test(token)) {
        if (text.slice(e.offset + length).trimStart().startsWith(':')) return at(`property names need double quotes: write "${token}"`);
        if (text[e.offset - 1] === '"') return at(`unexpected ${token}: the string just before it seems to be missing its closing double quote`);
        return at(`unexpected ${token}: text values need double quotes, such as "${token}"`);
      }
      return at(`unexpected "${token}": remove it`);
    case 'ValueExpected':
      if (before(text, e.offset) === ':') return at(`a value is missing after the colon: write one, such as 2, "text", [ … ] or { … }`, e.offset, length);
      return at(`a value is expected before ${token}, such as 2, "text", [ … ] or { … }`, e.offset, length);
    case 'PropertyNameExpected':
      if (token === ',') return at('an extra comma: remove it', e.offset, 1);
      return at(`a property name in double quotes is expected before ${token}, such as "family"`, e.offset, length);
    case 'ColonExpected':
      return at(`a colon is missing before ${token}: write "name": value`, e.offset, length);
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return at(`malformed number ${token}: write numbers like 0.5, 1e-3 or 128`);
    case 'UnexpectedEndOfComment':
      return at('this comment is never closed: end it with */');
    case 'InvalidEscapeCharacter':
      return at('invalid backslash escape in this string: write \\\\ for a backslash, or use / in paths');
    case 'InvalidUnicode':
      return at('invalid \\u escape in this string: write four hex digits, such as \\u00e9');
    case 'InvalidCharacter':
      return at('this string contains a tab or another control character: remove it, or write \\t or \\n');
    default:
      return at(`JSON syntax error (${printParseErrorCode(e.error)}): fix the text here`);
  }
}

/** Which part of a value a range covers: the value, its property key, the whole property, or its first character. */
export type RangeTarget = 'value' | 'key' | 'property' | 'start';

/** The node at `path`; where a key is written twice, the last one (the one whose value counts). */
function nodeAt(root: Node, path: ReadonlyArray<string | number>): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of path) {
    if (!node?.children) return undefined;
    if (node.type === 'object' && typeof segment === 'string') {
      node = node.children.filter((p) => p.children?.[0]?.value === segment).pop()?.children?.[1];
    } else if (node.type === 'array' && typeof segment === 'number') {
      node = node.children[segment];
    } else {
      return undefined;
    }
  }
  return node;
}

/** An error for every key written twice in one object, on the later copy. */
export function findDuplicateKeys(root: Node | undefined): Problem[] {
  const problems: Problem[] = [];
  const visit = (node: Node) => {
    if (node.type === 'object') {
      const seen = new Set<unknown>();
      for (const property of node.children ?? []) {
        const key = property.children?.[0];
        if (!key) continue;
        if (seen.has(key.value)) {
          problems.push(problem(`"${String(key.value)}" is written twice in this object, and only this last one counts: remove one of them, or merge them`, key.offset, key.length));
        }
        seen.add(key.value);
      }
    }
    for (const child of node.children ?? []) visit(child);
  };
  if (root) visit(root);
  return problems;
}

/** The range of `target` for the value at `path`; falls back to the nearest parent that exists. */
export function rangeOf(root: Node | undefined, path: Array<string | number>, target: RangeTarget = 'value'): { offset: number; length: number } {
  if (!root) return { offset: 0, length: 1 };
  for (let n = path.length; n >= 0; n--) {
    const node = nodeAt(root, path.slice(0, n));
    if (!node) continue;
    const exact = n === path.length;
    const property = node.parent?.type === 'property' ? node.parent : undefined;
    if (exact && target === 'start') return { offset: node.offset, length: 1 };
    if (exact && target === 'key' && property?.children?.[0]) return { offset: property.children[0].offset, length: property.children[0].length };
    if (exact && target === 'property' && property) return { offset: property.offset, length: property.length };
    return { offset: node.offset, length: node.length };
  }
  return { offset: root.offset, length: 1 };
}

/** The range of the value at `path`, or of its property key with `key`; falls back to the nearest parent. */
export function rangeAt(root: Node | undefined, path: Array<string | number>, key = false): { offset: number; length: number } {
  return rangeOf(root, path, key ? 'key' : 'value');
}
