import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

/**
 * Recipe regexes are user text matched against call arguments and committed values. JavaScript's engine backtracks
 * and has no match timeout, so `(a|aa)*$` on a few thousand characters can hold the event loop for minutes. They run
 * on RE2 (re2js, pure JavaScript) instead: matching time is linear in the subject whatever the pattern, and what RE2
 * cannot run in linear time (backreferences, lookaround, atomic groups) is refused when the recipe loads.
 */
export const MAX_REGEX_LENGTH = 256;
/**
 * Longer strings are not matched (the rule reports a violation). Matching costs up to (subject length × program
 * size) steps when RE2 falls back from its DFA to its NFA, so both are bounded: together they keep the worst case
 * near a tenth of a second.
 */
export const MAX_REGEX_SUBJECT = 10_000;
/** RE2's own measure of a compiled pattern's cost (`(a|aa){150}` is about 600). */
export const MAX_REGEX_PROGRAM = 1000;

type Re2Module = typeof import('re2js');
let re2Module: Re2Module | undefined;

/**
 * re2js is loaded on the first recipe that has a regex, synchronously (recipes load inside the engine constructor),
 * through its CommonJS build: applications without regex rules never pay for it.
 */
function re2(): Re2Module {
  re2Module ??= createRequire(import.meta.url)('re2js') as Re2Module;
  return re2Module;
}

const UNSUPPORTED: readonly { test: RegExp; reason: string }[] = [
  { test: /\\[1-9]|\\k</, reason: 'backreferences (\\1, \\k<name>) need backtracking, which the linear-time engine does not do' },
  { test: /\(\?<?[=!]/, reason: 'lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported by the linear-time engine; split the check into two rules' },
  { test: /\(\?>/, reason: 'atomic groups (?>…) are not supported by the linear-time engine' },
  { test: /\\u\{/, reason: 'write code points as \\x{41}, not \\u{41}' },
];

/** Escaped characters and character classes are masked so that the construct checks see only real syntax. */
function syntaxOnly(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      // Escapes that are constructs of their own (backreferences, \u{…}) stay visible; others are masked.
      out += /[1-9ku]/.test(next) && !inClass ? `\\${next}` : '__';
      i++;
      continue;
    }
    if (inClass) {
      out += '_';
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      out += '_'.repeat(j - i);
      i = j - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

/** An RE2 pattern compiled for "matches at the start of the string" (like Python's `re.match`). */
export interface LinearRegex {
  readonly source: string;
  test(subject: string): boolean;
}

export type LinearRegexResult = { readonly regex: LinearRegex; readonly problem?: undefined } | { readonly regex?: undefined; readonly problem: string };

/** Compiles `source`, or says why it cannot be run (too long, unsupported construct, syntax error). Never throws. */
export function compileLinearRegex(source: string): LinearRegexResult {
  if (typeof source !== 'string') return { problem: 'the pattern must be a string' };
  if (source.length > MAX_REGEX_LENGTH) return { problem: `the pattern is ${source.length} characters long; the limit is ${MAX_REGEX_LENGTH}` };
  const masked = syntaxOnly(source);
  for (const { test, reason } of UNSUPPORTED) if (test.test(masked)) return { problem: reason };
  const { RE2JS: Engine, RE2JSException } = re2();
  let compiled: RE2JS;
  try {
    // Compiled alone first, so that text such as `a)|(b` cannot escape the anchoring group below.
    Engine.compile(source);
    compiled = Engine.compile(`^(?:${source})`);
  } catch (error) {
    if (error instanceof RE2JSException) return { problem: `it does not compile (${error.message.replace(/^error parsing regexp: /, '')})` };
    throw error;
  }
  const size = compiled.programSize();
  if (size > MAX_REGEX_PROGRAM) return { problem: `the compiled pattern is too large (program size ${size}, limit ${MAX_REGEX_PROGRAM}); reduce the repetition counts` };
  return { regex: { source, test: (subject) => compiled.test(subject) } };
}
