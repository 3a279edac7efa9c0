import type ts from 'typescript';
import type { IoCategory } from './io-catalog.js';
import type { AccessPath } from './types.js';
import type { Operation } from './zones.js';

/** A read or write of a context path by the process body. */
export interface CtxAccess {
  kind: 'read' | 'write';
  /** The capability the operation needs, for zone physics. */
  operation: Operation;
  /** How the body does it, for messages: `assignment`, `+=`, `delete`, `push()`, `Object.assign()`. */
  how: string;
  path: AccessPath;
  node: ts.Node;
  /** Through the admin view a `ctx.asAdmin((admin) => …)` callback receives. */
  admin: boolean;
}

/** `const h = ctx.domain.log_history`: a restricted field under a name that hides its prefix (E08). */
export interface RestrictedAlias {
  name: string;
  prefix: string;
  path: AccessPath;
  node: ts.Node;
}

/** An assignment or mutation of something declared outside the process (E04). */
export interface OuterWrite {
  name: string;
  how: string;
  node: ts.Node;
}

/** ctx captured by something that outlives the process (T05). */
export interface CtxEscape {
  how: string;
  node: ts.Node;
}

export interface IoUse {
  category: IoCategory;
  /** What was used, for messages: `fs`, `fetch`, `Date.now`, `require('http')`. */
  what: string;
  node: ts.Node;
}

export interface BodyFacts {
  accesses: CtxAccess[];
  restrictedAliases: RestrictedAlias[];
  outerWrites: OuterWrite[];
  escapes: CtxEscape[];
  io: IoUse[];
  /** The process function itself returns a value somewhere (or is an arrow with an expression body). */
  returnsValue: boolean;
}
