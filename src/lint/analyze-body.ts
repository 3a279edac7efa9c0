import ts from 'typescript';
import { AliasScope, extendTarget, type CtxTarget } from './alias-scope.js';
import { isAwaitedOrReturned } from './awaited.js';
import type { BodyFacts } from './body-facts.js';
import { GLOBAL_IO, moduleCategory, NONDETERMINISTIC_MEMBERS, RANDOM_CRYPTO_MEMBERS, TIMER_FUNCTIONS, type IoCategory } from './io-catalog.js';
import { collectLocalNames } from './local-names.js';
import type { ModuleBindings } from './module-bindings.js';
import { ELEMENT_CALLBACK_METHODS, LISTENER_METHODS, MUTATING_METHODS, STATIC_MUTATORS } from './mutators.js';
import {
  assignmentTargetIdentifiers,
  bindingIdentifiers,
  chainBase,
  chainStartsWithThis,
  isAssignment,
  isFunctionBoundary,
  isFunctionLiteral,
  isReferenceIdentifier,
  propertyNameText,
  staticText,
  unwrap,
  type FunctionNode,
} from './syntax.js';
import type { AccessPath } from './types.js';
import { restrictedPrefixOf, type Operation } from './zones.js';

/** A callback that runs after the process may have finished (timer, listener, un-awaited `.then`). */
interface Deferred {
  what: string;
  reported: boolean;
}

interface WalkState {
  scope: AliasScope;
  deferred: Deferred | undefined;
  /** 0 inside the process function itself, deeper inside nested functions. */
  depth: number;
  /** Inside the executor of a `new Promise` that the process awaits: timers there finish before it returns. */
  awaitedPromise: boolean;
}

interface FunctionRole {
  /**
   * The first parameter is the admin view `ctx.asAdmin((admin) => …)` passes: accesses through it are elevated;
   * accesses through the outer `ctx` inside the callback are not.
   */
  adminParam?: boolean;
  /** The first parameter is an element of this path (`ctx.domain.items.forEach((item) => …)`). */
  elementOf?: CtxTarget | undefined;
  deferred?: string;
  awaitedPromise?: boolean;
}

const CHAIN_METHODS = new Set(['then', 'catch', 'finally']);

/** Walks one process function and records what it does with `ctx` and with the outside world. */
export function analyzeBody(fn: FunctionNode, bindings: ModuleBindings, roots: ReadonlySet<string>): BodyFacts {
  return new BodyWalker(fn, bindings, roots).run();
}

class BodyWalker {
  private readonly facts: BodyFacts = { accesses: [], restrictedAliases: [], outerWrites: [], escapes: [], io: [], returnsValue: false };
  private readonly localNames: Set<string>;

  constructor(
    private readonly fn: FunctionNode,
    private readonly bindings: ModuleBindings,
    private readonly roots: ReadonlySet<string>,
  ) {
    this.localNames = collectLocalNames(fn);
  }

  run(): BodyFacts {
    const state: WalkState = { scope: new AliasScope(), deferred: undefined, depth: 0, awaitedPromise: false };
    const params = this.fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'));
    params.forEach((param, i) => {
      if (param.initializer !== undefined) this.visit(param.initializer, state);
      if (i === 0) this.bindPattern(param.name, { kind: 'ctx' }, state);
      else for (const id of bindingIdentifiers(param.name)) state.scope.bind(id.text, undefined);
    });
    const body = this.fn.body;
    if (body === undefined) return this.facts;
    if (!ts.isBlock(body)) {
      this.facts.returnsValue = true;
      this.checkReturned(body, state);
    }
    this.visit(body, state);
    return this.facts;
  }

