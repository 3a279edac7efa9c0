/** What kind of outside-world contact a call makes; each kind maps to a rule per semantic. */
export type IoCategory = 'console' | 'file' | 'subprocess' | 'network' | 'timer' | 'module-load' | 'nondeterminism';

const MODULE_CATEGORIES = new Map<string, IoCategory>([
  ['fs', 'file'],
  ['fs/promises', 'file'],
  ['child_process', 'subprocess'],
  ['worker_threads', 'subprocess'],
  ['cluster', 'subprocess'],
  ['net', 'network'],
  ['http', 'network'],
  ['https', 'network'],
  ['http2', 'network'],
  ['dgram', 'network'],
  ['tls', 'network'],
  ['dns', 'network'],
  ['dns/promises', 'network'],
  ['undici', 'network'],
  ['axios', 'network'],
  ['node-fetch', 'network'],
  ['got', 'network'],
  ['ws', 'network'],
  ['timers', 'timer'],
  ['timers/promises', 'timer'],
]);

/** `node:fs/promises` and `fs/promises` name the same module. */
export function normalizeModule(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
}

export function moduleCategory(specifier: string): IoCategory | undefined {
  return MODULE_CATEGORIES.get(normalizeModule(specifier));
}

export function isCryptoModule(specifier: string): boolean {
  return normalizeModule(specifier) === 'crypto';
}

/** Globals that reach the outside world when merely used. */
export const GLOBAL_IO: ReadonlyMap<string, IoCategory> = new Map<string, IoCategory>([
  ['fetch', 'network'],
  ['XMLHttpRequest', 'network'],
  ['WebSocket', 'network'],
  ['EventSource', 'network'],
  ['setTimeout', 'timer'],
  ['setInterval', 'timer'],
  ['setImmediate', 'timer'],
]);

export const TIMER_FUNCTIONS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']);

/** crypto members whose results differ on every call (hashing is deterministic and stays allowed). */
export const RANDOM_CRYPTO_MEMBERS = new Set(['randomUUID', 'getRandomValues', 'randomBytes', 'randomInt', 'randomFill', 'randomFillSync', 'webcrypto']);

/** `Global.member` reads that depend on time, randomness or the environment. */
export const NONDETERMINISTIC_MEMBERS: ReadonlyMap<string, ReadonlySet<string>> = new Map<string, ReadonlySet<string>>([
  ['Date', new Set(['now'])],
  ['Math', new Set(['random'])],
  ['performance', new Set(['now', 'timeOrigin'])],
  ['process', new Set(['hrtime', 'env', 'uptime', 'cpuUsage', 'memoryUsage'])],
  ['crypto', RANDOM_CRYPTO_MEMBERS],
]);

/** Words in a `sideEffects` entry that declare each category (`'fs'`, `'http: payment gateway'`, `'console'`). */
const DECLARING_WORDS = new Map<IoCategory, ReadonlySet<string>>([
  ['console', new Set(['console', 'log', 'logs', 'logging', 'stdout', 'stderr'])],
  ['file', new Set(['fs', 'file', 'files', 'filesystem', 'disk', 'storage'])],
  ['subprocess', new Set(['child_process', 'subprocess', 'spawn', 'exec', 'shell', 'worker', 'workers'])],
  ['network', new Set(['net', 'network', 'http', 'https', 'fetch', 'socket', 'websocket', 'api', 'dns', 'email', 'smtp'])],
]);

/**
 * Whether `sideEffects` declares the category. `undefined` means the list is not a literal the linter can read,
 * which is given the benefit of the doubt.
 */
export function declaresSideEffect(sideEffects: readonly string[] | undefined, category: IoCategory): boolean {
  if (sideEffects === undefined) return true;
  const words = DECLARING_WORDS.get(category);
  if (words === undefined) return false;
  return sideEffects.some((entry) => entry.toLowerCase().split(/[^a-z0-9_]+/).some((word) => words.has(word)));
}
