import type { AuditLevel } from './recipe-types.js';

const LEVEL_NAMES: Readonly<Record<string, AuditLevel>> = {
  s: 'S',
  stop: 'S',
  a: 'A',
  abort: 'A',
  b: 'B',
  block: 'B',
  c: 'C',
  count: 'C',
};

export const LEVEL_SEVERITY: Readonly<Record<AuditLevel, number>> = { S: 3, A: 2, B: 1, C: 0 };

/** Parses `S|A|B|C` or `Stop|Abort|Block|Count` (any case); undefined for anything else. */
export function parseAuditLevel(text: unknown): AuditLevel | undefined {
  if (typeof text !== 'string') return undefined;
  return Object.hasOwn(LEVEL_NAMES, text.toLowerCase()) ? LEVEL_NAMES[text.toLowerCase()] : undefined;
}

export function describeLevelChoices(): string {
  return 'S, A, B or C (or Stop, Abort, Block, Count)';
}