  private visit(node: ts.Node, st: WalkState): void {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (isFunctionBoundary(node)) return this.visitFunction(node, st, {});
    if (ts.isVariableDeclaration(node)) return this.visitVariable(node, st);
    if (ts.isForOfStatement(node)) return this.visitForOf(node, st);
    if (isAssignment(node)) return this.visitAssignment(node, st);
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
      return this.visitIncrement(node, node.operator === ts.SyntaxKind.PlusPlusToken ? '++' : '--', st);
    }
    if (ts.isDeleteExpression(node)) return this.visitDelete(node, st);
    if (ts.isCallExpression(node)) return this.visitCall(node, st);
    if (ts.isNewExpression(node)) return this.visitNew(node, st);
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return this.visitMember(node, st);
    if (ts.isIdentifier(node)) return this.visitIdentifier(node, st);
    if (ts.isReturnStatement(node)) return this.visitReturn(node, st);
    ts.forEachChild(node, (child) => this.visit(child, st));
  }

  private visitChildren(node: ts.Node, st: WalkState): void {
    ts.forEachChild(node, (child) => this.visit(child, st));
  }

  // ── name resolution ───────────────────────────────────────────────────────────────────────────────────────────

  private resolve(expression: ts.Expression, st: WalkState): CtxTarget | undefined {
    const e = unwrap(expression);
    if (ts.isIdentifier(e)) return st.scope.lookup(e.text);
    if (ts.isPropertyAccessExpression(e)) {
      const base = this.resolve(e.expression, st);
      return base === undefined ? undefined : extendTarget(base, e.name.text, this.roots);
    }
    if (ts.isElementAccessExpression(e)) {
      const base = this.resolve(e.expression, st);
      return base === undefined ? undefined : extendTarget(base, staticText(e.argumentExpression) ?? null, this.roots);
    }
    if (ts.isCallExpression(e)) return this.resolveNamespaceCall(e, st);
    return undefined;
  }

  /** `ctx.ns('orders')` is the `orders` namespace root, configured or not (T06 reports unknown roots in contracts). */
  private resolveNamespaceCall(call: ts.CallExpression, st: WalkState): CtxTarget | undefined {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'ns') return undefined;
    const owner = this.resolve(callee.expression, st);
    if (owner?.kind !== 'ctx') return undefined;
    const first = call.arguments[0];
    return { kind: 'path', path: [first === undefined ? null : (staticText(first) ?? null)], ...(owner.admin === true ? { admin: true } : {}) };
  }

  /** Declared outside the process function (module state, an import, a global). */
  private isOuterName(name: string, st: WalkState): boolean {
    return !this.localNames.has(name) && st.scope.lookup(name) === undefined;
  }

  /** A global the file does not redefine (`console`, `Date`, `setTimeout`…). */
  private isGlobal(name: string, st: WalkState): boolean {
    return this.isOuterName(name, st) && !this.bindings.topLevelNames.has(name);
  }

  /** Node's `process`, unless this file's `process` is theus's. */
  private isNodeProcess(name: string, st: WalkState): boolean {
    return name === 'process' && this.isGlobal(name, st) && !this.bindings.processNames.has('process');
  }

  // ── recording ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** `admin`: the access goes through the view `ctx.asAdmin((admin) => …)` hands its callback. */
  private record(kind: 'read' | 'write', operation: Operation, how: string, path: AccessPath, node: ts.Node, chain: ts.Expression, st: WalkState, admin: boolean): void {
    this.facts.accesses.push({ kind, operation, how, path, node, admin });
    this.checkDeferred(chainBase(chain) ?? chain, st, true);
  }

  private recordIo(category: IoCategory, what: string, node: ts.Node): void {
    this.facts.io.push({ category, what, node });
  }

  private escape(node: ts.Node, how: string): void {
    this.facts.escapes.push({ node, how });
  }

  /** Inside a deferred callback, the first use of ctx (or of an alias used as an object) is an escape. */
  private checkDeferred(node: ts.Node, st: WalkState, usedAsObject: boolean): void {
    const deferred = st.deferred;
    if (deferred === undefined || deferred.reported || !ts.isIdentifier(node)) return;
    const target = st.scope.lookup(node.text);
    if (target === undefined) return;
    if (target.kind === 'ctx' || target.path.length <= 1 || usedAsObject) {
      deferred.reported = true;
      this.escape(node, `captured by ${deferred.what}`);
    }
  }

  /** Values that are (or hold) ctx or a zone root proxy. Deeper paths may be plain values, so they are not counted. */
  private carriesCtx(expression: ts.Expression | undefined, st: WalkState): boolean {
    if (expression === undefined) return false;
    const e = unwrap(expression);
    if (ts.isIdentifier(e)) {
      const target = st.scope.lookup(e.text);
      return target !== undefined && (target.kind === 'ctx' || target.path.length <= 1);
    }
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const target = this.resolve(e, st);
      return target?.kind === 'path' && target.path.length <= 1;
    }
    if (ts.isObjectLiteralExpression(e)) {
      return e.properties.some((property) => {
        if (ts.isPropertyAssignment(property)) return this.carriesCtx(property.initializer, st);
        if (ts.isShorthandPropertyAssignment(property)) return this.carriesCtx(property.name, st);
        if (ts.isSpreadAssignment(property)) return this.resolve(property.expression, st)?.kind === 'ctx';
        return false;
      });
    }
    if (ts.isArrayLiteralExpression(e)) return e.elements.some((element) => !ts.isSpreadElement(element) && this.carriesCtx(element, st));
    if (isFunctionLiteral(e)) return this.capturesCtx(e, st);
    if (ts.isConditionalExpression(e)) return this.carriesCtx(e.whenTrue, st) || this.carriesCtx(e.whenFalse, st);
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.CommaToken) return this.carriesCtx(e.right, st);
      if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken) {
        return this.carriesCtx(e.left, st) || this.carriesCtx(e.right, st);
      }
    }
    return false;
  }

  /** A function literal that refers to ctx or one of its aliases from the enclosing scope. */
  private capturesCtx(fn: ts.ArrowFunction | ts.FunctionExpression, st: WalkState): boolean {
    const own = collectLocalNames(fn);
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(node) && isReferenceIdentifier(node) && !own.has(node.text) && st.scope.lookup(node.text) !== undefined) found = true;
      else ts.forEachChild(node, visit);
    };
    visit(fn.body);
    return found;
  }

  private checkReturned(expression: ts.Expression, st: WalkState): void {
    if (this.carriesCtx(expression, st)) this.escape(expression, 'returned from the process');
  }

  private checkRestrictedAlias(name: ts.Identifier, path: AccessPath): void {
    const last = path[path.length - 1];
    if (typeof last !== 'string') return;
    const prefix = restrictedPrefixOf(last);
    if (prefix !== undefined && !name.text.startsWith(prefix)) this.facts.restrictedAliases.push({ name: name.text, prefix, path, node: name });
  }

  // ── declarations ──────────────────────────────────────────────────────────────────────────────────────────────

  private bindPattern(name: ts.BindingName, target: CtxTarget | undefined, st: WalkState): void {
    if (ts.isIdentifier(name)) {
      st.scope.bind(name.text, target);
      if (target?.kind === 'path') this.checkRestrictedAlias(name, target.path);
      return;
    }
    name.elements.forEach((element, index) => {
      if (ts.isOmittedExpression(element)) return;
      if (element.initializer !== undefined) this.visit(element.initializer, st);
      if (element.dotDotDotToken !== undefined || target === undefined) {
        for (const id of bindingIdentifiers(element.name)) st.scope.bind(id.text, undefined);
        return;
      }
      let key: string | null;
      if (ts.isArrayBindingPattern(name)) {
        key = String(index);
      } else {
        const keyNode = element.propertyName ?? (ts.isIdentifier(element.name) ? element.name : undefined);
        if (keyNode !== undefined && ts.isComputedPropertyName(keyNode)) this.visit(keyNode.expression, st);
        key = keyNode === undefined ? null : (propertyNameText(keyNode) ?? null);
      }
      const sub = extendTarget(target, key, this.roots);
      if (sub?.kind === 'path') this.facts.accesses.push({ kind: 'read', operation: 'read', how: 'destructuring', path: sub.path, node: element, admin: sub.admin === true });
      this.bindPattern(element.name, sub, st);
    });
  }

  private visitVariable(declaration: ts.VariableDeclaration, st: WalkState): void {
    if (declaration.initializer === undefined) {
      this.bindPattern(declaration.name, undefined, st);
      return;
    }
    this.visit(declaration.initializer, st);
    this.bindPattern(declaration.name, this.resolve(declaration.initializer, st), st);
  }

  private visitForOf(node: ts.ForOfStatement, st: WalkState): void {
    this.visit(node.expression, st);
    const collection = this.resolve(node.expression, st);
    const element = collection === undefined ? undefined : extendTarget(collection, null, this.roots);
    if (ts.isVariableDeclarationList(node.initializer)) {
      for (const declaration of node.initializer.declarations) this.bindPattern(declaration.name, element, st);
    } else {
      this.visit(node.initializer, st);
    }
    this.visit(node.statement, st);
  }

  private visitFunction(fn: ts.FunctionLikeDeclaration, st: WalkState, role: FunctionRole): void {
    const inner: WalkState = {
      scope: new AliasScope(st.scope),
      deferred: role.deferred === undefined ? st.deferred : { what: role.deferred, reported: false },
      depth: st.depth + 1,
      awaitedPromise: role.awaitedPromise ?? st.awaitedPromise,
    };
    fn.parameters.forEach((param, i) => {
      if (param.initializer !== undefined) this.visit(param.initializer, inner);
      if (i === 0 && role.adminParam === true && ts.isIdentifier(param.name)) inner.scope.bind(param.name.text, { kind: 'ctx', admin: true });
      else if (i === 0 && role.adminParam === true) this.bindPattern(param.name, { kind: 'ctx', admin: true }, inner);
      else if (i === 0 && role.elementOf !== undefined) this.bindPattern(param.name, role.elementOf, inner);
      else for (const id of bindingIdentifiers(param.name)) inner.scope.bind(id.text, undefined);
    });
    if (fn.body !== undefined) this.visit(fn.body, inner);
  }

  /** Callbacks handed to something that calls them later; other arguments that carry ctx escape directly. */
  private visitDeferredArguments(args: readonly ts.Expression[], what: string, st: WalkState): void {
    for (const arg of args) {
      const e = unwrap(arg);
      if (isFunctionLiteral(e)) {
        this.visitFunction(e, st, { deferred: what });
        continue;
      }
      if (this.carriesCtx(arg, st)) this.escape(arg, `passed to ${what}`);
      this.visit(arg, st);
    }
  }

  // ── writes ────────────────────────────────────────────────────────────────────────────────────────────────────

  private visitChainArguments(expression: ts.Expression, st: WalkState): void {
    let current = unwrap(expression);
    while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
      if (ts.isElementAccessExpression(current)) this.visit(current.argumentExpression, st);
      current = unwrap(current.expression);
    }
  }

  /** An assignment to ctx/this/an outer object that is not a context path: an escape or an outer-state write. */
  private checkOuterMemberWrite(target: ts.Expression, value: ts.Expression | undefined, how: string, st: WalkState): void {
    if (chainStartsWithThis(target)) {
      if (this.carriesCtx(value, st)) this.escape(target, "stored on 'this'");
      return;
    }
    const base = chainBase(target);
    if (base === undefined || !this.isOuterName(base.text, st)) return;
    if (this.carriesCtx(value, st)) {
      this.escape(target, `stored in the outer object '${base.text}'`);
      return;
    }
    // Name the member for short targets (`globalThis.lastRun`); long computed ones would only clutter the message.
    const text = target.getText();
    this.facts.outerWrites.push({ name: text.length <= 60 && !text.includes('\n') ? text : base.text, how, node: target });
  }

  private outerAssignment(node: ts.Identifier, value: ts.Expression | undefined, how: string, st: WalkState): void {
    if (this.carriesCtx(value, st)) this.escape(node, `assigned to the outer variable '${node.text}'`);
    else this.facts.outerWrites.push({ name: node.text, how, node });
  }

  private visitAssignment(node: ts.BinaryExpression, st: WalkState): void {
    const left = unwrap(node.left);
    const plain = node.operatorToken.kind === ts.SyntaxKind.EqualsToken;
    const how = plain ? 'assignment' : (ts.tokenToString(node.operatorToken.kind) ?? 'compound assignment');
    if (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) {
      const target = this.resolve(left, st);
      if (target?.kind === 'path') {
        // Setting a topic directly under `signal` publishes it: an append, which the signal zone allows.
        const operation: Operation = plain && target.path.length === 2 && target.path[0] === 'signal' ? 'append' : 'update';
        this.record('write', operation, how, target.path, left, left, st, target.admin === true);
        this.visitChainArguments(left, st);
      } else {
        this.checkOuterMemberWrite(left, node.right, how, st);
        this.visit(left, st);
      }
    } else if (ts.isIdentifier(left)) {
      const rebound = plain && st.scope.rebind(left.text, this.resolve(node.right, st));
      if (!rebound && this.isOuterName(left.text, st)) this.outerAssignment(left, node.right, how, st);
    } else {
      for (const id of assignmentTargetIdentifiers(left)) {
        if (this.isOuterName(id.text, st)) this.outerAssignment(id, undefined, 'destructuring assignment', st);
      }
    }
    this.visit(node.right, st);
  }

  private visitIncrement(node: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression, how: string, st: WalkState): void {
    const operand = unwrap(node.operand);
    if (ts.isPropertyAccessExpression(operand) || ts.isElementAccessExpression(operand)) {
      const target = this.resolve(operand, st);
      if (target?.kind === 'path') {
        this.record('write', 'update', how, target.path, operand, operand, st, target.admin === true);
        this.visitChainArguments(operand, st);
        return;
      }
      this.checkOuterMemberWrite(operand, undefined, how, st);
    } else if (ts.isIdentifier(operand) && this.isOuterName(operand.text, st)) {
      this.facts.outerWrites.push({ name: operand.text, how, node: operand });
    }
    this.visit(operand, st);
  }

  private visitDelete(node: ts.DeleteExpression, st: WalkState): void {
    const operand = unwrap(node.expression);
    if (ts.isPropertyAccessExpression(operand) || ts.isElementAccessExpression(operand)) {
      const target = this.resolve(operand, st);
      if (target?.kind === 'path') {
        this.record('write', 'delete', 'delete', target.path, operand, operand, st, target.admin === true);
        this.visitChainArguments(operand, st);
        return;
      }
      this.checkOuterMemberWrite(operand, undefined, 'delete', st);
    }
    this.visit(operand, st);
  }

  // ── calls ─────────────────────────────────────────────────────────────────────────────────────────────────────

  private visitCall(call: ts.CallExpression, st: WalkState): void {
    const callee = unwrap(call.expression);
    if (callee.kind === ts.SyntaxKind.ImportKeyword) return this.visitModuleLoad(call, 'import', st);
    if (ts.isIdentifier(callee)) {
      if (callee.text === 'require' && this.isGlobal('require', st)) return this.visitModuleLoad(call, 'require', st);
      if (callee.text === 'Date' && this.isGlobal('Date', st)) this.recordIo('nondeterminism', 'Date()', call);
      const timerBinding = this.bindings.io.get(callee.text);
      const isTimer = TIMER_FUNCTIONS.has(callee.text) && (this.isGlobal(callee.text, st) || (timerBinding?.kind === 'category' && timerBinding.category === 'timer' && this.isOuterName(callee.text, st)));
      if (isTimer) return this.visitTimerCall(call, callee.text, false, st);
    }
    if (ts.isPropertyAccessExpression(callee) && this.visitMethodCall(call, callee, st)) return;
    this.visitChildren(call, st);
  }

  /** Returns true when it handled the whole call. */
  private visitMethodCall(call: ts.CallExpression, callee: ts.PropertyAccessExpression, st: WalkState): boolean {
    const method = callee.name.text;
    const owner = unwrap(callee.expression);
    const ownerTarget = this.resolve(owner, st);
    if (ownerTarget?.kind === 'ctx' && method === 'asAdmin') {
      for (const arg of call.arguments) {
        const e = unwrap(arg);
        if (isFunctionLiteral(e)) this.visitFunction(e, st, { adminParam: true });
        else this.visit(arg, st);
      }
      return true;
    }
    if (ownerTarget?.kind === 'path') {
      this.visitMethodOnPath(call, callee, method, ownerTarget, st);
      return true;
    }
    if (ts.isIdentifier(owner)) {
      const operation = STATIC_MUTATORS.get(`${owner.text}.${method}`);
      if (operation !== undefined && this.isGlobal(owner.text, st)) {
        this.visitStaticMutator(call, `${owner.text}.${method}()`, operation, st);
        return true;
      }
      const binding = this.bindings.io.get(owner.text);
      const timerNamespace = binding?.kind === 'category' && binding.category === 'timer' && this.isOuterName(owner.text, st);
      if (TIMER_FUNCTIONS.has(method) && (timerNamespace || (owner.text === 'globalThis' && this.isGlobal(owner.text, st)))) {
        this.visitTimerCall(call, `${owner.text}.${method}`, !timerNamespace, st);
        return true;
      }
      if (method === 'nextTick' && this.isNodeProcess(owner.text, st)) {
        this.visitTimerCall(call, 'process.nextTick', true, st);
        return true;
      }
    }
    if (CHAIN_METHODS.has(method) && !isAwaitedOrReturned(call)) {
      this.visit(callee.expression, st);
      this.visitDeferredArguments(call.arguments, `a .${method}() callback that is not awaited`, st);
      return true;
    }
    if (LISTENER_METHODS.has(method)) {
      this.visit(callee.expression, st);
      this.visitDeferredArguments(call.arguments, `an event listener (.${method}())`, st);
      return true;
    }
    if (ts.isIdentifier(owner) && MUTATING_METHODS.has(method) && this.isOuterName(owner.text, st) && this.bindings.topLevelNames.has(owner.text)) {
      const escaping = call.arguments.find((arg) => this.carriesCtx(arg, st));
      if (escaping !== undefined) this.escape(escaping, `stored in the outer '${owner.text}' by .${method}()`);
      else this.facts.outerWrites.push({ name: owner.text, how: `${method}()`, node: call });
    }
    return false;
  }

  private visitMethodOnPath(call: ts.CallExpression, callee: ts.PropertyAccessExpression, method: string, target: CtxTarget & { kind: 'path' }, st: WalkState): void {
    const operation = MUTATING_METHODS.get(method);
    if (method === 'publish' && target.path.length === 1 && target.path[0] === 'signal') {
      // `ctx.signal.publish(topic, payload)` emits `signal.<topic>`, exactly like `ctx.signal[topic] = payload`.
      const topic = call.arguments[0] === undefined ? null : (staticText(call.arguments[0]) ?? null);
      this.record('write', 'append', 'publish()', ['signal', topic], call, callee.expression, st, target.admin === true);
    } else if (operation !== undefined) {
      this.record('write', operation, `${method}()`, target.path, call, callee.expression, st, target.admin === true);
    } else {
      this.record('read', 'read', 'read', target.path, callee.expression, callee.expression, st, target.admin === true);
    }
    this.visitChainArguments(callee.expression, st);
    const element = ELEMENT_CALLBACK_METHODS.has(method) ? extendTarget(target, null, this.roots) : undefined;
    call.arguments.forEach((arg, i) => {
      const e = unwrap(arg);
      if (i === 0 && element !== undefined && isFunctionLiteral(e)) this.visitFunction(e, st, { elementOf: element });
      else this.visit(arg, st);
    });
  }

  private visitStaticMutator(call: ts.CallExpression, what: string, operation: Operation, st: WalkState): void {
    const [first, ...rest] = call.arguments;
    if (first !== undefined) {
      const target = this.resolve(first, st);
      if (target?.kind === 'path') {
        this.record('write', operation, what, target.path, first, first, st, target.admin === true);
        this.visitChainArguments(first, st);
      } else {
        const e = unwrap(first);
        if (ts.isIdentifier(e) && this.isOuterName(e.text, st)) this.facts.outerWrites.push({ name: e.text, how: what, node: first });
        else if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) this.checkOuterMemberWrite(e, undefined, what, st);
        this.visit(first, st);
      }
    }
    for (const arg of rest) this.visit(arg, st);
  }

  private visitTimerCall(call: ts.CallExpression, what: string, recordUse: boolean, st: WalkState): void {
    if (recordUse) this.recordIo('timer', what, call.expression);
    this.visit(call.expression, st);
    if (st.awaitedPromise) {
      for (const arg of call.arguments) this.visit(arg, st);
      return;
    }
    this.visitDeferredArguments(call.arguments, `a ${what}() callback`, st);
  }

  private visitModuleLoad(call: ts.CallExpression, how: 'import' | 'require', st: WalkState): void {
    const first = call.arguments[0];
    const specifier = first === undefined ? undefined : staticText(first);
    const category = specifier === undefined ? undefined : moduleCategory(specifier);
    const what = specifier === undefined ? `${how}()` : `${how}('${specifier}')`;
    this.recordIo(category ?? 'module-load', what, call);
    for (const arg of call.arguments) this.visit(arg, st);
  }

  private visitNew(node: ts.NewExpression, st: WalkState): void {
    const callee = unwrap(node.expression);
    if (ts.isIdentifier(callee) && this.isGlobal(callee.text, st)) {
      if (callee.text === 'Date' && (node.arguments?.length ?? 0) === 0) this.recordIo('nondeterminism', 'new Date()', node);
      if (callee.text === 'Promise' && isAwaitedOrReturned(node)) {
        for (const arg of node.arguments ?? []) {
          const e = unwrap(arg);
          if (isFunctionLiteral(e)) this.visitFunction(e, st, { awaitedPromise: true });
          else this.visit(arg, st);
        }
        return;
      }
    }
    this.visitChildren(node, st);
  }

  // ── reads ─────────────────────────────────────────────────────────────────────────────────────────────────────

  private visitMember(expression: ts.PropertyAccessExpression | ts.ElementAccessExpression, st: WalkState): void {
    const target = this.resolve(expression, st);
    if (target?.kind === 'path') {
      this.record('read', 'read', 'read', target.path, expression, expression, st, target.admin === true);
      this.visitChainArguments(expression, st);
      return;
    }
    if (ts.isPropertyAccessExpression(expression)) this.checkGlobalMember(expression, st);
    this.visitChildren(expression, st);
  }

  /** `console.log`, `process.stdout`, `Date.now`, `Math.random`, `crypto.randomUUID`… */
  private checkGlobalMember(expression: ts.PropertyAccessExpression, st: WalkState): void {
    const owner = unwrap(expression.expression);
    if (!ts.isIdentifier(owner)) return;
    const name = owner.text;
    const member = expression.name.text;
    const what = `${name}.${member}`;
    const binding = this.bindings.io.get(name);
    if (binding?.kind === 'crypto-namespace' && this.isOuterName(name, st)) {
      if (RANDOM_CRYPTO_MEMBERS.has(member)) this.recordIo('nondeterminism', what, expression);
      return;
    }
    if (name === 'process') {
      if (!this.isNodeProcess(name, st)) return;
      if (member === 'stdout' || member === 'stderr') this.recordIo('console', what, expression);
    } else if (!this.isGlobal(name, st)) {
      return;
    }
    if (name === 'console') this.recordIo('console', what, expression);
    else if (NONDETERMINISTIC_MEMBERS.get(name)?.has(member) === true) this.recordIo('nondeterminism', what, expression);
  }

  private visitIdentifier(id: ts.Identifier, st: WalkState): void {
    if (!isReferenceIdentifier(id)) return;
    const target = st.scope.lookup(id.text);
    if (target !== undefined) {
      const parent = id.parent;
      const usedAsObject = (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === id;
      this.checkDeferred(id, st, usedAsObject);
      return;
    }
    if (this.localNames.has(id.text)) return;
    const binding = this.bindings.io.get(id.text);
    if (binding !== undefined) {
      if (binding.kind === 'category') this.recordIo(binding.category, id.text, id);
      return;
    }
    const category = GLOBAL_IO.get(id.text);
    if (category !== undefined && !this.bindings.topLevelNames.has(id.text)) this.recordIo(category, id.text, id);
  }

  private visitReturn(node: ts.ReturnStatement, st: WalkState): void {
    if (node.expression === undefined) return;
    if (st.depth === 0) {
      this.facts.returnsValue = true;
      this.checkReturned(node.expression, st);
    }
    this.visit(node.expression, st);
  }
}
