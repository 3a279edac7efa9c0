/**
 * Recipe regexes are user text compiled once at load time. JavaScript has no match timeout, so we refuse the shapes
 * that make backtracking explode: a quantified group that itself contains a quantifier (`(a+)+`, `(\w*)*`,
 * `(x{1,9}){2,}`) — "star height" above one. Overlapping alternations such as `(a|a)*` are not detected; the subject
 * length cap below keeps their worst case bounded.
 */
export const MAX_REGEX_LENGTH = 256;
/** Strings longer than this are not matched: the rule reports them as a violation instead of risking a long scan. */
export const MAX_REGEX_SUBJECT = 10_000;

/** Returns a reason the pattern is unsafe, or undefined when it is acceptable. */
export function unsafeRegexReason(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH) return `the pattern is ${source.length} characters long; the limit is ${MAX_REGEX_LENGTH}`;
  const groupHasQuantifier: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
    } else if (ch === '(') {
      groupHasQuantifier.push(false);
    } else if (ch === ')') {
      const inner = groupHasQuantifier.pop() ?? false;
      const quantified = isQuantifierAt(source, i + 1);
      if (inner && quantified) return 'a quantified group contains another quantifier (nested repetition can backtrack catastrophically)';
      if ((inner || quantified) && groupHasQuantifier.length > 0) groupHasQuantifier[groupHasQuantifier.length - 1] = true;
    } else if (isQuantifierAt(source, i) && groupHasQuantifier.length > 0) {
      groupHasQuantifier[groupHasQuantifier.length - 1] = true;
    }
  }
  return undefined;
}

/** `*`, `+` and `{n,}` / `{n,m}` repeat; `?` and `{n}` do not multiply the paths enough to matter. */
function isQuantifierAt(source: string, i: number): boolean {
  const ch = source[i];
  if (ch === '*' || ch === '+') return true;
  if (ch !== '{') return false;
  const close = source.indexOf('}', i);
  if (close < 0) return false;
  return /^\d*,\d*$/.test(source.slice(i + 1, close));
}
