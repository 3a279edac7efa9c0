import { ClassRegistry, decode, decodeOps, encode, encodeOps } from '../codec.js';
import type { StoredOp } from '../store.js';

/**
 * How ops, signals, outbox payloads and snapshots travel as text: the codec every store shares
 * (tagged JSON for Map, Set, Date, BigInt … and the classes registered with the store).
 */
export class Values {
  readonly #classes: ClassRegistry;

  constructor(classes: readonly (abstract new (...args: never[]) => unknown)[] = []) {
    this.#classes = new ClassRegistry(classes);
  }

  encode(value: unknown): string {
    return encode(value, this.#classes);
  }

  decode(text: string): unknown {
    return decode(text, this.#classes);
  }

  encodeOps(ops: readonly StoredOp[]): string {
    return encodeOps(ops, this.#classes);
  }

  decodeOps(text: string): StoredOp[] {
    return decodeOps(text, this.#classes);
  }
}
