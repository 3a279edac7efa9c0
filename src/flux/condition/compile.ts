import { invalidArgument } from '../../errors.js';
import { ConditionEvaluationError } from '../errors.js';
import type { ConditionNode, RootName } from './ast.js';
import { FUNCTIONS, METHODS } from './builtins.js';
import { absolutePosition, DEFAULT_ORIGIN, localSuffix } from './origin.js';
import type { ConditionOrigin, LocalPosition } from './origin.js';
import { parseCondition } from './parser.js';
import { contains, equals, identical, isMissing, ordered, readMember, truthy, typeName } from './values.js';
import type { Fail } from './values.js';

/** What a condition can read. Every root is optional; an absent root reads as `undefined`. */
export type ConditionScope = { readonly [K in RootName]?: unknown };

/**
 * A condition compiled once into a tree of closures. Call it with a scope for each evaluation; it
 * returns the expression's value (apply {@link truthy} for a decision) or throws
 * `ConditionEvaluationError`. It never writes to the scope.
 */
export interface CompiledCondition {
  (scope: ConditionScope): unknown;
  readonly source: string;
  readonly ast: ConditionNode;
}

type Evaluate = (scope: ConditionScope) => unknown;

/** Parses (throwing `WorkflowSyntaxError` with line and column) and compiles a condition. */
export function compileCondition(source: string, origin: ConditionOrigin = DEFAULT_ORIGIN): CompiledCondition {
  const ast = parseCondition(source, origin);
  const evaluate = new Compiler(source, origin).compile(ast);
  const compiled = (scope: ConditionScope): unknown => {
    if (scope === null || typeof scope !== 'object') {
      throw invalidArgument(`A condition scope must be an object such as { domain, global, signal, cmd, meta, args }, got ${scope === null ? 'null' : typeof scope}.`);
    }
    return evaluate(scope);
  };
  return Object.defineProperties(compiled, {
    source: { value: source, enumerable: true },
    ast: { value: ast, enumerable: true },
  }) as CompiledCondition;
}

class Compiler {
  constructor(
    private readonly source: string,
    private readonly origin: ConditionOrigin,
  ) {}

  private failAt(at: LocalPosition): Fail {
    return (message: string): never => {
      throw new ConditionEvaluationError(`${message}${localSuffix(this.origin, at)}`, this.source, absolutePosition(this.origin, at));
    };
  }

  compile(node: ConditionNode): Evaluate {
    const fail: Fail = this.failAt(node.at);
    switch (node.type) {
      case 'literal': {
        const value = node.value;
        return () => value;
      }
      case 'root':
        return rootReader(node.name);
      case 'member': {
        const object = this.compile(node.object);
        const name = node.name;
        return (scope) => readMember(object(scope), name, fail);
      }
      case 'index': {
        const object = this.compile(node.object);
        const index = this.compile(node.index);
        return (scope) => {
          const base = object(scope);
          const key = index(scope);
          // Map keys may be of any type; everywhere else a subscript is a name or a position.
          if (base instanceof Map) return readMember(base, key as string, fail);
          if (typeof key === 'number') {
            if (!Number.isInteger(key)) fail(`a list index must be an integer, got ${key}`);
          } else if (typeof key !== 'string') {
            fail(`a subscript must be a string or an integer, got ${typeName(key)}`);
          }
          return readMember(base, key as string | number, fail);
        };
      }
      case 'call': {
        const builtin = FUNCTIONS[node.name];
        const args = node.args.map((arg) => this.compile(arg));
        if (args.length === 1) {
          const only = args[0] as Evaluate;
          return (scope) => builtin([only(scope)], fail);
        }
        return (scope) => builtin(args.map((arg) => arg(scope)), fail);
      }
      case 'method': {
        const method = METHODS[node.name];
        const lenient = node.name !== 'get';
        const object = this.compile(node.object);
        const args = node.args.map((arg) => this.compile(arg));
        return (scope) => {
          const target = object(scope);
          if (lenient && isMissing(target)) return undefined;
          return method(target, args.map((arg) => arg(scope)), fail);
        };
      }
      case 'list': {
        const items = node.items.map((item) => this.compile(item));
        return (scope) => items.map((item) => item(scope));
      }
      case 'not': {
        const operand = this.compile(node.operand);
        return (scope) => !truthy(operand(scope));
      }
      case 'negate': {
        const operand = this.compile(node.operand);
        const sign = node.operator;
        return (scope) => {
          const value = operand(scope);
          if (typeof value !== 'number') return fail(`unary '${sign}' needs a number, got ${typeName(value)}`);
          return sign === '-' ? -value : value;
        };
      }
      case 'arithmetic':
        return this.arithmetic(node.operator, this.compile(node.left), this.compile(node.right), fail);
      case 'logical':
        return logical(node.operator, node.operands.map((operand) => this.compile(operand)));
      case 'compare':
        return this.compare(node);
      case 'conditional': {
        const test = this.compile(node.test);
        const then = this.compile(node.then);
        const otherwise = this.compile(node.otherwise);
        return (scope) => (truthy(test(scope)) ? then(scope) : otherwise(scope));
      }
    }
  }

