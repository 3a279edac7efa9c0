import { readFileSync } from 'node:fs';

/**
 * @typedef {{ title: string, minutes: number }} TaskInput
 * @typedef {{ id: number, title: string, minutes: number }} Task
 * @typedef {{ id: number, title: string, minutes: number, cost: number }} DoneTask
 * @typedef {{ count: number, minutes: number, cost: number, longest: string | null }} Report
 * @typedef {{
 *   domain: { inbox: TaskInput[], queue: Task[], done: DoneTask[], report: Report | null },
 *   global: { hourlyRate: number },
 * }} AppContext
 */

const CONTEXT_FILE = new URL('../specs/context.json', import.meta.url);

/**
 * A fresh copy of the initial state in specs/context.json, optionally with another inbox.
 * @param {{ inbox?: TaskInput[] }} [overrides]
 * @returns {AppContext}
 */
export function initialContext(overrides = {}) {
  const context = JSON.parse(readFileSync(CONTEXT_FILE, 'utf8'));
  if (overrides.inbox !== undefined) context.domain.inbox = overrides.inbox;
  return context;
}
