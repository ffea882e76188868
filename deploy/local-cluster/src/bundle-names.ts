import * as acorn from 'acorn';

/**
 * A service bundle without the `__name` calls that name a function the name JavaScript gives it anyway
 * (deploy/bundle-services.mjs runs it on each bundle, before asciiBundle). esbuild's `keepNames` (which NestJS and
 * our logs need: they read classes' names) wraps every function it sees in `__name(fn, "fn")`, a
 * `defineProperty` of `name`, and a function made inside another is wrapped each time it is made: in a burst
 * those calls took 0.7–1.7 % of every service's samples (docs/benchmarks.md, "Thirty-ninth round"). Where the
 * language names the function by itself, the call changes nothing, and it goes:
 *
 * - `__name(<anonymous arrow or function>, "n")` as the value of `n` in `const n = …`, `n = …`, `{ n: … }`, a
 *   class field `n = …` or a default `(n = …) =>` (ECMAScript's NamedEvaluation names such a function "n");
 * - the statement `__name(n, "n");` beside the declaration `function n() {}` it names.
 *
 * A call is blanked rather than cut (its `__name(` and `, "n")` become spaces, a statement becomes spaces), so every
 * position the source map gives stays where it was. Any other call is kept: one naming a class, a renamed
 * binding (`const n2 = __name(…, "n")`), a member (`o.n = …`), a computed key.
 */
export function dropRedundantNames(code: string): { code: string; dropped: number; kept: number } {
  const program = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: true }) as unknown as Node;
  const blanks: Array<{ start: number; end: number }> = [];
  const statementCalls = new Set<Node>();
  let dropped = 0;
  let kept = 0;
  visit(program, undefined, (node, parent) => {
    const statements = blockStatements(node);
    if (statements) {
      for (const s of statements) {
        const call = s.type === 'ExpressionStatement' ? (s.expression as Node) : undefined;
        if (!call || !isNameCall(call)) continue;
        const [target, name] = call.arguments as [Node, Node & { value: string }];
        if (target.type === 'Identifier' && target.name === name.value && declaresFunction(statements, name.value)) {
          statementCalls.add(call);
          blanks.push({ start: s.start, end: s.end });
        }
      }
      return;
    }
    if (!isNameCall(node)) return;
    if (statementCalls.has(node)) {
      dropped++;
      return;
    }
    const [target, name] = node.arguments as [Node, Node & { value: string }];
    if (isAnonymousFunction(target, name.value) && namedByPlace(node, parent, name.value)) {
      blanks.push({ start: node.start, end: target.start }, { start: target.end, end: node.end });
      dropped++;
      return;
    }
    kept++;
  });
  let out = '';
  let at = 0;
  for (const { start, end } of blanks.sort((a, b) => a.start - b.start)) {
    out += code.slice(at, start) + code.slice(start, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  out += code.slice(at);
  return { code: out, dropped, kept };
}

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string' && typeof (value as Node).start === 'number';
}

/** Every node under `node`, parents first, with its parent; without recursion, as a bundle nests deep. */
function visit(root: Node, rootParent: Node | undefined, fn: (node: Node, parent: Node | undefined) => void): void {
  const stack: Array<[Node, Node | undefined]> = [[root, rootParent]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    fn(node, parent);
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) if (isNode(value[i])) stack.push([value[i], node]);
      } else if (isNode(value)) stack.push([value, node]);
    }
  }
}

/** `__name(<something>, "<a string>")`, as esbuild writes it. */
function isNameCall(node: Node): boolean {
  if (node.type !== 'CallExpression') return false;
  const callee = node.callee as Node;
  const args = node.arguments as Node[];
  return callee.type === 'Identifier' && callee.name === '__name' && args.length === 2 && args[1].type === 'Literal' && typeof args[1].value === 'string';
}

/** An arrow or a function expression that has no name of its own (or has this one). */
function isAnonymousFunction(node: Node, name: string): boolean {
  if (node.type === 'ArrowFunctionExpression') return true;
  if (node.type !== 'FunctionExpression') return false;
  const id = node.id as Node | null;
  return !id || id.name === name;
}

/** Whether the place `call` stands in gives an anonymous function there the name `name` (NamedEvaluation). */
function namedByPlace(call: Node, parent: Node | undefined, name: string): boolean {
  if (!parent) return false;
  const isName = (n: unknown) => isNode(n) && n.type === 'Identifier' && n.name === name;
  switch (parent.type) {
    case 'VariableDeclarator':
      return parent.init === call && isName(parent.id);
    case 'AssignmentExpression':
      return parent.operator === '=' && parent.right === call && isName(parent.left);
    case 'AssignmentPattern':
      return parent.right === call && isName(parent.left);
    case 'Property': {
      if (parent.value !== call || parent.computed || parent.kind !== 'init' || parent.method || parent.shorthand) return false;
      const key = parent.key as Node;
      return name !== '__proto__' && (isName(key) || (key.type === 'Literal' && key.value === name));
    }
    case 'PropertyDefinition':
      return parent.value === call && !parent.computed && isName(parent.key);
    default:
      return false;
  }
}

/** The statements a program, block, class static block or switch case holds; undefined for any other node. */
function blockStatements(node: Node): Node[] | undefined {
  if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock') return node.body as Node[];
  if (node.type === 'SwitchCase') return node.consequent as Node[];
  return undefined;
}

/** Whether one of `statements` is `function name() {}` (or async, or a generator). */
function declaresFunction(statements: Node[], name: string): boolean {
  return statements.some((s) => s.type === 'FunctionDeclaration' && (s.id as Node | null)?.name === name);
}
