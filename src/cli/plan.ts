/**
 * The stage table printed by `canary-inference plan`: each stage's weights,
 * its pause, and the guardrails that decide between stages.
 */
import { defaultQuery, measuredPlan } from '../backends';
import { CanarySpec, goDuration, GuardrailSpec, RolloutPlan, stagePlan } from '../spec';

/** A guardrail's name as the file writes it: `errorRate` -> `error_rate`. */
const fileName = (kind: GuardrailSpec['kind']) => kind.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n') + '\n';
}

function source(g: GuardrailSpec, router: string, plan: RolloutPlan): string {
  if (g.web) return `web ${g.web.url} ${g.web.jsonPath}`;
  if (g.query) return 'query: yours';
  if (g.metric) return `metric: ${g.metric} of the canary`;
  if (g.success && g.total) return `metrics: ${g.success} per ${g.total}, canary against main`;
  return defaultQuery(g.kind, router, plan) !== undefined ? `query: default for router ${router}` : 'query: none';
}

/** The plan of a validated spec, as text. `router` names the metrics the default queries read. */
export function formatPlan(spec: CanarySpec, router: string, backendTitle: string): string {
  const stages = stagePlan(spec);
  const plan = measuredPlan(spec.rollout!, router);
  const versions = stages[0].weights.map((w) => w.version);
  const rows = [
    ['stage', ...versions, 'pause'],
    ...stages.map((s) => [
      String(s.number),
      ...s.weights.map((w) => `${w.weight}%`),
      s.pauseSeconds === undefined ? 'until promoted' : goDuration(s.pauseSeconds),
    ]),
  ];
  const lines = [`${spec.name} on ${backendTitle}, router ${router}; main version: ${spec.main.name}`, '', table(rows)];
  if (plan.guardrails.length > 0) {
    const analysis = plan.analysis === 'step' ? `after each pause, ${plan.count} measurements ${goDuration(plan.intervalSeconds)} apart` : `in the background, every ${goDuration(plan.intervalSeconds)}`;
    lines.push(`guardrails (${analysis}; between the thresholds: hold):`);
    lines.push(
      table(
        plan.guardrails.map((g) => [
          `  ${fileName(g.kind)}`,
          g.better === 'lower' ? `promote below ${g.promote}` : `promote above ${g.promote}`,
          g.better === 'lower' ? `roll back above ${g.rollback}` : `roll back below ${g.rollback}`,
          source(g, router, plan),
        ]),
      ),
    );
    if (plan.minRequests !== undefined) lines.push(`no decision before the canary has served ${plan.minRequests} requests\n`);
  } else {
    lines.push('no guardrails: each stage is promoted by hand\n');
  }
  return lines.join('\n');
}
