/**
 * What `canary-inference plan` prints: each stage's weights, its pause, and the
 * guardrails that decide between stages, as a table (the default), a JSON
 * document ({@link PlanDocument}) or a Mermaid flowchart.
 */
import { BackendRenderer, defaultQuery, measuredPlan } from '../backends';
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

/** The formats of `plan --format`. */
export const PLAN_FORMATS = ['table', 'json', 'mermaid'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/**
 * `plan --format json`, key for key in this order (2-space indent, one trailing newline).
 * Adding a key is compatible; renaming or removing one is not.
 */
export interface PlanDocument {
  /** The service's name. */
  readonly service: string;
  /** The backend's title, e.g. `Argo Rollouts`, `KServe Standard mode`. */
  readonly backend: string;
  /** The router splitting traffic, e.g. `istio`. */
  readonly router: string;
  /** Main's version name. */
  readonly mainVersion: string;
  /**
   * The commands that move the rollout on and roll it back, when the backend's controller runs the
   * stages itself (Argo Rollouts); null when each stage is its own manifests (`synth --stage N`,
   * gated by `gate --stage N`).
   */
  readonly rolloutController: { readonly promote: string; readonly rollback: string } | null;
  /** Every stage in order. */
  readonly stages: readonly PlanStage[];
  /** How the guardrails are measured; null without guardrails (each stage then advances on its pause alone). */
  readonly analysis: PlanAnalysis | null;
  /** The guardrails measured, in the file's order; empty when none is. */
  readonly guardrails: readonly PlanGuardrail[];
  /** Requests the canary must have served before a measurement decides; null when not set. */
  readonly minRequests: number | null;
}

/** One stage of a {@link PlanDocument}. */
export interface PlanStage {
  /** 1-based, as `synth --stage N` takes it. */
  readonly number: number;
  /** Each live version's percent of traffic, main first, then the canaries in the file's order. */
  readonly weights: readonly { readonly version: string; readonly percent: number }[];
  /** The pause after the stage in seconds; null: until promoted by hand. */
  readonly pauseSeconds: number | null;
}

/** When the guardrails are measured. */
export interface PlanAnalysis {
  /** `step`: after each stage's pause, `count` measurements; `background`: all through the rollout. */
  readonly runs: 'step' | 'background';
  /** Measurements per analysis; null in the background (it runs until the rollout ends). */
  readonly count: number | null;
  /** Seconds between measurements. */
  readonly intervalSeconds: number;
}

/** One guardrail of a {@link PlanDocument}: promote at or past `promote`, roll back past `rollback`, hold in between. */
export interface PlanGuardrail {
  /** As the file names it, e.g. `error_rate`. */
  readonly kind: string;
  /** `lower`: promote at or below `promote`, roll back above `rollback`; `higher`: the reverse. */
  readonly better: 'lower' | 'higher';
  readonly promote: number;
  readonly rollback: number;
  /** Where the value comes from, as the table prints it, e.g. `query: default for router istio`. */
  readonly source: string;
}

/**
 * The plan of a validated spec as data; `router` names the metrics the default queries read.
 * @throws ValidationError when the spec has no rollout or no canary
 */
export function planDocument(spec: CanarySpec, router: string, backend: BackendRenderer): PlanDocument {
  const stages = stagePlan(spec);
  const plan = measuredPlan(spec.rollout!, router);
  const controller = backend.rolloutController?.(spec);
  const measured = plan.guardrails.length > 0;
  // built key by key: the order is the document's
  return {
    service: spec.name,
    backend: backend.title,
    router,
    mainVersion: spec.main.name,
    rolloutController: controller ? { promote: controller.promote, rollback: controller.rollback } : null,
    stages: stages.map((s) => ({
      number: s.number,
      weights: s.weights.map((w) => ({ version: w.version, percent: w.weight })),
      pauseSeconds: s.pauseSeconds ?? null,
    })),
    analysis: measured ? { runs: plan.analysis, count: plan.analysis === 'step' ? plan.count : null, intervalSeconds: plan.intervalSeconds } : null,
    guardrails: plan.guardrails.map((g) => ({
      kind: fileName(g.kind),
      better: g.better,
      promote: g.promote,
      rollback: g.rollback,
      source: source(g, router, plan),
    })),
    minRequests: measured ? plan.minRequests ?? null : null,
  };
}

/** `plan --format json`. */
export function formatPlanJson(doc: PlanDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Text for a quoted Mermaid label: `"`, `#`, `<`, `>` and `&` as Mermaid entity codes
 * (`#quot;`, ...), so neither Mermaid's parser nor its HTML labels read them.
 */
export function mermaidText(text: string): string {
  const codes: Record<string, string> = { '"': '#quot;', '#': '#35;', '<': '#lt;', '>': '#gt;', '&': '#amp;' };
  return text.replace(/["#<>&]/g, (c) => codes[c]);
}

/** A quoted label of escaped lines. */
const label = (...lines: string[]) => `"${lines.map(mermaidText).join('<br/>')}"`;

const shares = (weights: PlanStage['weights']) => weights.map((w) => `${w.version} ${w.percent}%`).join(' · ');

function guardrailLine(g: PlanGuardrail): string {
  return g.better === 'lower' ? `${g.kind}: promote ≤ ${g.promote}, roll back > ${g.rollback}` : `${g.kind}: promote ≥ ${g.promote}, roll back < ${g.rollback}`;
}

/**
 * `plan --format mermaid`: a flowchart, top to bottom, with node ids `s1`.. (stages), `g1`.. (the gate
 * after each stage's pause; `g` for a background analysis, watching the subgraph `stages`), `promoted`
 * and `rollback`.
 */
export function formatPlanMermaid(doc: PlanDocument): string {
  const nodes: string[] = [];
  const edges: string[] = [];
  const n = doc.stages.length;
  const pause = (s: PlanStage) => label(s.pauseSeconds === null ? 'pause until promoted by hand' : `pause ${goDuration(s.pauseSeconds)}`);
  const stageNode = (s: PlanStage) => `s${s.number}[${label(`Stage ${s.number}`, shares(s.weights))}]`;
  const analysis = doc.analysis;
  const rules = [
    ...doc.guardrails.map(guardrailLine),
    ...(doc.minRequests !== null ? [`no decision before ${doc.minRequests} requests`] : []),
    'in between: hold',
  ];
  if (analysis?.runs === 'background') {
    nodes.push(`subgraph stages [${label('every stage watched by the guardrails')}]`, ...doc.stages.map((s) => `  ${stageNode(s)}`), 'end');
    nodes.push(`g{{${label(`guardrails in the background, every ${goDuration(analysis.intervalSeconds)}`, ...rules)}}}`);
    for (const s of doc.stages) edges.push(`s${s.number} -->|${pause(s)}| ${s.number < n ? `s${s.number + 1}` : 'promoted'}`);
    edges.push('stages -.- g', `g -->|${label('roll back')}| rollback`);
  } else if (analysis) {
    const measurements = analysis.count === 1 ? '1 measurement' : `${analysis.count} measurements, ${goDuration(analysis.intervalSeconds)} apart`;
    for (const s of doc.stages) {
      nodes.push(stageNode(s), `g${s.number}{{${label(`gate ${s.number}: ${measurements}`, ...rules)}}}`);
      edges.push(
        `s${s.number} -->|${pause(s)}| g${s.number}`,
        `g${s.number} -->|${label('promote')}| ${s.number < n ? `s${s.number + 1}` : 'promoted'}`,
        `g${s.number} -->|${label('roll back')}| rollback`,
      );
    }
  } else {
    for (const s of doc.stages) {
      nodes.push(stageNode(s));
      edges.push(`s${s.number} -->|${pause(s)}| ${s.number < n ? `s${s.number + 1}` : 'promoted'}`);
    }
  }
  nodes.push(`promoted([${label('promoted')}])`);
  if (analysis) {
    const back = doc.stages[0].weights.map((w, i) => ({ version: w.version, percent: i === 0 ? 100 : 0 }));
    nodes.push(`rollback([${label('rolled back', shares(back))}])`);
  }
  const title = `${doc.service} on ${doc.backend}, router ${doc.router}; main version: ${doc.mainVersion}${analysis ? '' : '; no guardrails'}`;
  return ['flowchart TD', `  %% ${title}`, ...nodes.map((l) => `  ${l}`), ...edges.map((l) => `  ${l}`)].join('\n') + '\n';
}

/**
 * The plan in `format`.
 * @throws ValidationError when the spec has no rollout or no canary
 */
export function renderPlan(format: PlanFormat, spec: CanarySpec, router: string, backend: BackendRenderer): string {
  if (format === 'table') return formatPlan(spec, router, backend.title);
  const doc = planDocument(spec, router, backend);
  return format === 'json' ? formatPlanJson(doc) : formatPlanMermaid(doc);
}
