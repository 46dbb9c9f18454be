/**
 * The per-service Grafana dashboard: its structure (every backend × router), its delivery (ConfigMap for the
 * sidecar, GrafanaDashboard for grafana-operator, off), and its queries on a real Prometheus: each parses
 * (promtool) and, on synthetic data of main and a canary, returns each version's own series.
 */
import { Testing } from 'cdk8s';
import { Artifact, Backend, CanaryInferenceService, Dashboards, Router, synthesize, synthesizeConfigFile } from '../../src';
import { dashboardPanels } from '../../src/backends/common/dashboard';
import { parseConfig, synthesizeConfig } from '../../src/config';
import { dashboardSizeIssues } from '../../src/render';
import { parseRollout } from '../../src/spec';
import { EXAMPLES, runCli, writeTemp } from '../support/cli';
import { expectValidManifests } from '../support/manifests';
import {
  counterSeries, gaugeSeries, histogramSeries, MetricFamily, MetricType, openMetricsText,
  PrometheusServer, prometheusInstalled, promtoolCheckRules, Series,
} from '../support/prometheus';

const SERVICE = 'fraud-detector';
const NAMESPACE = 'ml';

const GUARDRAILS = {
  errorRate: { promoteBelow: 0.005, rollbackAbove: 0.01 },
  p99LatencyMs: { promoteBelow: 200, rollbackAbove: 500 },
  predictionDriftPsi: { promoteBelow: 0.1, rollbackAbove: 0.2, metric: 'model_prediction_psi' },
  businessMetricDelta: { promoteAbove: 0, rollbackBelow: -0.03, success: 'conversions_total', total: 'predictions_total' },
};

function fraudDetector(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: SERVICE,
    namespace: NAMESPACE,
    imageRepository: 'registry.example.com/bentos',
    main: { artifact: { type: 'bento', tag: 'fraud:v1abc' } },
    versions: { v2: { weight: 5, artifact: { type: 'bento', tag: 'fraud:v2def' } } },
    rollout: { stages: [5, 10, 25, 50, 100], pause: '5m', guardrails: GUARDRAILS },
    ...extra,
  };
}

/** The dashboard JSON of rendered objects (ConfigMap or GrafanaDashboard). */
function dashboardOf(objects: readonly any[]): any {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-dashboard'));
  if (cm) return JSON.parse(Object.values(cm.data as Record<string, string>)[0]);
  const gd = objects.find((o) => o.kind === 'GrafanaDashboard');
  return gd ? JSON.parse(gd.spec.json) : undefined;
}

/** Structural checks: unique ids, no overlapping grid positions, every panel a query and a unit (text panels aside). */
function expectWellFormed(d: any): void {
  const ids = d.panels.map((p: any) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.every((id: unknown) => typeof id === 'number' && id > 0)).toBe(true);
  const cells = new Set<string>();
  for (const p of d.panels) {
    const { x, y, w, h } = p.gridPos;
    expect(x + w).toBeLessThanOrEqual(24);
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        const cell = `${i},${j}`;
        expect(cells.has(cell)).toBe(false);
        cells.add(cell);
      }
    }
    if (p.type === 'timeseries') {
      expect(p.targets.length).toBeGreaterThan(0);
      expect(typeof p.fieldConfig.defaults.unit).toBe('string');
      for (const t of p.targets) {
        expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(t.expr).not.toMatch(/\{\{/);
      }
    }
  }
  expect(d.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'namespace']);
  expect(JSON.stringify(d)).not.toMatch(/"uid":"(?!\$\{datasource\}|ci-)[^"]*"/);
}

const TARGETS: readonly (readonly [string, () => Backend, Router])[] = [
  ['kserve', () => Backend.kserve(), Router.istio()],
  ['seldon', () => Backend.seldon(), Router.istio()],
  ['argo-rollouts', () => Backend.argoRollouts(), Router.istio()],
  ['argo-rollouts + nginx', () => Backend.argoRollouts(), Router.nginx({ hosts: ['fraud.example.com'] })],
  ['kserve + gateway-api (no request metrics: declared)', () => Backend.kserve(), Router.gatewayApi()],
];

