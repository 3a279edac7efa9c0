/**
 * Version → ring sequence of its commit. Versions of one engine are dense, so an array with an
 * offset does it; old entries are dropped in batches (a Map emptied from its front leaves
 * tombstones that every later iteration walks over).
 */
export class VersionIndex {
  #offset = 0;
  #seqs: number[] = [];

  set(version: number, seq: number): void {
    if (this.#seqs.length === 0) this.#offset = version;
    const i = version - this.#offset;
    if (i < 0) return; // older than what is kept: nothing to find it by anyway
    while (this.#seqs.length < i) this.#seqs.push(-1);
    this.#seqs[i] = seq;
  }

  get(version: number): number | undefined {
    const s = this.#seqs[version - this.#offset];
    return s === undefined || s < 0 ? undefined : s;
  }

  get size(): number {
    return this.#seqs.length;
  }

  /** Forgets versions whose commit left the ring (sequence below `firstSeq`), once they are many. */
  prune(firstSeq: number, keep: number): void {
    if (this.#seqs.length <= keep * 2) return;
    let drop = 0;
    while (drop < this.#seqs.length && this.#seqs[drop]! < firstSeq) drop++;
    if (drop === 0) return;
    this.#seqs.splice(0, drop);
    this.#offset += drop;
  }

  *versions(): Generator<number> {
    for (let i = 0; i < this.#seqs.length; i++) if (this.#seqs[i]! >= 0) yield this.#offset + i;
  }
}
