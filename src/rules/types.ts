import type { Catalog } from '../catalog/types.js';
import type { OriginMap } from '../catalog/origin.js';
import type { Queryable } from '../engine/types.js';
import type { Finding, RuleArea, Severity } from '../types.js';

/** What a schema rule sees: the catalog after all files ran (or a live database's), and where each object came from. */
export interface SchemaRuleContext {
  catalog: Catalog;
  origin: OriginMap;
  /** Read-only access for rules that sample data; rules never change anything through it. */
  engine?: Queryable;
}

export interface Rule<Context = SchemaRuleContext> {
  /** Stable id from shared/design/rules.md; never renamed. */
  id: string;
  area: RuleArea;
  severity: Severity;
  /** One sentence: what it reports and why it matters (the docs page's first line). */
  summary: string;
  check(ctx: Context): Finding[] | Promise<Finding[]>;
}

export type SchemaRule = Rule<SchemaRuleContext>;

/** Build a finding of a rule with its default severity and docs anchor. */
export function finding(rule: Pick<Rule<unknown>, 'id' | 'severity'>, fields: Omit<Finding, 'rule' | 'severity' | 'docs'> & { severity?: Finding['severity'] }): Finding {
  const { severity, ...rest } = fields;
  return { rule: rule.id, severity: severity ?? rule.severity, ...rest, docs: `docs/rules/${rule.id}.md` };
}
