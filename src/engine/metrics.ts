export interface Counters {
  commits: number;
  rollbacks: number;
  conflicts: number;
  retries: number;
  vipGrants: number;
}

export interface EngineMetrics extends Counters {
  byProcess: Record<string, Counters>;
}

const zero = (): Counters => ({ commits: 0, rollbacks: 0, conflicts: 0, retries: 0, vipGrants: 0 });

/** Commit / rollback / conflict counters, in total and per process. */
export class Metrics {
  readonly #total = zero();
  readonly #byProcess = new Map<string, Counters>();

  bump(process: string | undefined, key: keyof Counters): void {
    this.#total[key]++;
    if (process === undefined) return;
    let c = this.#byProcess.get(process);
    if (!c) this.#byProcess.set(process, (c = zero()));
    c[key]++;
  }

  snapshot(): EngineMetrics {
    const byProcess: Record<string, Counters> = {};
    for (const [k, v] of this.#byProcess) byProcess[k] = { ...v };
    return { ...this.#total, byProcess };
  }
}
