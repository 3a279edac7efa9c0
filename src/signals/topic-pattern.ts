import { invalidArgument } from '../errors.js';

/** Long enough for any sensible dotted topic, short enough that a runaway string cannot become a map key. */
export const MAX_TOPIC_LENGTH = 256;

/**
 * A compiled subscription filter. Globs are matched by literal pieces (prefix, ordered middles, suffix) instead of a
 * RegExp, so user text is never interpreted as regular-expression syntax and matching cannot backtrack.
 */
export interface TopicMatcher {
  /** Set when the filter is a finite list of exact topics: the hub indexes those in its topic map. */
  readonly exactTopics: readonly string[] | undefined;
  /** Whether `topic` is selected by this filter. */
  matches(topic: string): boolean;
}

/** Throws `INVALID_ARGUMENT` unless `topic` can be published: a non-empty bounded string without `*`. */
export function assertPublishableTopic(topic: unknown): asserts topic is string {
  assertTopicText(topic, 'topic');
  if (topic.includes('*')) {
    throw invalidArgument(`Signal topic '${topic}' contains '*': '*' is reserved for subscription patterns. Publish a concrete topic such as 'order.created'.`);
  }
}

function assertTopicText(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') {
    throw invalidArgument(`Signal ${what} must be a string, got ${value === null ? 'null' : typeof value}.`);
  }
  if (value.length === 0) throw invalidArgument(`Signal ${what} must not be empty.`);
  if (value.length > MAX_TOPIC_LENGTH) {
    throw invalidArgument(`Signal ${what} is ${value.length} characters long; the limit is ${MAX_TOPIC_LENGTH}.`);
  }
}

type PieceTest = (topic: string) => boolean;

/** Compiles one glob where `*` matches any run of characters (possibly empty). */
function compileGlob(pattern: string): PieceTest {
  const pieces = pattern.split('*');
  const first = pieces[0] ?? '';
  const last = pieces[pieces.length - 1] ?? '';
  const middles = pieces.slice(1, -1).filter((p) => p.length > 0);
  const minLength = first.length + last.length + middles.reduce((n, p) => n + p.length, 0);
  if (middles.length === 0) {
    return (topic) => topic.length >= minLength && topic.startsWith(first) && topic.endsWith(last);
  }
  return (topic) => {
    if (topic.length < minLength || !topic.startsWith(first) || !topic.endsWith(last)) return false;
    // Leftmost placement of each middle piece is optimal for '*'-only globs: it leaves the most room for the rest.
    let at = first.length;
    const end = topic.length - last.length;
    for (const piece of middles) {
      const found = topic.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

const matchEverything: TopicMatcher = { exactTopics: undefined, matches: () => true };

/** Compiles one or several topics/patterns into a single matcher; throws `INVALID_ARGUMENT` on malformed input. */
export function compileTopicFilter(patterns: string | readonly string[]): TopicMatcher {
  const list: readonly unknown[] = typeof patterns === 'string' ? [patterns] : patterns;
  if (!Array.isArray(list)) throw invalidArgument('Signal topics must be a string or an array of strings.');
  if (list.length === 0) throw invalidArgument("Signal topics must not be an empty list; use '*' to receive every topic.");
  const exact = new Set<string>();
  const globs: PieceTest[] = [];
  for (const pattern of list) {
    assertTopicText(pattern, 'pattern');
    if (pattern === '*' || /^\*+$/.test(pattern)) return matchEverything;
    if (pattern.includes('*')) globs.push(compileGlob(pattern));
    else exact.add(pattern);
  }
  if (globs.length === 0) {
    const topics = [...exact];
    return { exactTopics: topics, matches: (topic) => exact.has(topic) };
  }
  if (exact.size === 0 && globs.length === 1) {
    const only = globs[0] as PieceTest;
    return { exactTopics: undefined, matches: only };
  }
  return { exactTopics: undefined, matches: (topic) => exact.has(topic) || globs.some((g) => g(topic)) };
}
