import { FUNCTION_NAMES, METHOD_NAMES, ROOT_NAMES, isForbiddenMemberName } from './ast.js';
import type { CompareOp, ConditionNode, FunctionName, MethodName, RootName } from './ast.js';
import { LexError, tokenize } from './lexer.js';
import type { Token } from './lexer.js';
import { DEFAULT_ORIGIN } from './origin.js';
import type { ConditionOrigin, LocalPosition } from './origin.js';
import { conditionSyntaxError } from './syntax-error.js';

/** Longer conditions are refused before lexing, so an absurd input costs nothing. */
export const MAX_CONDITION_LENGTH = 4096;
/** Deeper nesting (parentheses, unary chains, nested ternaries) is refused before it can exhaust the stack. */
export const MAX_CONDITION_DEPTH = 64;

/** How many arguments each callable accepts: [min, max]. */
const FUNCTION_ARITY: Readonly<Record<FunctionName, readonly [number, number]>> = {
  len: [1, 1], str: [1, 1], int: [1, 1], float: [1, 1], bool: [1, 1], abs: [1, 1],
  min: [1, Infinity], max: [1, Infinity], sum: [1, 2],
};
const METHOD_ARITY: Readonly<Record<MethodName, readonly [number, number]>> = {
  get: [1, 2], startswith: [1, 1], endswith: [1, 1], startsWith: [1, 1], endsWith: [1, 1], includes: [1, 1],
  lower: [0, 0], upper: [0, 0], toLowerCase: [0, 0], toUpperCase: [0, 0],
};

const COMPARE_PUNCT: Readonly<Record<string, CompareOp>> = {
  '==': 'eq', '===': 'eq', '!=': 'ne', '!==': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge',
};
const TERM_OPS = new Set(['*', '/', '//', '%']);

function includes<T extends string>(list: readonly T[], name: string): name is T {
  return (list as readonly string[]).includes(name);
}

/**
 * Parses a condition in either spelling into a {@link ConditionNode}. Every refusal (unknown name,
 * call outside the allowlist, prototype member, excessive size or depth) is a `WorkflowSyntaxError`
 * thrown here, before anything is evaluated.
 */
