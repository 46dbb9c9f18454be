/**
 * A Grafana dashboard per service: each version's traffic, errors and p99 latency side by side (from the router's
 * request metrics), its ready pods (kube-state-metrics), each guardrail with its promote and rollback thresholds,
 * the declared weights and the stage plan. Built with Grafana's typed builders (@grafana/grafana-foundation-sdk),
 * loaded only when a dashboard is rendered; every query is the guardrails' own (one builder for both), per version.
 *
 * Pure and deterministic: explicit panel ids and grid positions, no clock.
 */
import type * as Common from '@grafana/grafana-foundation-sdk/common';
import type * as Dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as Prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as Text from '@grafana/grafana-foundation-sdk/text';
import type * as Timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { fnv1a32 } from '../../routers/assignment';
import { CanarySpec, goDuration, GuardrailSpec, parseRollout, RolloutPlan, stagePlan, Version } from '../../spec';
import { KubeObject } from '../types';
import { bentoRequestQueries, guardrailQueryFor, hasRequestMetrics, readyPodsQuery, requestRateQuery, VersionSide, withArgs } from './guardrails';
import { objectLabels } from './pod';

/** The sidecar's label of kube-prometheus-stack (its `grafana.sidecar.dashboards.label` and `labelValue`). */
export const DEFAULT_DASHBOARD_LABEL: Readonly<Record<string, string>> = { grafana_dashboard: '1' };
/** The annotation k8s-sidecar reads a dashboard's folder from when none is configured. */
export const DEFAULT_FOLDER_ANNOTATION = 'k8s-sidecar-target-directory';
/** The most a ConfigMap holds (data and binaryData together). */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

/** Dashboard panels, as the builders emit them. */
interface Sdk {
  readonly common: typeof Common;
  readonly dashboard: typeof Dashboard;
  readonly prometheus: typeof Prometheus;
  readonly text: typeof Text;
  readonly timeseries: typeof Timeseries;
}

let sdk: Sdk | undefined;

