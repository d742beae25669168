// Comparing expressions by their parse trees: a query's `lower(c.email)` and an index key printed by
// pg_get_indexdef as `lower((email)::text)` are the same expression to the planner.
import { nameParts } from '../../sql/quote.js';
import type { AnyNode } from '../types.js';

/** Casts ruleutils prints around columns and literals that a query leaves implicit. */
const IMPLICIT_CASTS = new Set(['text', 'varchar']);

/** Whether two expression trees are the same once locations, column qualifiers and printing details are ignored. */
export function sameExpression(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize);
  if (!node || typeof node !== 'object') return node;
  const obj = node as AnyNode;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'TypeCast') {
    const cast = obj.TypeCast;
    const names = nameParts(cast.typeName?.names);
    const target = names[names.length - 1];
    // A cast on a literal (`'day'::text`) or an implicit one on a column (`(name)::text`) is printing, not meaning.
    if (cast.arg?.A_Const || (cast.arg?.ColumnRef && IMPLICIT_CASTS.has(target))) return normalize(cast.arg);
  }
  const out: AnyNode = {};
  for (const key of keys.sort()) {
    if (key === 'location' || key === 'funcformat') continue;
    const value = obj[key];
    if (key === 'ColumnRef') {
      const names = nameParts(value.fields);
      out.ColumnRef = names.length ? names[names.length - 1] : normalize(value.fields);
    } else if (key === 'FuncCall') {
      const { funcname, ...rest } = value as AnyNode;
      out.FuncCall = { ...(normalize(rest) as AnyNode), name: nameParts(funcname).filter((n) => n !== 'pg_catalog') };
    } else if (key === 'typeName' && value && typeof value === 'object') {
      const { names, location: _location, ...rest } = value as AnyNode;
      out.typeName = { ...(normalize(rest) as AnyNode), names: nameParts(names).filter((n) => n !== 'pg_catalog') };
    } else out[key] = normalize(value);
  }
  return out;
}
