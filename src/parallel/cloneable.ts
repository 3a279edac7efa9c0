import { types } from 'node:util';

export interface UncloneableValue {
  /** Where the value sits, e.g. `payload.options.onDone` or `payload.items[3]`. */
  path: string;
  /** What it is, in words: `a function`, `a symbol`, `a Proxy`… */
  what: string;
}

interface Step {
  value: object;
  parent: Step | undefined;
  segment: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function segmentFor(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function pathOf(step: Step | undefined, last: string): string {
  const segments = [last];
  for (let s = step; s !== undefined; s = s.parent) segments.push(s.segment);
  return segments.reverse().join('');
}

/** Objects the structured-clone algorithm refuses although they are not functions or symbols. */
function describeRefusedObject(value: object): string | undefined {
  if (types.isProxy(value)) return 'a Proxy (pass plain data, e.g. a snapshot or toJSON() of it)';
  if (types.isPromise(value)) return 'a Promise (await it before dispatching)';
  if (types.isWeakMap(value)) return 'a WeakMap';
  if (types.isWeakSet(value)) return 'a WeakSet';
  if (value instanceof WeakRef) return 'a WeakRef';
  if (value instanceof FinalizationRegistry) return 'a FinalizationRegistry';
  if (types.isGeneratorObject(value)) return 'a generator';
  return undefined;
}

/** Values the clone copies as raw bytes or by a fixed recipe (errors: name, message, stack), so there is nothing inside to check. */
function isOpaqueLeaf(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    types.isAnyArrayBuffer(value) ||
    types.isDate(value) ||
    types.isRegExp(value) ||
    types.isNativeError(value) ||
    types.isBoxedPrimitive(value)
  );
}

/**
 * Finds the first value inside `root` that `postMessage` would refuse to clone, and reports its
 * path, so the caller gets `INVALID_ARGUMENT at payload.cb` instead of an anonymous
 * `DataCloneError` (or worse, a worker crash). Walks iteratively (no stack overflow on deep data)
 * and tolerates cycles, which structured clone supports. Paths are only built on failure.
 */
export function findUncloneable(root: unknown, rootName: string): UncloneableValue | undefined {
  const primitive = describePrimitive(root);
  if (primitive !== undefined) return { path: rootName, what: primitive };
  if (typeof root !== 'object' || root === null) return undefined;

  const seen = new Set<object>();
  const stack: Step[] = [{ value: root, parent: undefined, segment: rootName }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    const value = step.value;
    if (seen.has(value)) continue;
    seen.add(value);
    const refused = describeRefusedObject(value);
    if (refused !== undefined) return { path: pathOf(step.parent, step.segment), what: refused };
    if (isOpaqueLeaf(value)) continue;

    const visit = (child: unknown, segment: string): UncloneableValue | undefined => {
      const bad = describePrimitive(child);
      if (bad !== undefined) return { path: pathOf(step, segment), what: bad };
      if (typeof child === 'object' && child !== null && !seen.has(child)) stack.push({ value: child, parent: step, segment });
      return undefined;
    };

    let found: UncloneableValue | undefined;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && found === undefined; i++) found = visit(value[i], `[${i}]`);
    } else if (types.isMap(value)) {
      let i = 0;
      for (const [k, v] of value as Map<unknown, unknown>) {
        found = visit(k, `<map key ${i}>`) ?? visit(v, `<map value ${i}>`);
        if (found !== undefined) break;
        i++;
      }
    } else if (types.isSet(value)) {
      let i = 0;
      for (const v of value as Set<unknown>) {
        found = visit(v, `<set entry ${i}>`);
        if (found !== undefined) break;
        i++;
      }
    } else {
      // Structured clone copies own enumerable string-keyed properties only; symbol keys are dropped, not refused.
      for (const key of Object.keys(value)) {
        found = visit((value as Record<string, unknown>)[key], segmentFor(key));
        if (found !== undefined) break;
      }
    }
    if (found !== undefined) return found;
  }
  return undefined;
}

function describePrimitive(value: unknown): string | undefined {
  if (typeof value === 'function') return 'a function (send data, and import code inside the worker module)';
  if (typeof value === 'symbol') return 'a symbol';
  return undefined;
}
