// Plan → insights: timings for every node, then the plan rules (src/rules/plan/) as findings that name
// the node they are about (Finding.planNode = its id).
import { planRules } from '../rules/plan/index.js';
import type { PlanRule } from '../rules/types.js';
import type { Finding } from '../types.js';
import { walkPlan } from './parse-json.js';
import { computeTimings } from './timing.js';
import type { NodeTiming, Plan } from './types.js';

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

export interface PlanAnalysis {
  plan: Plan;
  /** Indexed by node id. */
  timings: NodeTiming[];
  /** Insights, most severe first. */
  findings: Finding[];
}

export interface AnalyzeOptions {
  /** Scans of fewer rows than this are small (default 10,000, the config's smallTableRows). */
  smallTableRows?: number;
  rules?: PlanRule[];
  /** Rule ids switched off (config `rules: { id: "off" }`). */
  disabled?: Set<string>;
  /** The plan was made with values for the statement's `$n` (see PlanRuleContext.parameterValues). */
  parameterValues?: boolean;
}

export function analyzePlan(plan: Plan, options: AnalyzeOptions = {}): PlanAnalysis {
  const timings = computeTimings(plan);
  const ctx = { plan, nodes: walkPlan(plan.root), timings, smallTableRows: options.smallTableRows ?? 10_000, parameterValues: options.parameterValues };
  const findings: Finding[] = [];
  for (const rule of options.rules ?? planRules) {
    if (options.disabled?.has(rule.id)) continue;
    if (rule.needsAnalyze && !plan.analyzed) continue;
    const result = rule.check(ctx);
    if (result instanceof Promise) throw new Error(`plan rule ${rule.id} must be synchronous`);
    findings.push(...result);
  }
  findings.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.planNode ?? 0) - (b.planNode ?? 0) || a.rule.localeCompare(b.rule));
  return { plan, timings, findings };
}
