import { TheusError } from '../errors.js';
import type { TheusErrorOptions } from '../errors.js';

export interface CapacityInfo {
  /** Bytes the refused allocation asked for. */
  requestedBytes: number;
  /** Bytes already held by live allocations. */
  usedBytes: number;
  /** The allocator's limit (or, for a failed OS allocation, `usedBytes + requestedBytes`). */
  capacityBytes: number;
}

/** A heavy allocation that would exceed the allocator's capacity, or that the runtime itself refused. */
export class CapacityExceededError extends TheusError {
  readonly requestedBytes: number;
  readonly usedBytes: number;
  readonly capacityBytes: number;

  constructor(message: string, info: CapacityInfo, options: TheusErrorOptions = {}) {
    super('CAPACITY_EXCEEDED', message, options);
    this.requestedBytes = info.requestedBytes;
    this.usedBytes = info.usedBytes;
    this.capacityBytes = info.capacityBytes;
  }
}
