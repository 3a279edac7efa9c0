import { defineProcess } from 'theus';
import { fetchPage } from '../site.mjs';

/** Accepts a goal: resets the search and emits the `goal` signal, which starts the state machine. */
export const receiveGoal = defineProcess(
  {
    inputs: ['global.startPage'],
    outputs: ['domain.goal', 'domain.frontier', 'domain.visited', 'domain.found', 'domain.report', 'signal.goal'],
    errors: ['TypeError'],
  },
  (ctx, { goal }) => {
    if (typeof goal !== 'string' || goal.trim() === '') throw new TypeError('the goal must be a non-empty string');
    ctx.domain.goal = goal.trim().toLowerCase();
    ctx.domain.frontier = [ctx.global.startPage];
    ctx.domain.visited = [];
    ctx.domain.found = null;
    ctx.domain.report = null;
    ctx.signal.goal = { goal: ctx.domain.goal };
  },
);

/**
 * One step of the agent: fetch the next page of the frontier, remember it, queue its unseen links, and stop the
 * search (domain.found) when the page mentions the goal. Breadth first, so the nearest match wins.
 */
export const visitNext = defineProcess(
  {
    inputs: ['domain.goal'],
    outputs: ['domain.frontier', 'domain.visited', 'domain.found', 'signal.visited', 'signal.found'],
    sideEffects: ['http'],
  },
  async (ctx) => {
    const path = ctx.domain.frontier.shift();
    const page = await fetchPage(path);
    ctx.domain.visited.push(path);
    ctx.signal.visited = { path, ok: page !== undefined };
    if (page === undefined) return;
    if (page.text.toLowerCase().includes(ctx.domain.goal)) {
      ctx.domain.found = { path, text: page.text };
      ctx.signal.found = { path };
      return;
    }
    for (const link of page.links) {
      if (!ctx.domain.visited.includes(link) && !ctx.domain.frontier.includes(link)) ctx.domain.frontier.push(link);
    }
  },
);

/** Summarises the search. Pure: reads, returns; the engine writes the result to domain.report. */
export const writeReport = defineProcess(
  { inputs: ['domain.goal', 'domain.found', 'domain.visited'], outputs: ['domain.report'], semantic: 'pure' },
  (ctx) => ({
    goal: ctx.domain.goal,
    found: ctx.domain.found !== null,
    page: ctx.domain.found?.path ?? null,
    excerpt: ctx.domain.found?.text ?? null,
    pagesVisited: ctx.domain.visited.length,
    path: [...ctx.domain.visited],
  }),
);
