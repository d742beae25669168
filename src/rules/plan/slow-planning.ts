import type { PlanRule } from '../types.js';

/** Planning below this is not worth a finding, whatever the ratio. */
const MIN_PLANNING_MS = 10;

export const slowPlanning: PlanRule = {
  id: 'slow-planning',
  area: 'plan',
  severity: 'warning',
  needsAnalyze: true,
  summary: 'Planning took longer than executing: many joins, many partitions or large IN lists make the planner the bottleneck; a prepared statement plans once and reuses the plan.',
  check({ plan, nodes }) {
    const planning = plan.planningMs;
    const execution = plan.executionMs;
    if (planning === undefined || execution === undefined || planning < MIN_PLANNING_MS || planning <= execution) return [];
    const scans = nodes.filter((n) => n.relation).length;
    return [
      {
        rule: this.id,
        severity: this.severity,
        message: `Planning took ${planning.toFixed(1)} ms, ${(planning / Math.max(execution, 0.001)).toFixed(1)}x the ${execution.toFixed(1)} ms execution (${scans} relation scans in the plan)`,
        hint: 'Use a prepared statement (most drivers do with parameters) so the plan is reused; lower join_collapse_limit/from_collapse_limit for queries with many joins; make partition pruning possible with a constant or parameter on the partition key.',
        planNode: plan.root.id,
        docs: `docs/rules/${this.id}.md`,
      },
    ];
  },
};
