// Walking libpg-query parse trees: plain JSON objects whose node types are their keys.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNode = Record<string, any>;

/** Every object in a parse tree, depth first, each before what it holds. */
export function walkNodes(node: unknown, visit: (n: AnyNode) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walkNodes(item, visit);
  } else if (node && typeof node === 'object') {
    visit(node as AnyNode);
    for (const value of Object.values(node)) if (value && typeof value === 'object') walkNodes(value, visit);
  }
}

/** The function a FuncCall node calls, unqualified and lower-cased. */
export function calledName(call: AnyNode): string {
  return String(call.funcname?.[call.funcname.length - 1]?.String?.sval ?? '').toLowerCase();
}

/** Whether the tree calls any of `names` (unqualified, lower case), whatever schema it names. */
export function callsAny(node: unknown, names: ReadonlySet<string>): boolean {
  let found = false;
  walkNodes(node, (n) => {
    if (!found && n.FuncCall && names.has(calledName(n.FuncCall))) found = true;
  });
  return found;
}