/** The SDK, loaded on first use. */
function grafana(): Sdk {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return (sdk ??= {
    common: require('@grafana/grafana-foundation-sdk/common') as typeof Common,
    dashboard: require('@grafana/grafana-foundation-sdk/dashboard') as typeof Dashboard,
    prometheus: require('@grafana/grafana-foundation-sdk/prometheus') as typeof Prometheus,
    text: require('@grafana/grafana-foundation-sdk/text') as typeof Text,
    timeseries: require('@grafana/grafana-foundation-sdk/timeseries') as typeof Timeseries,
  });
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Whether the model servers' own request metrics are scraped: every version a bento, with the PodMonitor. */
function bentoMetrics(spec: CanarySpec): boolean {
  return spec.monitoring && [spec.main, ...spec.canaries].every((v) => v.artifact.kind === 'bento');
}

/**
 * Whether the service gets a dashboard (and how): as declared, else a ConfigMap where it has request metrics
 * (the router's, or BentoML's own under the PodMonitor).
 */
export function dashboardDelivery(spec: CanarySpec, router: string): 'configmap' | 'grafana-operator' | 'off' {
  return spec.dashboards?.delivery ?? (hasRequestMetrics(router) || bentoMetrics(spec) ? 'configmap' : 'off');
}

/** One query of a panel: the version it draws, and the PromQL. */
export interface DashboardQuery {
  readonly version: string;
  readonly expr: string;
}

/** A panel as the tests and the CLI read it: title, unit, queries, thresholds. */
export interface DashboardPanelPlan {
  readonly title: string;
  readonly unit: string;
  readonly queries: readonly DashboardQuery[];
  /** Promote and rollback thresholds, for a guardrail. */
  readonly guardrail?: GuardrailSpec;
}

const UNITS: Readonly<Record<GuardrailSpec['kind'], string>> = {
  errorRate: 'percentunit',
  p99LatencyMs: 'ms',
  predictionDriftPsi: 'none',
  businessMetricDelta: 'percentunit',
};

const TITLES: Readonly<Record<GuardrailSpec['kind'], string>> = {
  errorRate: 'Guardrail: error rate',
  p99LatencyMs: 'Guardrail: p99 latency',
  predictionDriftPsi: 'Guardrail: prediction drift (PSI)',
  businessMetricDelta: 'Guardrail: business metric, canary against main',
};

/** The dashboard's namespace variable, in every query. */
const NAMESPACE_VARIABLE = '$namespace';

/** A query for one version: main reads the stable side, a canary its own. */
function perVersion(spec: CanarySpec, build: (side: VersionSide) => string | undefined): DashboardQuery[] {
  const versions: Version[] = [spec.main, ...spec.canaries, ...(spec.mirror ? [spec.mirror] : [])];
  return versions.flatMap((v) => {
    const side: VersionSide = v.role === 'main' ? 'stable' : 'canary';
    const q = build(side);
    if (q === undefined) return [];
    const args = { 'namespace': NAMESPACE_VARIABLE, 'service': spec.name, 'canary-version': v.name, 'stable-version': spec.main.name };
    return [{ version: v.name, expr: withArgs(q, args) }];
  });
}

/** The panels of the service's dashboard, with their queries (what the builders draw). */
export function dashboardPanels(spec: CanarySpec, router: string, ownPods: boolean): DashboardPanelPlan[] {
  // without a rollout, the default rate window (the guardrails' defaults)
  const plan: RolloutPlan = spec.rollout ?? parseRollout({}, ['rollout']);
  const panels: DashboardPanelPlan[] = [];
  if (hasRequestMetrics(router)) {
    const errorRate = { kind: 'errorRate', better: 'lower', promote: 0, rollback: 0, defaulted: true } as GuardrailSpec;
    const latency = { kind: 'p99LatencyMs', better: 'lower', promote: 0, rollback: 0, defaulted: true } as GuardrailSpec;
    const bare = { ...plan, minRequests: undefined };
    panels.push({ title: 'Requests per second', unit: 'reqps', queries: perVersion(spec, (side) => requestRateQuery(router, plan, side)) });
    panels.push({ title: 'Error rate (5xx)', unit: 'percentunit', queries: perVersion(spec, (side) => guardrailQueryFor(errorRate, router, bare, side)) });
    panels.push({ title: 'p99 latency', unit: 'ms', queries: perVersion(spec, (side) => guardrailQueryFor(latency, router, bare, side)) });
  } else if (bentoMetrics(spec)) {
    // no router's metrics: the bentos' own, as the PodMonitor scrapes them
    panels.push({ title: 'Requests per second', unit: 'reqps', queries: perVersion(spec, (side) => bentoRequestQueries(plan, side).rate) });
    panels.push({ title: 'Error rate (5xx)', unit: 'percentunit', queries: perVersion(spec, (side) => bentoRequestQueries(plan, side).errorRate) });
    panels.push({ title: 'p99 latency', unit: 'ms', queries: perVersion(spec, (side) => bentoRequestQueries(plan, side).p99) });
  }
  // models in shared servers (Seldon Core v2) have no pods of their own to count
  if (ownPods) {
    panels.push({ title: 'Ready pods', unit: 'short', queries: perVersion(spec, (side) => readyPodsQuery(side)) });
  }
  for (const g of spec.rollout?.guardrails ?? []) {
    const queries = perVersion(spec, (side) => guardrailQueryFor(g, router, plan, side));
    if (queries.length > 0) panels.push({ title: TITLES[g.kind], unit: UNITS[g.kind], queries, guardrail: g });
  }
  return panels;
}

/** The weights and, with a rollout, the stage plan, as Markdown. */
function planMarkdown(spec: CanarySpec): string {
  const versions = [spec.main, ...spec.canaries];
  const lines = [
    `**${spec.name}**: declared weights`,
    '',
    `| ${versions.map((v) => v.name).join(' | ')} |${spec.mirror ? ` mirror ${spec.mirror.name} |` : ''}`,
    `|${versions.map(() => ' ---: |').join('')}${spec.mirror ? ' ---: |' : ''}`,
    `| ${versions.map((v) => `${v.weight}%`).join(' | ')} |${spec.mirror ? ` copy of ${spec.mirror.weight}% |` : ''}`,
  ];
  if (spec.rollout && spec.canaries.length > 0) {
    const stages = stagePlan(spec);
    lines.push('', `**Rollout**: ${stages.length} stages, guardrails measured ${spec.rollout.analysis === 'step' ? 'after each pause' : 'in the background'}`, '');
    lines.push(`| stage | ${versions.map((v) => v.name).join(' | ')} | pause |`, `| ---: |${versions.map(() => ' ---: |').join('')} --- |`);
    for (const s of stages) {
      lines.push(`| ${s.number} | ${s.weights.map((w) => `${w.weight}%`).join(' | ')} | ${s.pauseSeconds === undefined ? 'until promoted' : goDuration(s.pauseSeconds)} |`);
    }
  }
  return lines.join('\n');
}

const PANEL_WIDTH = 8;
const PANEL_HEIGHT = 8;
const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Threshold steps of a guardrail: green where it promotes, yellow where it holds, red where it rolls back. */
function thresholdSteps(g: GuardrailSpec): { value: number | null; color: string }[] {
  return g.better === 'lower'
    ? [{ value: null, color: 'green' }, { value: g.promote, color: 'yellow' }, { value: g.rollback, color: 'red' }]
    : [{ value: null, color: 'red' }, { value: g.rollback, color: 'yellow' }, { value: g.promote, color: 'green' }];
}

/** A short, stable dashboard uid (Grafana and grafana-operator take at most 40 characters). */
function dashboardUid(spec: CanarySpec): string {
  const plain = `ci-${spec.namespace ? `${spec.namespace}-` : ''}${spec.name}`;
  if (plain.length <= 40) return plain;
  return `ci-${fnv1a32(plain).toString(16).padStart(8, '0')}-${spec.name}`.slice(0, 40).replace(/-+$/, '');
}

/** The dashboard's JSON model (Grafana's classic dashboard JSON, as the sidecar and grafana-operator load it). */
export function dashboardModel(spec: CanarySpec, router: string, ownPods: boolean): Record<string, unknown> {
  const { common, dashboard, prometheus, text, timeseries } = grafana();
  const ds = { type: 'prometheus', uid: '${datasource}' };
  const builder = new dashboard.DashboardBuilder(`Canary: ${spec.name}${spec.namespace ? ` (${spec.namespace})` : ''}`)
    .uid(dashboardUid(spec))
    .tags(['canary-inference', spec.name])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new dashboard.TextBoxVariableBuilder('namespace')
        .label('Namespace')
        .defaultValue(spec.namespace ?? 'default')
        .current({ text: spec.namespace ?? 'default', value: spec.namespace ?? 'default' }),
    );
  let id = 1;
  let y = 0;
  const row = (title: string) => {
    builder.withRow(new dashboard.RowBuilder(title).id(id++).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
  };
  const panels = dashboardPanels(spec, router, ownPods);
  const place = (list: readonly DashboardPanelPlan[]) => {
    list.forEach((p, i) => {
      const panel = new timeseries.PanelBuilder()
        .id(id++)
        .title(p.title)
        .datasource(ds)
        .unit(p.unit)
        .gridPos({ x: (i % 3) * PANEL_WIDTH, y: y + Math.floor(i / 3) * PANEL_HEIGHT, w: PANEL_WIDTH, h: PANEL_HEIGHT })
        .legend(
          new common.VizLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(common.LegendDisplayMode.List)
            .placement(common.LegendPlacement.Bottom),
        );
      if (p.guardrail) {
        const g = p.guardrail;
        panel
          .description(`${g.better === 'lower' ? `promote at or below ${g.promote}, roll back above ${g.rollback}` : `promote at or above ${g.promote}, roll back below ${g.rollback}`}; between them the rollout holds`)
          .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(thresholdSteps(g)))
          .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.LineAndArea));
      }
      p.queries.forEach((q, n) => {
        panel.withTarget(new prometheus.DataqueryBuilder().datasource(ds).expr(q.expr).legendFormat(q.version).refId(REF_IDS[n] ?? `Q${n}`).range());
      });
      builder.withPanel(panel);
    });
    y += Math.ceil(list.length / 3) * PANEL_HEIGHT;
  };
  const signals = panels.filter((p) => !p.guardrail);
  const guardrails = panels.filter((p) => p.guardrail);
  row('Each version side by side');
  place(signals);
  if (guardrails.length > 0) {
    row('Guardrails (promote and rollback thresholds)');
    place(guardrails);
  }
  row('Weights and stages');
  builder.withPanel(
    new text.PanelBuilder()
      .id(id++)
      .title('Declared weights and rollout plan')
      .mode(text.TextMode.Markdown)
      .content(planMarkdown(spec))
      .gridPos({ x: 0, y, w: 24, h: PANEL_HEIGHT }),
  );
  // a copy: the builder hands out its own object
  return JSON.parse(JSON.stringify(builder.build())) as Record<string, unknown>;
}

