import { defineProcess } from 'theus';

/** Copies the inbox into the work queue, numbering the tasks. */
export const loadTasks = defineProcess(
  { inputs: ['domain.inbox'], outputs: ['domain.queue'], errors: ['TypeError'] },
  (ctx) => {
    return ctx.domain.inbox.map((task, i) => {
      if (typeof task.title !== 'string' || !(task.minutes > 0)) {
        throw new TypeError(`inbox[${i}] must be { title: string, minutes: number > 0 }`);
      }
      return { id: i + 1, title: task.title, minutes: task.minutes };
    });
  },
);

/** Takes the first task off the queue and records it as done, with its cost. */
export const processNext = defineProcess(
  { inputs: ['global.hourlyRate'], outputs: ['domain.queue', 'domain.done'] },
  (ctx) => {
    const task = ctx.domain.queue.shift();
    const cost = Math.round((task.minutes / 60) * ctx.global.hourlyRate * 100) / 100;
    ctx.domain.done.push({ id: task.id, title: task.title, minutes: task.minutes, cost });
  },
);

/** Summarises the finished work. Pure: it only reads, and its return value is written to its output. */
export const report = defineProcess(
  { inputs: ['domain.done'], outputs: ['domain.report'], semantic: 'pure' },
  (ctx) => {
    let minutes = 0;
    let cost = 0;
    let longest = null;
    for (const task of ctx.domain.done) {
      minutes += task.minutes;
      cost += task.cost;
      if (longest === null || task.minutes > longest.minutes) longest = task;
    }
    return { count: ctx.domain.done.length, minutes, cost: Math.round(cost * 100) / 100, longest: longest?.title ?? null };
  },
);