  private arithmetic(operator: string, left: Evaluate, right: Evaluate, fail: Fail): Evaluate {
    const numbers = (a: unknown, b: unknown): [number, number] => {
      if (typeof a !== 'number' || typeof b !== 'number') fail(`'${operator}' needs two numbers, got ${typeName(a)} and ${typeName(b)}`);
      return [a, b];
    };
    const divisor = (b: number): number => (b === 0 ? fail(`division by zero in '${operator}'`) : b);
    switch (operator) {
      case '+':
        return (scope) => {
          const a = left(scope);
          const b = right(scope);
          if (typeof a === 'number' && typeof b === 'number') return a + b;
          if (typeof a === 'string' && typeof b === 'string') return a + b;
          if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
          return fail(`'+' needs two numbers, two strings or two lists, got ${typeName(a)} and ${typeName(b)}`);
        };
      case '-':
        return (scope) => {
          const [a, b] = numbers(left(scope), right(scope));
          return a - b;
        };
      case '*':
        return (scope) => {
          const [a, b] = numbers(left(scope), right(scope));
          return a * b;
        };
      case '/':
        return (scope) => {
          const [a, b] = numbers(left(scope), right(scope));
          return a / divisor(b);
        };
      case '//':
        return (scope) => {
          const [a, b] = numbers(left(scope), right(scope));
          return Math.floor(a / divisor(b));
        };
      default:
        // Python's modulo takes the sign of the divisor: -7 % 3 == 2.
        return (scope) => {
          const [a, b] = numbers(left(scope), right(scope));
          const r = a % divisor(b);
          return r !== 0 && r < 0 !== b < 0 ? r + b : r;
        };
    }
  }

  private compare(node: Extract<ConditionNode, { type: 'compare' }>): Evaluate {
    const first = this.compile(node.first);
    const links = node.rest.map((link) => ({ test: comparator(link.operator, this.failAt(link.at)), operand: this.compile(link.operand) }));
    if (links.length === 1) {
      const { test, operand } = links[0] as (typeof links)[number];
      const right = node.rest[0]?.operand;
      // The common `x == 'paid'`: against a string, number or boolean literal `==` is plain `===`.
      if (right?.type === 'literal' && right.value !== null && right.value !== undefined && (node.rest[0]?.operator === 'eq' || node.rest[0]?.operator === 'ne')) {
        const literal = right.value;
        const negate = node.rest[0]?.operator === 'ne';
        return negate ? (scope) => first(scope) !== literal : (scope) => first(scope) === literal;
      }
      return (scope) => test(first(scope), operand(scope));
    }
    // Chained like Python: `0 < x < 10` is `0 < x and x < 10`, each operand evaluated once.
    return (scope) => {
      let left = first(scope);
      for (const link of links) {
        const right = link.operand(scope);
        if (!link.test(left, right)) return false;
        left = right;
      }
      return true;
    };
  }
}

function comparator(operator: string, fail: Fail): (a: unknown, b: unknown) => boolean {
  switch (operator) {
    case 'eq':
      return (a, b) => equals(a, b, fail);
    case 'ne':
      return (a, b) => !equals(a, b, fail);
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      return (a, b) => ordered(operator, a, b, fail);
    case 'in':
      return (a, b) => contains(b, a, fail);
    case 'not in':
      return (a, b) => !contains(b, a, fail);
    case 'is':
      return identical;
    default:
      return (a, b) => !identical(a, b);
  }
}

/** `and` / `or` return an operand, as in both Python and JavaScript, deciding by Python truthiness. */
function logical(operator: 'and' | 'or', operands: Evaluate[]): Evaluate {
  const stopWhen = operator === 'or';
  return (scope) => {
    let value: unknown;
    for (const operand of operands) {
      value = operand(scope);
      if (truthy(value) === stopWhen) return value;
    }
    return value;
  };
}

function rootReader(name: RootName): Evaluate {
  switch (name) {
    case 'domain':
      return (scope) => scope.domain;
    case 'global':
      return (scope) => scope.global;
    case 'signal':
      return (scope) => scope.signal;
    case 'cmd':
      return (scope) => scope.cmd;
    case 'meta':
      return (scope) => scope.meta;
    case 'args':
      return (scope) => scope.args;
  }
}