/** The dashboard's objects: a ConfigMap for Grafana's sidecar, a GrafanaDashboard for grafana-operator, or none. */
export function dashboardObjects(spec: CanarySpec, router: string, ownPods: boolean): KubeObject[] {
  const delivery = dashboardDelivery(spec, router);
  if (delivery === 'off') return [];
  const json = JSON.stringify(dashboardModel(spec, router, ownPods));
  const name = `${spec.name}-dashboard`;
  const d = spec.dashboards;
  const metadata = (extra: Record<string, string>, annotations?: Record<string, string>) => ({
    name,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    labels: { ...objectLabels(spec), ...extra },
    ...(annotations ? { annotations } : {}),
  });
  if (delivery === 'grafana-operator') {
    return [
      {
        apiVersion: 'grafana.integreatly.org/v1beta1',
        kind: 'GrafanaDashboard',
        metadata: metadata({}),
        spec: {
          instanceSelector: d?.instanceSelector ? { matchLabels: { ...d.instanceSelector } } : {},
          ...(d?.folder ? { folder: d.folder } : {}),
          json,
        },
      },
    ];
  }
  const folder = d?.folder ? { [d.folderAnnotation ?? DEFAULT_FOLDER_ANNOTATION]: d.folder } : undefined;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata({ ...(d?.label ?? DEFAULT_DASHBOARD_LABEL) }, folder),
      data: { [`${spec.name}.json`]: json },
    },
  ];
}