export function parseCondition(source: string, origin: ConditionOrigin = DEFAULT_ORIGIN): ConditionNode {
  if (typeof source !== 'string') {
    throw conditionSyntaxError(`a condition must be a string, got ${source === null ? 'null' : typeof source}`, String(source), origin, { line: 1, column: 1 });
  }
  if (source.length > MAX_CONDITION_LENGTH) {
    throw conditionSyntaxError(
      `condition is ${source.length} characters long; the limit is ${MAX_CONDITION_LENGTH}. Move the logic into a process that writes a flag, and test the flag`,
      source, origin, { line: 1, column: 1 },
    );
  }
  let tokens: Token[];
  try {
    tokens = tokenize(source);
  } catch (error) {
    if (error instanceof LexError) throw conditionSyntaxError(error.message, source, origin, error.at);
    throw error;
  }
  return new Parser(source, origin, tokens).parse();
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly origin: ConditionOrigin,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): ConditionNode {
    if (this.peek().kind === 'eof') this.fail('empty condition: write an expression such as domain.ready == True', this.peek().at);
    const node = this.expression();
    const rest = this.peek();
    if (rest.kind !== 'eof') this.fail(`unexpected ${describe(rest)} after a complete expression`, rest.at);
    return node;
  }

  private fail(message: string, at: LocalPosition): never {
    throw conditionSyntaxError(message, this.source, this.origin, at);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.text === text;
  }

  private isKeyword(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'keyword' && t.text === text;
  }

  private expectPunct(text: string, context: string): Token {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== text) this.fail(`expected '${text}' ${context}, found ${describe(t)}`, t.at);
    return this.next();
  }

  /** Recursion guard shared by every rule that can nest without consuming a closing token first. */
  private nested<T>(at: LocalPosition, rule: () => T): T {
    if (++this.depth > MAX_CONDITION_DEPTH) {
      this.fail(`condition nests deeper than ${MAX_CONDITION_DEPTH} levels; simplify it`, at);
    }
    try {
      return rule();
    } finally {
      this.depth--;
    }
  }

  private expression(): ConditionNode {
    return this.nested(this.peek().at, () => this.ternary());
  }

  private ternary(): ConditionNode {
    const first = this.or();
    const t = this.peek();
    if (this.isKeyword('if')) {
      // Python: `then if test else otherwise`
      this.next();
      const test = this.or();
      if (!this.isKeyword('else')) this.fail(`expected 'else' in 'x if condition else y', found ${describe(this.peek())}`, this.peek().at);
      this.next();
      const otherwise = this.nested(t.at, () => this.ternary());
      return { type: 'conditional', test, then: first, otherwise, at: t.at };
    }
    if (this.isPunct('?')) {
      // JavaScript: `test ? then : otherwise`
      this.next();
      const then = this.nested(t.at, () => this.ternary());
      this.expectPunct(':', "in 'condition ? a : b'");
      const otherwise = this.nested(t.at, () => this.ternary());
      return { type: 'conditional', test: first, then, otherwise, at: t.at };
    }
    return first;
  }

  private or(): ConditionNode {
    const at = this.peek().at;
    const operands = [this.and()];
    while (this.isKeyword('or') || this.isPunct('||')) {
      this.next();
      operands.push(this.and());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { type: 'logical', operator: 'or', operands, at };
  }

  private and(): ConditionNode {
    const at = this.peek().at;
    const operands = [this.not()];
    while (this.isKeyword('and') || this.isPunct('&&')) {
      this.next();
      operands.push(this.not());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { type: 'logical', operator: 'and', operands, at };
  }

  private not(): ConditionNode {
    if (this.isKeyword('not')) {
      const t = this.next();
      return { type: 'not', operand: this.nested(t.at, () => this.not()), at: t.at };
    }
    return this.comparison();
  }

  private compareOperator(): CompareOp | undefined {
    const t = this.peek();
    if (t.kind === 'punct') return COMPARE_PUNCT[t.text];
    if (t.kind !== 'keyword') return undefined;
    if (t.text === 'in') return 'in';
    if (t.text === 'not' && this.isKeyword('in', 1)) return 'not in';
    if (t.text === 'is') return this.isKeyword('not', 1) ? 'is not' : 'is';
    return undefined;
  }

  private comparison(): ConditionNode {
    const first = this.sum();
    const rest: { operator: CompareOp; operand: ConditionNode; at: LocalPosition }[] = [];
    for (let operator = this.compareOperator(); operator !== undefined; operator = this.compareOperator()) {
      const at = this.next().at;
      if (operator === 'not in' || operator === 'is not') this.next();
      rest.push({ operator, operand: this.sum(), at });
    }
    return rest.length === 0 ? first : { type: 'compare', first, rest, at: first.at };
  }

  private sum(): ConditionNode {
    let left = this.term();
    while (this.isPunct('+') || this.isPunct('-')) {
      const t = this.next();
      left = { type: 'arithmetic', operator: t.text as '+' | '-', left, right: this.term(), at: t.at };
    }
    return left;
  }

  private term(): ConditionNode {
    let left = this.unary();
    while (this.peek().kind === 'punct' && TERM_OPS.has(this.peek().text)) {
      const t = this.next();
      left = { type: 'arithmetic', operator: t.text as '*' | '/' | '//' | '%', left, right: this.unary(), at: t.at };
    }
    return left;
  }

  private unary(): ConditionNode {
    const t = this.peek();
    if (this.isPunct('-') || this.isPunct('+')) {
      this.next();
      const operand = this.nested(t.at, () => this.unary());
      if (operand.type === 'literal' && typeof operand.value === 'number') {
        return { type: 'literal', value: t.text === '-' ? -operand.value : operand.value, at: t.at };
      }
      return { type: 'negate', operator: t.text as '-' | '+', operand, at: t.at };
    }
    if (this.isPunct('!')) {
      this.next();
      return { type: 'not', operand: this.nested(t.at, () => this.unary()), at: t.at };
    }
    return this.postfix();
  }

  private postfix(): ConditionNode {
    let node = this.atom();
    for (;;) {
      const t = this.peek();
      if (this.isPunct('.') || this.isPunct('?.')) {
        this.next();
        if (t.text === '?.' && this.isPunct('[')) {
          node = this.subscript(node);
          continue;
        }
        node = this.member(node);
        continue;
      }
      if (this.isPunct('[')) {
        node = this.subscript(node);
        continue;
      }
      if (this.isPunct('(')) {
        this.fail(`only the functions ${FUNCTION_NAMES.join(', ')} and the methods ${METHOD_NAMES.join(', ')} can be called`, t.at);
      }
      return node;
    }
  }

  private member(object: ConditionNode): ConditionNode {
    const t = this.next();
    if (t.kind !== 'name' && t.kind !== 'keyword') this.fail(`expected a member name after '.', found ${describe(t)}`, t.at);
    const name = t.text;
    if (isForbiddenMemberName(name)) this.fail(forbiddenMessage(name), t.at);
    if (!this.isPunct('(')) return { type: 'member', object, name, at: t.at };
    if (!includes(METHOD_NAMES, name)) {
      this.fail(`method '${name}' is not allowed in conditions; allowed methods: ${METHOD_NAMES.join(', ')}`, t.at);
    }
    const args = this.callArguments(name, METHOD_ARITY[name], t.at);
    if (name === 'get') {
      const key = args[0];
      if (key?.type === 'literal' && typeof key.value === 'string' && isForbiddenMemberName(key.value)) this.fail(forbiddenMessage(key.value), key.at);
    }
    return { type: 'method', object, name, args, at: t.at };
  }

  private subscript(object: ConditionNode): ConditionNode {
    const open = this.expectPunct('[', 'to start a subscript');
    const index = this.expression();
    this.expectPunct(']', 'to close the subscript');
    if (index.type === 'literal' && typeof index.value === 'string' && isForbiddenMemberName(index.value)) {
      this.fail(forbiddenMessage(index.value), index.at);
    }
    return { type: 'index', object, index, at: open.at };
  }

  private callArguments(name: string, [min, max]: readonly [number, number], at: LocalPosition): ConditionNode[] {
    this.expectPunct('(', `after '${name}'`);
    const args = this.listUntil(')', `the arguments of '${name}'`);
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.fail(`'${name}' takes ${expected} argument${expected === '1' ? '' : 's'}, got ${args.length}`, at);
    }
    return args;
  }

  /** Comma-separated expressions up to `close` (a trailing comma is allowed, as in both languages). */
  private listUntil(close: string, what: string): ConditionNode[] {
    const items: ConditionNode[] = [];
    while (!this.isPunct(close)) {
      items.push(this.expression());
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      if (!this.isPunct(close)) this.fail(`expected ',' or '${close}' in ${what}, found ${describe(this.peek())}`, this.peek().at);
    }
    this.next();
    return items;
  }

  private atom(): ConditionNode {
    const t = this.next();
    switch (t.kind) {
      case 'number':
      case 'string':
        return { type: 'literal', value: t.value as number | string, at: t.at };
      case 'keyword':
        return this.keywordLiteral(t);
      case 'name':
        return this.name(t);
      case 'punct':
        if (t.text === '(') {
          const inner = this.expression();
          this.expectPunct(')', 'to close the parenthesis');
          return inner;
        }
        if (t.text === '[') {
          return this.nested(t.at, () => ({ type: 'list', items: this.listUntil(']', 'the list'), at: t.at }));
        }
        return this.fail(`unexpected ${describe(t)}`, t.at);
      case 'eof':
        return this.fail('unexpected end of condition: an operand is missing', t.at);
    }
  }

  private keywordLiteral(t: Token): ConditionNode {
    switch (t.text) {
      case 'True':
      case 'true':
        return { type: 'literal', value: true, at: t.at };
      case 'False':
      case 'false':
        return { type: 'literal', value: false, at: t.at };
      case 'None':
      case 'null':
        return { type: 'literal', value: null, at: t.at };
      case 'undefined':
        return { type: 'literal', value: undefined, at: t.at };
      default:
        return this.fail(`unexpected ${describe(t)}: an operand is missing before it`, t.at);
    }
  }

  private name(t: Token): ConditionNode {
    const name = t.text;
    if (this.isPunct('(')) {
      if (!includes(FUNCTION_NAMES, name)) {
        this.fail(`function '${name}' is not allowed in conditions; allowed functions: ${FUNCTION_NAMES.join(', ')}`, t.at);
      }
      return { type: 'call', name, args: this.callArguments(name, FUNCTION_ARITY[name], t.at), at: t.at };
    }
    if (includes(ROOT_NAMES, name)) return { type: 'root', name: name as RootName, at: t.at };
    if (includes(FUNCTION_NAMES, name)) this.fail(`'${name}' is a function; call it, e.g. ${name}(x)`, t.at);
    return this.fail(`unknown name '${name}': conditions can only read ${ROOT_NAMES.join(', ')}`, t.at);
  }
}

function forbiddenMessage(name: string): string {
  return `member '${name}' is refused: names 'constructor', 'prototype' and names starting with '__' would reach prototype machinery`;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the condition';
    case 'string':
      return `string ${JSON.stringify(t.text)}`;
    case 'number':
      return `number ${t.text}`;
    default:
      return `'${t.text}'`;
  }
}
