import { Parser } from 'yaml';

/**
 * How deep a request body may nest its objects and arrays. kube-apiserver's JSON decoder stops at 10,000 levels (Go's
 * stacks grow as they need); several of the gateway's steps walk an object by recursion (pruning, merge patches,
 * defaulting, deep equality) and the YAML library composes by recursion too, each running out of Node's stack
 * somewhere between 700 and 5,000 levels. Past that a request was answered with a 500, and a flow-style YAML body of
 * 3,000 levels took the whole gateway down (V8 aborts when the stack runs out inside its regular-expression
 * compiler). 256 levels is ten times what Kubernetes objects hold (a Deployment's pod template reaches about 12, an
 * embedded JSON document in a custom resource a few dozen) and stays well inside every step's stack.
 */
export const MAX_BODY_DEPTH = 256;

/** The 400 for a body nested deeper than MAX_BODY_DEPTH levels. */
export function tooDeepMessage(): string {
  return `the request body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep`;
}

/** Whether a parsed JSON value nests objects and arrays deeper than `max` levels, walked without recursion. */
export function nestedDeeperThan(value: unknown, max = MAX_BODY_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** A node of the YAML library's concrete syntax tree, as far as nesting goes. */
interface CstNode {
  type?: string;
  value?: CstNode;
  items?: Array<{ key?: CstNode | null; value?: CstNode | null }>;
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/**
 * Whether a YAML text nests collections deeper than `max` levels, in any style (flow brackets, block indentation,
 * compact `- - -` sequences, complex keys). Read from the YAML library's concrete syntax tree, which its lexer and
 * parser build without recursion, before anything composes the document by recursion.
 */
export function yamlNestedDeeperThan(text: string, max = MAX_BODY_DEPTH): boolean {
  const stack: Array<[CstNode, number]> = [];
  for (const token of new Parser().parse(text)) stack.push([token as CstNode, 0]);
  while (stack.length > 0) {
    const [node, above] = stack.pop()!;
    const depth = COLLECTIONS.has(node.type ?? '') ? above + 1 : above;
    if (depth > max) return true;
    if (node.value) stack.push([node.value, depth]);
    for (const item of node.items ?? []) {
      if (item.key) stack.push([item.key, depth]);
      if (item.value) stack.push([item.value, depth]);
    }
  }
  return false;
}

/**
 * Whether a YAML request body nests deeper than `max` levels. kubectl's server-side apply sends JSON as YAML: a body
 * that parses as JSON is measured from that parse (microseconds), the rest from the YAML syntax tree, which costs about
 * half of the YAML library's own parse (300 µs of 700 for a 540-byte Deployment).
 */
export function yamlBodyDeeperThan(text: string, max = MAX_BODY_DEPTH): boolean {
  if (text.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return yamlNestedDeeperThan(text, max); // YAML in flow style, not JSON
    }
    return nestedDeeperThan(value, max);
  }
  return yamlNestedDeeperThan(text, max);
}
