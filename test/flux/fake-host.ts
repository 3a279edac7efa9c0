import { TheusError } from '../../src/errors.js';
import type { ConditionRoots, FluxHost, SignalMessage, TransitionEntry } from '../../src/flux/host.js';

/** What a fake process receives: a private draft of the state and a way to emit signals on commit. */
export interface FakeContext {
  domain: any;
  global: any;
  emit(topic: string, payload: unknown): void;
}

export type FakeProcess = (ctx: FakeContext, args: any, signal: AbortSignal | undefined) => unknown;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function matches(pattern: string, topic: string): boolean {
  if (pattern === '*' || pattern === topic) return true;
  if (!pattern.includes('*')) return false;
  const parts = pattern.split('*');
  let at = 0;
  for (const [i, part] of parts.entries()) {
    const found = i === 0 ? (topic.startsWith(part) ? 0 : -1) : topic.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return parts.at(-1) === '' || topic.endsWith(parts.at(-1) as string);
}

/**
 * An in-memory engine stand-in: processes run asynchronously on a structured-clone draft, commit by
 * replacing a frozen state and bumping the version, latch the signals they emitted until the next
 * commit, and publish them after the commit through a tiny pub/sub.
 */
export class FakeHost implements FluxHost {
  domain: any;
  global: any;
  meta: any = {};
  latch: Record<string, unknown> = {};
  private currentVersion = 0;
  private readonly processes = new Map<string, FakeProcess>();
  private readonly listeners = new Set<{ pattern: string; listener: (message: SignalMessage) => void }>();
  readonly calls: { name: string; args: unknown }[] = [];
  readonly transitions: TransitionEntry[] = [];
  beginSteps = 0;

  constructor(initial: { domain?: unknown; global?: unknown } = {}) {
    this.domain = deepFreeze(structuredClone(initial.domain ?? {}));
    this.global = deepFreeze(structuredClone(initial.global ?? {}));
  }

  register(name: string, fn: FakeProcess): this {
    this.processes.set(name, fn);
    return this;
  }

  hasProcess(name: string): boolean {
    return this.processes.has(name);
  }

  async execute(name: string, args: unknown, options: { signal?: AbortSignal }): Promise<unknown> {
    await Promise.resolve();
    const fn = this.processes.get(name);
    if (fn === undefined) throw new TheusError('UNKNOWN_PROCESS', `no process ${name}`);
    this.calls.push({ name, args });
    const draft = structuredClone({ domain: this.domain, global: this.global });
    const emitted: Record<string, unknown> = {};
    const result = await fn({ domain: draft.domain, global: draft.global, emit: (topic, payload) => void (emitted[topic] = payload) }, args, options.signal);
    this.domain = deepFreeze(draft.domain);
    this.global = deepFreeze(draft.global);
    this.currentVersion++;
    this.latch = deepFreeze(emitted);
    for (const [topic, payload] of Object.entries(emitted)) this.publish(topic, payload);
    return result;
  }

  conditionScope(): ConditionRoots {
    return { domain: this.domain, global: this.global, signal: this.latch, cmd: this.latch, meta: this.meta };
  }

  version(): number {
    return this.currentVersion;
  }

  beginStep(): void {
    this.beginSteps++;
  }

  recordTransition(entry: TransitionEntry): void {
    this.transitions.push(entry);
  }

  subscribe(pattern: string, listener: (message: SignalMessage) => void): () => void {
    const entry = { pattern, listener };
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** Publishes outside any process, like `engine.signals.publish`. */
  publish(topic: string, payload: unknown = true): void {
    for (const { pattern, listener } of [...this.listeners]) if (matches(pattern, topic)) listener({ topic, payload, version: this.currentVersion });
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  names(): string[] {
    return this.calls.map((c) => c.name);
  }
}

/** A host with the given processes registered as no-ops; chain `.register` for real ones. */
export function hostWith(names: string[], initial: { domain?: unknown; global?: unknown } = {}): FakeHost {
  const host = new FakeHost(initial);
  for (const name of names) host.register(name, () => undefined);
  return host;
}
