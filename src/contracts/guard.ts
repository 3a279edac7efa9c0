import { AsyncLocalStorage } from 'node:async_hooks';
import { PermissionDeniedError } from '../errors.js';
import type { Access, PathSource, WriteOp } from '../core/access.js';
import { formatPath, type Segment } from '../core/path.js';
import { anyCovers, anyLeadsTo } from './pattern.js';
import type { Contract } from './types.js';
import { ALL, APPEND, CEILING, DELETE, READ, UPDATE, Zone, ZONE_NAMES, describePolicy, zoneOfSegment } from './zones.js';
import { ZONE_RULES } from './grammar.js';


/** Who is writing: the process itself, the process under `ctx.asAdmin`, or the engine (output mapping). */
export type GuardMode = 'process' | 'admin' | 'system';

/**
 * The admin block being run, by async context: code inside `ctx.asAdmin(fn)` (and what it awaits
 * or schedules) is elevated; the process's own code around it never is, even while `fn` is pending.
 */
const adminScope = new AsyncLocalStorage<Guard>();

/** Per-attempt guard state shared by every Access of one transaction. */
export class Guard {
  #system = false;
  /** Admin blocks started and not yet settled: while 0, no async-context lookup is made. */
  #adminBlocks = 0;
  /** Paths written inside admin blocks (the commit's op check lifts zone ceilings there too). */
  readonly adminWrites: Segment[][] = [];

  constructor(
    readonly contract: Contract,
    /** strictGuards: contract paths are enforced. Zones are enforced either way. */
    readonly strict: boolean,
    /** Capability ceilings of namespace roots (their policy). */
    readonly rootCeilings: ReadonlyMap<string, number> = new Map(),
  ) {}

