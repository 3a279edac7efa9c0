import type { AccessPath } from './types.js';

/** What a local name stands for: the process's `ctx` itself, or a context path reached through it. */
/** `admin`: reached through the view `ctx.asAdmin((admin) => …)` passes, whose writes are elevated. */
export type CtxTarget = { kind: 'ctx'; admin?: true } | { kind: 'path'; path: AccessPath; admin?: true };

/**
 * Function-level scopes of names that alias `ctx` (`const { domain } = ctx`, `const acc = ctx.domain.accounts`).
 * A name rebound to anything else is recorded as `null` so it shadows an outer alias.
 */
export class AliasScope {
  private readonly names = new Map<string, CtxTarget | null>();

  constructor(private readonly parent?: AliasScope) {}

  lookup(name: string): CtxTarget | undefined {
    const entry = this.names.get(name);
    if (entry !== undefined) return entry ?? undefined;
    return this.parent?.lookup(name);
  }

  bind(name: string, target: CtxTarget | undefined): void {
    this.names.set(name, target ?? null);
  }

  /** A plain assignment (`alias = …`) changes the binding where it was declared, not a new local one. */
  rebind(name: string, target: CtxTarget | undefined): boolean {
    if (this.names.has(name)) {
      this.names.set(name, target ?? null);
      return true;
    }
    return this.parent?.rebind(name, target) ?? false;
  }
}

export function extendTarget(base: CtxTarget, segment: string | null, roots: ReadonlySet<string>): CtxTarget | undefined {
  const admin = base.admin === true ? ({ admin: true } as const) : {};
  if (base.kind === 'path') return { kind: 'path', path: [...base.path, segment], ...admin };
  // Below ctx only the context roots are paths; ctx.local, ctx.input, ctx.abortSignal, ctx.asAdmin… are not.
  return segment !== null && roots.has(segment) ? { kind: 'path', path: [segment], ...admin } : undefined;
}
