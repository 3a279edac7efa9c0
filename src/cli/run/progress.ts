import type { StepReport } from '../../flux/index.js';
import type { Step } from '../../flux/index.js';

/**
 * The process names a workflow runs, in order, when it has no `if`/`while` (every run takes the same path); undefined
 * otherwise, since the number of steps is then only known at the end.
 */
export function linearPlan(steps: readonly Step[]): string[] | undefined {
  const plan: string[] = [];
  for (const step of steps) {
    if (step.kind === 'process') plan.push(step.name);
    else if (step.kind === 'run') {
      const inner = linearPlan(step.steps);
      if (inner === undefined) return undefined;
      plan.push(...inner);
    } else return undefined;
  }
  return plan;
}

export interface ProgressSink {
  write(text: string): unknown;
  /** Redraw one status line in place (a terminal) instead of printing a line per step. */
  tty: boolean;
  columns: number;
}

const BAR_WIDTH = 24;
const TICK_MS = 100;
const SPINNER = ['|', '/', '-', '\\'];

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Live progress of one workflow run. On a terminal: one line redrawn every tick (bar for linear workflows, spinner
 * otherwise) with steps done, the step running (linear workflows) or the last one done, and the elapsed time. Elsewhere
 * (a pipe, a CI log): one plain line per committed step.
 */
export class RunProgress {
  readonly #sink: ProgressSink;
  readonly #plan: string[] | undefined;
  readonly #nameWidth: number;
  readonly #started = performance.now();
  #done = 0;
  #last: string | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;

  /** `names`: every process name the workflow can run, to align the plain lines. */
  constructor(sink: ProgressSink, plan: string[] | undefined, names: readonly string[]) {
    this.#sink = sink;
    this.#plan = plan;
    this.#nameWidth = Math.min(40, Math.max(0, ...names.map((n) => n.length)));
    if (sink.tty) {
      this.#timer = setInterval(() => this.#draw(), TICK_MS);
      // The ticker must never keep a finished CLI alive.
      this.#timer.unref();
      this.#draw();
    }
  }

  step(report: StepReport): void {
    this.#done++;
    this.#last = report.name;
    if (this.#sink.tty) this.#draw();
    else {
      const position = this.#plan === undefined ? `#${this.#done}` : `${this.#done}/${this.#plan.length}`;
      const width = this.#plan === undefined ? 4 : String(this.#plan.length).length * 2 + 1;
      this.#sink.write(`  ${position.padStart(width)}  ${report.name.padEnd(this.#nameWidth)}  -> v${report.version}  (${report.durationMs.toFixed(1)} ms)\n`);
    }
  }

  /** Stops the ticker and clears the status line. */
  finish(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#sink.tty) this.#sink.write('\r\x1b[2K');
  }

  #draw(): void {
    const elapsed = seconds(performance.now() - this.#started);
    let line: string;
    if (this.#plan !== undefined) {
      const total = this.#plan.length;
      const filled = total === 0 ? BAR_WIDTH : Math.round((this.#done / total) * BAR_WIDTH);
      const current = this.#plan[this.#done];
      line = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${this.#done}/${total}  ${current === undefined ? 'finishing' : `running ${current}`}  ${elapsed}`;
    } else {
      const spinner = SPINNER[this.#frame++ % SPINNER.length] as string;
      line = `${spinner} ${this.#done} step${this.#done === 1 ? '' : 's'} done${this.#last === undefined ? '' : `, last ${this.#last}`}  ${elapsed}`;
    }
    this.#sink.write(`\r\x1b[2K${line.slice(0, Math.max(20, this.#sink.columns - 1))}`);
  }
}