describe('the dashboard of every backend × router', () => {
  test.each(TARGETS)('%s: well-formed, valid objects, one query per version per panel', (_name, backend, router) => {
    const model = (v: string) => ({ type: 'model', storageUri: `s3://models/fraud/${v}`, format: 'sklearn' });
    const kserveLike = backend().name !== 'argo-rollouts';
    const input = fraudDetector({
      ...(kserveLike ? { main: { artifact: model('v1') }, versions: { v2: { weight: 5, artifact: model('v2') } } } : {}),
      dashboards: { delivery: 'configmap' },
    });
    const out = synthesize(input, { backend: backend(), router });
    expectValidManifests(out.objects);
    const d = dashboardOf(out.objects);
    expectWellFormed(d);
    for (const p of d.panels.filter((x: any) => x.type === 'timeseries')) {
      const legends = p.targets.map((t: any) => t.legendFormat);
      // main and the canary side by side (the business metric compares the canary with main: no series of main)
      expect(legends).toEqual(p.title.startsWith('Guardrail: business') ? ['v2'] : ['main', 'v2']);
    }
  });

  test('Seldon Core v2 has no pods of its own to count, and no router with request metrics: guardrail panels only', () => {
    const model = (v: string) => ({ type: 'model', storageUri: `s3://models/fraud/${v}`, format: 'sklearn' });
    const out = synthesize(
      fraudDetector({ main: { artifact: model('v1') }, versions: { v2: { weight: 5, artifact: model('v2') } }, dashboards: { delivery: 'configmap' } }),
      { backend: Backend.seldonV2() },
    );
    const d = dashboardOf(out.objects);
    expectWellFormed(d);
    expect(d.panels.filter((p: any) => p.type === 'timeseries').map((p: any) => p.title)).toEqual([
      'Guardrail: prediction drift (PSI)',
      'Guardrail: business metric, canary against main',
    ]);
  });
});

describe('delivery', () => {
  test('by default a ConfigMap for the sidecar where the router has request metrics; none without', () => {
    const withIstio = synthesize(fraudDetector(), { backend: Backend.argoRollouts(), router: Router.istio() });
    const cm = withIstio.objects.find((o) => o.kind === 'ConfigMap') as any;
    expect(cm.metadata).toMatchObject({ name: 'fraud-detector-dashboard', namespace: 'ml', labels: { 'grafana_dashboard': '1', 'app.kubernetes.io/name': SERVICE } });
    expect(Object.keys(cm.data)).toEqual(['fraud-detector.json']);
    expect(Buffer.byteLength(cm.data['fraud-detector.json'])).toBeLessThan(1024 * 1024);
    const native = synthesize(fraudDetector({ rollout: undefined }), { backend: Backend.argoRollouts() });
    expect(native.objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'GrafanaDashboard')).toEqual([]);
  });

  test('a label, a folder and its annotation are configurable', () => {
    const out = synthesize(
      fraudDetector({ dashboards: { delivery: 'configmap', label: { team_dashboards: 'yes' }, folder: 'Canaries', folderAnnotation: 'grafana_folder' } }),
      { backend: Backend.argoRollouts(), router: Router.istio() },
    );
    const cm = out.objects.find((o) => o.kind === 'ConfigMap') as any;
    expect(cm.metadata.labels.team_dashboards).toBe('yes');
    expect(cm.metadata.labels.grafana_dashboard).toBeUndefined();
    expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Canaries' });
  });

  test('a GrafanaDashboard for grafana-operator, valid against its CRD', () => {
    const out = synthesize(fraudDetector({ dashboards: { delivery: 'grafana-operator', folder: 'Canaries', instanceSelector: { dashboards: 'grafana' } } }), {
      backend: Backend.argoRollouts(),
      router: Router.istio(),
    });
    expectValidManifests(out.objects);
    const gd = out.objects.find((o) => o.kind === 'GrafanaDashboard') as any;
    expect(gd.apiVersion).toBe('grafana.integreatly.org/v1beta1');
    expect(gd.spec.instanceSelector).toEqual({ matchLabels: { dashboards: 'grafana' } });
    expect(gd.spec.folder).toBe('Canaries');
    expect(typeof gd.spec.json).toBe('string');
    expectWellFormed(JSON.parse(gd.spec.json));
    expect(out.objects.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
  });

  test('off renders none, also with a router that has request metrics', () => {
    const out = synthesize(fraudDetector({ dashboards: { delivery: 'off' } }), { backend: Backend.argoRollouts(), router: Router.istio() });
    expect(out.objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'GrafanaDashboard')).toEqual([]);
  });

  test('the same definition gives a byte-identical dashboard', () => {
    const a = synthesize(fraudDetector(), { backend: Backend.argoRollouts(), router: Router.istio() });
    const b = synthesize(fraudDetector(), { backend: Backend.argoRollouts(), router: Router.istio() });
    expect(JSON.stringify(a.objects)).toBe(JSON.stringify(b.objects));
  });

  test('fails when a dashboard ConfigMap would hold more than 1 MiB, naming grafana-operator', () => {
    const configMap = (bytes: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'svc-dashboard' }, data: { 'svc.json': 'x'.repeat(bytes) } });
    expect(dashboardSizeIssues([configMap(1024 * 1024)])).toEqual([]);
    expect(dashboardSizeIssues([configMap(1024 * 1024 + 1)])).toEqual([
      { path: ['dashboards'], message: 'the dashboard is 1.0 MiB and a ConfigMap holds at most 1 MiB; deliver it as a GrafanaDashboard (grafana-operator), or leave it off' },
    ]);
  });

  test('fails on a delivery that is not one, naming the three', () => {
    expect(() => synthesize(fraudDetector({ dashboards: { delivery: 'sidecar' } }))).toThrow(/dashboards\.delivery: must be "configmap", "grafana-operator" or "off", got "sidecar"/);
  });
});

