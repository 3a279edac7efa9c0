import type { LocalPosition } from './origin.js';

export type TokenKind = 'number' | 'string' | 'name' | 'keyword' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Keyword and punctuation tokens carry their text; names their identifier; literals their value. */
  text: string;
  value?: number | string;
  at: LocalPosition;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'and', 'or', 'not', 'in', 'is', 'if', 'else',
  'True', 'False', 'None', 'true', 'false', 'null', 'undefined',
]);

/** Longest first, so `===` wins over `==` and `//` over `/`. */
const PUNCTUATION = ['===', '!==', '==', '!=', '<=', '>=', '//', '&&', '||', '?.', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', ',', '.', '?', ':'];

/**
 * Spellings that look like expressions but would mean something a condition must never do. They
 * get their own message, because "unexpected character" would not tell the author what to change.
 */
const REFUSED: readonly (readonly [string, string])[] = [
  ['=>', "arrow functions ('=>') are not supported in conditions"],
  ['**', "the power operator ('**') is not supported in conditions"],
  ['+=', "assignment ('+=') is not supported in conditions; conditions only read state"],
  ['-=', "assignment ('-=') is not supported in conditions; conditions only read state"],
  ['=', "assignment ('=') is not supported in conditions; use '==' to compare"],
  ['`', 'template strings are not supported in conditions; use quoted strings'],
  ['{', "object literals and blocks ('{') are not supported in conditions"],
  ['}', "object literals and blocks ('}') are not supported in conditions"],
  [';', "statements (';') are not supported in conditions; write a single expression"],
  ['??', "'??' is not supported; use .get(key, default) or 'or'"],
  ['&', "bitwise '&' is not supported; use 'and' or '&&'"],
  ['|', "bitwise '|' is not supported; use 'or' or '||'"],
];

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"',
};

export class LexError extends Error {
  constructor(message: string, readonly at: LocalPosition) {
    super(message);
  }
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function isNameStart(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || ch === '$');
}

function isNamePart(ch: string | undefined): boolean {
  return isNameStart(ch) || isDigit(ch);
}

/** Splits a condition into tokens; throws `LexError` at the first character that cannot start one. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): LocalPosition => ({ line, column: i - lineStart + 1 });

  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    const at = here();

    if (isDigit(ch) || (ch === '.' && isDigit(source[i + 1]))) {
      const start = i;
      while (isDigit(source[i])) i++;
      if (source[i] === '.' && isDigit(source[i + 1])) {
        i++;
        while (isDigit(source[i])) i++;
      }
      if (source[i] === 'e' || source[i] === 'E') {
        const save = i;
        i++;
        if (source[i] === '+' || source[i] === '-') i++;
        if (isDigit(source[i])) while (isDigit(source[i])) i++;
        else i = save;
      }
      if (isNameStart(source[i])) throw new LexError(`invalid number '${source.slice(start, i + 1)}'`, at);
      const text = source.slice(start, i);
      tokens.push({ kind: 'number', text, value: Number(text), at });
      continue;
    }

    if (isNameStart(ch)) {
      const start = i;
      while (isNamePart(source[i])) i++;
      const text = source.slice(start, i);
      tokens.push({ kind: KEYWORDS.has(text) ? 'keyword' : 'name', text, at });
      continue;
    }

    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      for (;;) {
        const c = source[i];
        if (c === undefined || c === '\n') throw new LexError('unterminated string (close it with the same quote on the same line)', at);
        if (c === ch) {
          i++;
          break;
        }
        if (c === '\\') {
          const e = source[i + 1];
          if (e !== undefined && ESCAPES[e] !== undefined) {
            value += ESCAPES[e];
            i += 2;
            continue;
          }
          if (e === 'u' || e === 'x') {
            const width = e === 'u' ? 4 : 2;
            const hex = source.slice(i + 2, i + 2 + width);
            if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) {
              throw new LexError(`invalid \\${e} escape: expected ${width} hex digits`, { line, column: i - lineStart + 1 });
            }
            value += String.fromCharCode(parseInt(hex, 16));
            i += 2 + width;
            continue;
          }
          throw new LexError(`unknown escape '\\${e ?? ''}' in string`, { line, column: i - lineStart + 1 });
        }
        value += c;
        i++;
      }
      tokens.push({ kind: 'string', text: value, value, at });
      continue;
    }

    // `a?.5:1` is a ternary in JavaScript, not optional chaining.
    const optionalBeforeDigit = ch === '?' && source[i + 1] === '.' && isDigit(source[i + 2]);
    const refused = REFUSED.find(([text]) => source.startsWith(text, i) && !PUNCTUATION.some((p) => p.length >= text.length && source.startsWith(p, i)));
    if (refused !== undefined) throw new LexError(refused[1], at);
    const punct = optionalBeforeDigit ? '?' : PUNCTUATION.find((p) => source.startsWith(p, i));
    if (punct === undefined) {
      throw new LexError(`unexpected character ${JSON.stringify(ch)}`, at);
    }
    tokens.push({ kind: 'punct', text: punct, at });
    i += punct.length;
  }
  tokens.push({ kind: 'eof', text: '<end>', at: here() });
  return tokens;
}
