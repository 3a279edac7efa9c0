/**
 * The ids of the last few thousand commits, so a retried write is answered, not applied twice.
 *
 * Kept in a ring indexed by version: the usual commit carries its (new) version, and answering
 * "was this id stored at that version?" is one slot compare, with no hashing of a fresh string on
 * the hot path. Only an entry without a version needs the (rarer) scan.
 */
export class RecentIds {
  private readonly ids: (string | undefined)[];
  private head = -1;

  constructor(private readonly capacity = 4096) {
    this.ids = new Array<string | undefined>(capacity);
  }

  /** The version `id` was stored at, if it is among the recent ones. */
  get(id: string, version: number | undefined, storeHead: number): number | undefined {
    if (version !== undefined) {
      if (version > storeHead || storeHead - version >= this.capacity) return undefined;
      return this.ids[version % this.capacity] === id ? version : undefined;
    }
    for (let v = this.head; v >= 0 && v > this.head - this.capacity; v--) if (this.ids[v % this.capacity] === id) return v;
    return undefined;
  }

  set(id: string, version: number): void {
    this.ids[version % this.capacity] = id;
    if (version > this.head) this.head = version;
  }
}