describe('from a file and from code', () => {
  const file = (k8s: string) =>
    `name: fraud-detector\nbento: fraud:v1abc\ncanary:\n  versions:\n    v2: {bento: fraud:v2def, weight: 5}\nkubernetes:\n  namespace: ml\n  backend: argo-rollouts\n  router: istio\n  image_repository: registry.example.com/bentos\n${k8s}`;

  test('kubernetes.dashboards: grafana-operator, with its folder and instance selector', () => {
    const out = synthesizeConfig(parseConfig(file('  dashboards: grafana-operator\n  dashboard_folder: Canaries\n  grafana_instance_selector: {dashboards: grafana}\n'), 'f.yaml'));
    const gd = out.objects.find((o) => o.kind === 'GrafanaDashboard') as any;
    expect(gd.spec).toMatchObject({ folder: 'Canaries', instanceSelector: { matchLabels: { dashboards: 'grafana' } } });
  });

  test('kubernetes.dashboards: off', () => {
    const out = synthesizeConfig(parseConfig(file('  dashboards: off\n'), 'f.yaml'));
    expect(out.objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'GrafanaDashboard')).toEqual([]);
  });

  test('fails on a delivery that is not one, at its line and column', () => {
    expect(() => synthesizeConfig(parseConfig(file('  dashboards: sidecar\n'), 'f.yaml'))).toThrow(/f\.yaml:11:3 kubernetes\.dashboards: must be "configmap", "grafana-operator" or "off", got "sidecar"/);
  });

  test('the construct takes Dashboards.grafanaOperator(); a string is refused naming the class', () => {
    const chart = Testing.chart();
    new CanaryInferenceService(chart, 'Svc', {
      name: SERVICE,
      router: Router.istio(),
      dashboards: Dashboards.grafanaOperator({ folder: 'Canaries' }),
      main: { artifact: Artifact.model({ storageUri: 's3://m/v1', format: 'sklearn' }) },
    });
    const objects = Testing.synth(chart);
    expect(objects.filter((o) => o.kind === 'GrafanaDashboard')).toHaveLength(1);
    const bad = Testing.chart();
    new CanaryInferenceService(bad, 'Svc', { name: SERVICE, dashboards: 'configmap' as never, main: { artifact: Artifact.model({ storageUri: 's3://m/v1', format: 'sklearn' }) } });
    expect(() => Testing.synth(bad)).toThrow(/dashboards: must be a Dashboards, e\.g\. Dashboards\.configMap\(\) or Dashboards\.off\(\), got "configmap"/);
  });
});

