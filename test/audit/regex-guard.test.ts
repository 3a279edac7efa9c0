import { describe, expect, it } from 'vitest';
import { unsafeRegexReason } from '../../src/audit/regex-guard.js';

describe('unsafeRegexReason', () => {
  it.each(['^User.*', '^[a-z]+$', '^\\d{3}-\\d{4}$', '(ab)+', '(a|b)*c', '^(?:foo|bar)?baz', '[(+)]+', '\\(a+\\)+', '(a{3})+', '(a?)+'])('accepts %s', (source) => {
    expect(unsafeRegexReason(source)).toBeUndefined();
  });

  it.each(['(a+)+', '(a*)*', '^(\\w+\\s?)*$', '(x{1,9}){2,}', '((a+))+', '(?:[a-z]+,?)+$', '(a|b+)*'])('refuses nested repetition %s', (source) => {
    expect(unsafeRegexReason(source)).toMatch(/nested repetition/);
  });

  it('refuses over-long patterns', () => {
    expect(unsafeRegexReason('a'.repeat(257))).toMatch(/limit is 256/);
  });
});