  get mode(): GuardMode {
    if (this.#system) return 'system';
    if (this.#adminBlocks > 0 && adminScope.getStore() === this) return 'admin';
    return 'process';
  }

  /** The engine writes past the process's guard while it maps a returned value ('system'), then gives it back. */
  set mode(mode: GuardMode) {
    this.#system = mode === 'system';
  }

  /** Runs `fn` elevated (zone ceilings lifted except const_); sync or async. */
  runAdmin<T>(fn: () => T): T {
    this.#adminBlocks++;
    let settledSync = true;
    try {
      const out = adminScope.run(this, fn);
      if (out !== null && typeof out === 'object' && typeof (out as { then?: unknown }).then === 'function') {
        settledSync = false;
        const done = () => void this.#adminBlocks--;
        (out as unknown as PromiseLike<unknown>).then(done, done);
      }
      return out;
    } finally {
      if (settledSync) this.#adminBlocks--;
    }
  }

  /** Access for the state root of a transaction. */
  root(): Access {
    return new ContractAccess(this, Zone.Data, 'partial', ALL, true);
  }
}

/**
 * - `write`: covered by an output (and so readable);
 * - `read`: covered by an input only;
 * - `partial`: an ancestor of declared paths: readable for traversal, each child decided by path.
 */
type Status = 'write' | 'read' | 'partial';

const OP_CAP: Record<WriteOp, number> = { update: UPDATE, add: APPEND | UPDATE, append: APPEND, delete: DELETE };
const OP_VERB: Record<WriteOp, string> = { update: 'update', add: 'add a key to', append: 'append to', delete: 'delete from' };

const NO_KEY: unique symbol = Symbol('no key');

class ContractAccess implements Access {
  readonly readAll = false;
  readonly writeAll = false;

  constructor(
    private readonly guard: Guard,
    private readonly zone: Zone,
    private readonly status: Status,
    /** Extra ceiling inherited from a namespace policy. */
    private readonly ceiling: number,
    private readonly isRoot = false,
  ) {}

  private ceilingOf(key: Segment | undefined): number {
    if (this.isRoot && typeof key === 'string') return this.guard.rootCeilings.get(key) ?? ALL;
    return this.ceiling;
  }

  private zoneOf(key: Segment | undefined): Zone {
    if (key === undefined || this.zone !== Zone.Data) return this.zone;
    return zoneOfSegment(key, this.isRoot) ?? Zone.Data;
  }

  // The last key judged below this node and its status: a key is usually read, then entered or
  // written, and each asks. One access belongs to one draft node, so the key alone identifies it.
  #lastKey: Segment | typeof NO_KEY = NO_KEY;
  #lastStatus: Status | undefined;

  private statusOf(key: Segment, at: PathSource): Status | undefined {
    if (this.status !== 'partial') return this.status;
    const g = this.guard;
    if (!g.strict) return g.contract.semantic === 'pure' ? 'read' : 'write';
    if (key === this.#lastKey) return this.#lastStatus;
    const status = this.#judge(key, at);
    this.#lastKey = key;
    this.#lastStatus = status;
    return status;
  }

  #judge(key: Segment, at: PathSource): Status | undefined {
    const g = this.guard;
    const path = at.childPath(key);
    const { inputs, outputs } = g.contract;
    if (anyCovers(outputs, path)) return 'write';
    // An input covering a node whose descendants are outputs: everything below is readable, and
    // writes are decided per key (an input must not hide the outputs declared inside it).
    if (anyCovers(inputs, path)) return anyLeadsTo(outputs, path) ? 'partial' : 'read';
    if (anyLeadsTo(outputs, path) || anyLeadsTo(inputs, path)) return 'partial';
    return undefined;
  }

  child(key: Segment, at: PathSource): Access {
    return new ContractAccess(this.guard, this.zoneOf(key), this.statusOf(key, at) ?? 'read', this.ceilingOf(key));
  }

  readKey(key: Segment, at: PathSource): boolean {
    const mode = this.guard.mode;
    if (this.zoneOf(key) === Zone.Private && mode === 'process') return false;
    if ((this.ceilingOf(key) & READ) === 0 && mode !== 'system') {
      const path = at.childPath(key);
      throw new PermissionDeniedError('read', `Cannot read '${formatPath(path)}': namespace '${String(path[0])}' has the policy ${describePolicy(this.ceilingOf(key))}, which forbids reading.`, { path: formatPath(path) });
    }
    if (this.status !== 'partial' || mode === 'system') return true;
    if (this.statusOf(key, at) !== undefined) return true;
    const path = at.childPath(key);
    throw new PermissionDeniedError(
      'read',
      `Process '${this.guard.contract.name}' read '${formatPath(path)}', which is not in its contract. Declare it in inputs (or outputs) to read it.`,
      { path: formatPath(path) },
    );
  }

  writeKey(key: Segment | undefined, op: WriteOp, at: PathSource): void {
    const g = this.guard;
    if (g.mode === 'system') return;
    const path = (): Segment[] => (key === undefined ? at.path() : at.childPath(key));
    if (g.contract.semantic === 'pure') {
      throw new PermissionDeniedError('write', `Pure process '${g.contract.name}' cannot write '${formatPath(path())}': pure processes get read-only views. Return the value and declare it as an output instead.`, {
        path: formatPath(path()),
      });
    }
    // Admin lifts zone ceilings, never the contract: an admin block still writes only outputs.
    if (g.strict) {
      const status = key === undefined ? this.status : this.statusOf(key, at);
      if (status !== 'write') {
        throw new PermissionDeniedError(
          'write',
          `Process '${g.contract.name}' wrote '${formatPath(path())}', which is not among its outputs${status === 'read' ? ' (it is an input: inputs are read-only)' : ''}. Declare it in outputs to write it.`,
          { path: formatPath(path()) },
        );
      }
    }
    const zone = this.zoneOf(key);
    const admin = g.mode === 'admin';
    // const_ is set once, when its key is created; never changed or deleted after, not even by admin.
    if (zone === Zone.Constant) {
      if (op === 'add') return;
      throw new PermissionDeniedError('write', `Cannot ${OP_VERB[op]} '${formatPath(path())}' (constant zone): ${ZONE_RULES.constant}.`, { path: formatPath(path()) });
    }
    if (admin) {
      g.adminWrites.push(path());
      return;
    }
    if ((CEILING[zone]! & OP_CAP[op]) === 0) {
      const name = ZONE_NAMES[zone];
      throw new PermissionDeniedError('write', `Cannot ${OP_VERB[op]} '${formatPath(path())}' (${name} zone): ${ZONE_RULES[name]}. ctx.asAdmin(fn) lifts this ceiling.`, {
        path: formatPath(path()),
      });
    }
    const ceiling = this.ceilingOf(key);
    if ((ceiling & OP_CAP[op]) === 0) {
      const p = path();
      throw new PermissionDeniedError('write', `Cannot ${OP_VERB[op]} '${formatPath(p)}': namespace '${String(p[0])}' has the policy ${describePolicy(ceiling)}, which does not allow it.`, {
        path: formatPath(p),
      });
    }
  }
}