describe('canary-inference dashboard -f FILE', () => {
  test('prints the dashboard JSON for import by hand, whatever its delivery', () => {
    const run = runCli('dashboard', '-f', `${EXAMPLES}/fraud-detector-rollout.yaml`);
    expect(run.code).toBe(0);
    const d = JSON.parse(run.stdout);
    expectWellFormed(d);
    expect(d.title).toBe('Canary: fraud-detector (ml)');
    const off = runCli('dashboard', '-f', `${EXAMPLES}/fraud-detector-rollout.yaml`, '--router', 'native');
    // no request metrics: the guardrails, pods and plan only; still a dashboard to import
    expect(off.code).toBe(1);
    expect(off.stderr).toMatch(/rollout\.guardrails/);
  });

  test('fails with the file\'s problems, as every command does', () => {
    const run = runCli('dashboard', '-f', writeTemp('bad-dashboard.yaml', 'name: a\nbento: a:b\ncanary:\n  versions:\n    b: {bento: a:c, weight: 120}\n'));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/:5:\d+ canary\.versions\.b\.weight: must be a whole percent from 0 to 100, got 120/);
  });
});

describe('the README rollout example with router istio', () => {
  test('a ConfigMap whose dashboard has per version request rate, error rate, p99, and one panel per guardrail with its thresholds', () => {
    const out = synthesizeConfigFile(`${EXAMPLES}/fraud-detector-rollout.yaml`);
    const d = dashboardOf(out.objects);
    expectWellFormed(d);
    const byTitle = (t: string) => d.panels.find((p: any) => p.title === t);
    for (const t of ['Requests per second', 'Error rate (5xx)', 'p99 latency']) {
      expect(byTitle(t).targets.map((x: any) => x.legendFormat)).toEqual(['main', 'v2']);
    }
    const guardrails = d.panels.filter((p: any) => String(p.title).startsWith('Guardrail:'));
    expect(guardrails.length).toBeGreaterThanOrEqual(2);
    for (const g of guardrails) {
      const steps = g.fieldConfig.defaults.thresholds.steps.map((s: any) => s.value);
      expect(steps).toHaveLength(3);
      expect(g.fieldConfig.defaults.custom.thresholdsStyle.mode).toBe('line+area');
    }
    const text = d.panels.find((p: any) => p.type === 'text');
    expect(text.options.content).toMatch(/\| stage \|/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real Prometheus: every query parses, and returns each version's own series on synthetic data

const MIN = 60;
const NOW = Math.floor(Date.now() / 1000 / MIN) * MIN;
const FROM = NOW - 40 * MIN;
const STEP = 30;

/** Synthetic data of main and v2: Istio's and ingress-nginx's request metrics, the model server's, kube-state-metrics'. */
function scenario(): string {
  const families = new Map<string, { type: MetricType; series: Series[] }>();
  const add = (family: string, type: MetricType, series: readonly Series[]) => {
    const f = families.get(family) ?? { type, series: [] };
    f.series.push(...series);
    families.set(family, f);
  };
  const versions = [
    { name: 'main', rps: 19, errors: 0.05, canary: '' },
    { name: 'v2', rps: 1, errors: 0.01, canary: 'ml-fraud-detector-canary-80' },
  ];
  for (const v of versions) {
    const istio = {
      reporter: 'destination', destination_service_namespace: NAMESPACE, destination_canonical_service: SERVICE, destination_canonical_revision: v.name,
    };
    add('istio_requests_total', 'counter', [
      counterSeries('istio_requests_total', { ...istio, response_code: '200' }, v.rps - v.errors, FROM, NOW, STEP),
      counterSeries('istio_requests_total', { ...istio, response_code: '503' }, v.errors, FROM, NOW, STEP),
    ]);
    add('istio_request_duration_milliseconds', 'histogram', histogramSeries('istio_request_duration_milliseconds', istio, [50, 100, 250, 500], v.rps, (le) => Math.min(1, le / 250), FROM, NOW, STEP));
    const nginx = { namespace: NAMESPACE, ingress: SERVICE, canary: v.canary };
    // a counter without the _total suffix (ingress-nginx's name): an untyped family in OpenMetrics
    add('nginx_ingress_controller_requests', 'unknown', [
      counterSeries('nginx_ingress_controller_requests', { ...nginx, status: '200' }, v.rps - v.errors, FROM, NOW, STEP),
      counterSeries('nginx_ingress_controller_requests', { ...nginx, status: '503' }, v.errors, FROM, NOW, STEP),
    ]);
    add('nginx_ingress_controller_request_duration_seconds', 'histogram', histogramSeries('nginx_ingress_controller_request_duration_seconds', nginx, [0.05, 0.1, 0.25, 0.5], v.rps, (le) => Math.min(1, le / 0.25), FROM, NOW, STEP));
    const pod = { namespace: NAMESPACE, app_kubernetes_io_name: SERVICE, version: v.name };
    // BentoML's own metrics, as the PodMonitor scrapes them (its target labels on every series)
    add('bentoml_service_request', 'counter', [
      counterSeries('bentoml_service_request_total', { ...pod, endpoint: '/predict', http_response_code: '200' }, v.rps - v.errors, FROM, NOW, STEP),
      counterSeries('bentoml_service_request_total', { ...pod, endpoint: '/predict', http_response_code: '500' }, v.errors, FROM, NOW, STEP),
    ]);
    add('bentoml_service_request_duration_seconds', 'histogram', histogramSeries('bentoml_service_request_duration_seconds', { ...pod, endpoint: '/predict' }, [0.05, 0.1, 0.25, 0.5], v.rps, (le) => Math.min(1, le / 0.25), FROM, NOW, STEP));
    add('model_prediction_psi', 'gauge', [gaugeSeries('model_prediction_psi', { ...pod, pod: `${v.name}-0` }, v.name === 'main' ? 0.02 : 0.05, FROM, NOW, STEP)]);
    add('predictions_total', 'counter', [counterSeries('predictions_total', pod, v.rps, FROM, NOW, STEP)]);
    add('conversions_total', 'counter', [counterSeries('conversions_total', pod, v.rps * 0.05, FROM, NOW, STEP)]);
    for (const i of [0, 1]) {
      const name = `${SERVICE}-${v.name}-${i}`;
      add('kube_pod_labels', 'gauge', [
        gaugeSeries('kube_pod_labels', { namespace: NAMESPACE, pod: name, label_app_kubernetes_io_name: SERVICE, label_version: v.name }, 1, FROM, NOW, STEP),
      ]);
      add('kube_pod_status_ready', 'gauge', [gaugeSeries('kube_pod_status_ready', { namespace: NAMESPACE, pod: name, condition: 'true' }, 1, FROM, NOW, STEP)]);
    }
  }
  const list: MetricFamily[] = [...families.entries()].map(([name, f]) => ({ name, type: f.type, series: f.series }));
  return openMetricsText(list);
}

const describeWithPrometheus = prometheusInstalled() ? describe : describe.skip;

describeWithPrometheus('the dashboard queries on a real Prometheus', () => {
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    prometheus = await PrometheusServer.start(scenario());
  }, 120_000);
  afterAll(async () => prometheus?.stop());

  const ROUTERS: readonly (readonly [string, Router])[] = [['istio', Router.istio()], ['nginx', Router.nginx({ hosts: ['fraud.example.com'] })]];

  test.each(ROUTERS)('with router %s: every query parses (promtool) and returns one series, of its own version', async (name, router) => {
    const out = synthesize(fraudDetector(), { backend: Backend.argoRollouts(), router });
    const d = dashboardOf(out.objects);
    const targets = d.panels.filter((p: any) => p.type === 'timeseries').flatMap((p: any) => p.targets.map((t: any) => ({ panel: p.title, version: t.legendFormat, expr: t.expr })));
    expect(targets.length).toBeGreaterThan(10);
    const check = promtoolCheckRules(targets.map((t: any) => t.expr));
    expect(check.output).toBe(check.ok ? check.output : '');
    expect(check.ok).toBe(true);
    const values = new Map<string, number>();
    for (const t of targets) {
      const r = await prometheus.query(t.expr.split('$namespace').join(NAMESPACE), NOW);
      expect({ panel: t.panel, version: t.version, series: r.result.length }).toEqual({ panel: t.panel, version: t.version, series: 1 });
      const value = Number(r.result[0].value[1]);
      // each version's own measurement: a number (NaN would be "no evidence")
      expect({ panel: t.panel, version: t.version, finite: Number.isFinite(value) }).toEqual({ panel: t.panel, version: t.version, finite: true });
      values.set(`${t.panel}/${t.version}`, value);
    }
    // main's and the canary's series differ where the data differ: they are not the same series twice
    expect(values.get('Requests per second/main')).toBeCloseTo(19, 0);
    expect(values.get('Requests per second/v2')).toBeCloseTo(1, 1);
    expect(values.get('Error rate (5xx)/main')!).toBeCloseTo(0.05 / 19, 3);
    expect(values.get('Error rate (5xx)/v2')!).toBeCloseTo(0.01, 3);
    expect(values.get('Ready pods/main')).toBe(2);
    expect(values.get('Ready pods/v2')).toBe(2);
    expect(values.get('Guardrail: prediction drift (PSI)/main')).toBeCloseTo(0.02, 5);
    expect(values.get('Guardrail: prediction drift (PSI)/v2')).toBeCloseTo(0.05, 5);
    expect(name).toBeDefined();
  });

  test('without a router\'s metrics, the bentos\' own (scraped by the PodMonitor): one series per version', async () => {
    const rollout = { stages: [5, 10, 25, 50, 100], pause: '5m', guardrails: { predictionDriftPsi: GUARDRAILS.predictionDriftPsi, businessMetricDelta: GUARDRAILS.businessMetricDelta } };
    const out = synthesize(fraudDetector({ rollout }), { backend: Backend.argoRollouts() });
    const d = dashboardOf(out.objects);
    expectWellFormed(d);
    const targets = d.panels.filter((p: any) => p.type === 'timeseries').flatMap((p: any) => p.targets.map((t: any) => ({ panel: p.title, version: t.legendFormat, expr: t.expr })));
    expect([...new Set(targets.map((t: any) => t.panel))]).toEqual([
      'Requests per second', 'Error rate (5xx)', 'p99 latency', 'Ready pods', 'Guardrail: prediction drift (PSI)', 'Guardrail: business metric, canary against main',
    ]);
    expect(promtoolCheckRules(targets.map((t: any) => t.expr)).ok).toBe(true);
    const values = new Map<string, number>();
    for (const t of targets) {
      const r = await prometheus.query(t.expr.split('$namespace').join(NAMESPACE), NOW);
      expect({ panel: t.panel, version: t.version, series: r.result.length }).toEqual({ panel: t.panel, version: t.version, series: 1 });
      values.set(`${t.panel}/${t.version}`, Number(r.result[0].value[1]));
    }
    expect(values.get('Requests per second/main')).toBeCloseTo(19, 0);
    expect(values.get('Requests per second/v2')).toBeCloseTo(1, 1);
    expect(values.get('Error rate (5xx)/v2')!).toBeCloseTo(0.01, 3);
    expect(values.get('p99 latency/main')!).toBeGreaterThan(0);
  });

  test('the guardrail panels hold the exact queries the AnalysisTemplate runs for the canary', () => {
    const out = synthesize(fraudDetector(), { backend: Backend.argoRollouts(), router: Router.istio() });
    const template = out.objects.find((o) => o.kind === 'AnalysisTemplate') as any;
    const panels = dashboardPanels(out.spec, 'istio', true).filter((p) => p.guardrail);
    for (const p of panels) {
      const metric = template.spec.metrics.find((m: any) => m.name === p.guardrail!.kind.replace(/[A-Z]/g, (c: string) => `-${c.toLowerCase()}`));
      const canary = p.queries.find((q) => q.version === 'v2')!;
      const args = { 'namespace': '$namespace', 'service': SERVICE, 'canary-version': 'v2', 'stable-version': 'main' };
      const expected = String(metric.provider.prometheus.query).replace(/\{\{\s*args\.([^}\s]+)\s*\}\}/g, (_w: string, n: string) => (args as Record<string, string>)[n]);
      expect(canary.expr).toBe(expected);
    }
    expect(parseRollout({}).guardrails.length).toBeGreaterThan(0);
  });
});
