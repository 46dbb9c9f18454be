/**
 * The rendered guardrails against a real Prometheus, judged as Argo Rollouts judges them.
 *
 * The README's fraud detector (namespace ml, main `main`, canary `v2`) is rendered for Argo Rollouts;
 * its AnalysisTemplate's queries, with the args substituted as the Rollout supplies them, run
 * against one Prometheus holding every scenario's synthetic data, each scenario in its own
 * 30-minute slice of the last hours and evaluated at the end of its slice. The phase comes from
 * test/support/argo-evaluate.ts (written from argo-rollouts' metricproviders/prometheus/prometheus.go
 * and utils/evaluate/evaluate.go), not from the project's own `verdictOf`.
 */
import { Backend, Router, synthesize } from '../../src';
import { withArgs } from '../../src/backends/common/guardrails';
import { AnalysisPhase, evaluatePrometheus, MetricConditions } from '../support/argo-evaluate';
import {
  counterSeries, gaugeSeries, histogramSeries, MetricFamily, MetricType, openMetricsText, PrometheusServer,
  prometheusInstalled, promtoolCheckRules, QueryResult, Series,
} from '../support/prometheus';

const MIN = 60;
const HOUR = 3600;
const NOW = Math.floor(Date.now() / 1000 / MIN) * MIN;
/** Each scenario's slice: 25 minutes of data, then 5 minutes of nothing before the next one. */
const SLICE = 30 * MIN;
const DATA = 25 * MIN;
const FIRST_SLICE = NOW - 7 * HOUR;
const STEP = 30;

const SERVICE = 'fraud-detector';
const NAMESPACE = 'ml';
const MAIN = 'main';
const CANARY = 'v2';
/** The args as the Rollout passes them to the template (checked against the rendered Rollout below). */
const ARGS = { 'service': SERVICE, 'namespace': NAMESPACE, 'canary-version': CANARY, 'stable-version': MAIN };

const GUARDRAILS = ['error-rate', 'p99-latency-ms', 'prediction-drift-psi', 'business-metric-delta'] as const;
type Guardrail = (typeof GUARDRAILS)[number];

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** The README's guardrail example. */
const README_GUARDRAILS = {
  errorRate: { promoteBelow: 0.005, rollbackAbove: 0.01 },
  p99LatencyMs: { promoteBelow: 200, rollbackAbove: 500 },
  predictionDriftPsi: { promoteBelow: 0.1, rollbackAbove: 0.2, metric: 'model_prediction_psi' },
  businessMetricDelta: { promoteAbove: 0, rollbackBelow: -0.03, success: 'conversions_total', total: 'predictions_total' },
};

function fraudDetector(rollout: Record<string, unknown> = {}, guardrails: Record<string, unknown> = {}): unknown {
  return {
    name: SERVICE,
    namespace: NAMESPACE,
    mainVersionName: MAIN,
    imageRepository: 'registry.example.com/bentos',
    main: { artifact: { type: 'bento', tag: 'fraud:v1abc' }, instanceType: 'cpu.2' },
    versions: { [CANARY]: { weight: 5, artifact: { type: 'bento', tag: 'fraud:v2def' } } },
    rollout: {
      stages: [5, 10, 25, 50, 100],
      pause: '5m',
      ...rollout,
      guardrails: { ...README_GUARDRAILS, ...guardrails },
    },
  };
}

interface RenderedMetric extends MetricConditions {
  readonly name: string;
  /** The query with the Rollout's args substituted. */
  readonly query: string;
}

interface Rendered {
  readonly metrics: Readonly<Record<string, RenderedMetric>>;
  /** The args of the Rollout's analysis steps, resolved as the controller resolves them. */
  readonly args: Readonly<Record<string, string>>;
}

/** The args of the Rollout's analysis steps: values as given, the namespace fieldRef as the Rollout's namespace. */
function rolloutArgs(rollout: any): Record<string, string> {
  const steps = (rollout.spec.strategy.canary.steps as any[]).filter((s) => s.analysis);
  expect(steps.length).toBeGreaterThan(0);
  const resolved = steps.map((s) => Object.fromEntries((s.analysis.args as any[]).flatMap((a): [string, string][] => {
    if (a.value !== undefined) return [[a.name, a.value]];
    if (a.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') return [[a.name, rollout.metadata.namespace]];
    return []; // pod-template hashes: not used by these queries
  })));
  for (const r of resolved) expect(r).toEqual(resolved[0]);
  return resolved[0];
}

function render(input: unknown, router: Router = Router.istio()): Rendered {
  const { objects } = synthesize(input, { backend: Backend.argoRollouts(), router });
  const templates = objects.filter((o: any) => o.kind === 'AnalysisTemplate');
  const rollouts = objects.filter((o: any) => o.kind === 'Rollout');
  expect(templates).toHaveLength(1);
  expect(rollouts).toHaveLength(1);
  const args = rolloutArgs(rollouts[0]);
  const metrics: Record<string, RenderedMetric> = {};
  for (const m of (templates[0] as any).spec.metrics) {
    expect(m.provider.prometheus).toBeDefined();
    const query = withArgs(m.provider.prometheus.query, args);
    expect(query).not.toMatch(/\{\{/);
    metrics[m.name] = { name: m.name, query, successCondition: m.successCondition, failureCondition: m.failureCondition };
  }
  return { metrics, args };
}

const ISTIO = render(fraudDetector());
const ISTIO_60S = render(fraudDetector({ scrapeInterval: '60s' }));
const ISTIO_MIN_REQUESTS = render(fraudDetector({ minRequests: 100 }));
const NGINX = render(fraudDetector(), Router.nginx({ hosts: ['fraud.example.com'] }));
const NO_SUCH_METRIC = 'max(no_such_metric{service="{{args.service}}"})';
const RAW_QUERY = render(fraudDetector({}, { predictionDriftPsi: { promoteBelow: 0.1, rollbackAbove: 0.2, query: NO_SUCH_METRIC } }));
const ALL_RENDERED = { ISTIO, ISTIO_60S, ISTIO_MIN_REQUESTS, NGINX, RAW_QUERY };

// ---------------------------------------------------------------------------------------------------------------
// Synthetic data

const families = new Map<string, { type: MetricType; series: Series[] }>();
/** Adds series to a family; every scenario's series of one family end up in one block of the OpenMetrics text. */
function add(family: string, type: MetricType, series: readonly Series[]): void {
  const f = families.get(family) ?? { type, series: [] };
  if (f.type !== type) throw new Error(`family ${family} is a ${f.type}, not a ${type}`);
  f.series.push(...series);
  families.set(family, f);
}

/** The series as scraped after `stop`: still there, no longer increasing (an idle version). */
function frozenAfter(series: readonly Series[], stop: number): Series[] {
  return series.map((s) => {
    const last = [...s.points].filter(([t]) => t <= stop).pop();
    if (!last) throw new Error(`${s.name}: no sample before ${stop}`);
    return { ...s, points: s.points.map(([t, v]) => (t <= stop ? [t, v] as const : [t, last[1]] as const)) };
  });
}

/** Cumulative fraction of requests at or below each bound (ms). */
type Latency = Readonly<Record<number, number>>;
/** A subset of Istio's default duration buckets (ms). */
const BOUNDS_MS = [25, 50, 100, 250, 500, 1000, 2500, 5000];
/** p99 = 50 + 50 * (0.99 - 0.9) / (0.995 - 0.9) ≈ 97 ms. */
const FAST: Latency = { 25: 0.5, 50: 0.9, 100: 0.995, 250: 0.999, 500: 1, 1000: 1, 2500: 1, 5000: 1 };
/** p99 = 500 + 500 * (0.99 - 0.98) / (0.9925 - 0.98) = 900 ms. */
const SLOW: Latency = { 25: 0.2, 50: 0.4, 100: 0.6, 250: 0.9, 500: 0.98, 1000: 0.9925, 2500: 1, 5000: 1 };
/** p99 = 250 + 250 * (0.99 - 0.988) / (0.998 - 0.988) = 300 ms. */
const MIDDLING: Latency = { 25: 0.4, 50: 0.7, 100: 0.9, 250: 0.988, 500: 0.998, 1000: 1, 2500: 1, 5000: 1 };
const fractionAt = (latency: Latency) => (le: number) => {
  const f = latency[le];
  if (f === undefined) throw new Error(`no fraction for le=${le}`);
  return f;
};

/** Conversions per prediction of main; the canary's is this times (1 + its delta). */
const MAIN_CONVERSION = 0.05;

/** One version's behaviour in a scenario. */
interface Behaviour {
  readonly requestsPerSecond: number;
  /** Share of 503s; 0 writes no 503 series at all (Istio has no series for a code never seen). */
  readonly errorRatio: number;
  readonly latency: Latency;
  /** model_prediction_psi; undefined writes no gauge. */
  readonly psi?: number;
  /** Conversions per prediction relative to main's (0 for main). */
  readonly businessDelta: number;
}

const HEALTHY_MAIN: Behaviour = { requestsPerSecond: 95, errorRatio: 0.002, latency: FAST, psi: 0.04, businessDelta: 0 };
const HEALTHY: Behaviour = { requestsPerSecond: 5, errorRatio: 0.001, latency: FAST, psi: 0.05, businessDelta: 0.01 };
const BROKEN: Behaviour = { requestsPerSecond: 5, errorRatio: 0.03, latency: SLOW, psi: 0.3, businessDelta: -0.05 };
const IN_BETWEEN: Behaviour = { requestsPerSecond: 5, errorRatio: 0.007, latency: MIDDLING, psi: 0.15, businessDelta: -0.01 };

interface Slice {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

let slices = 0;
function nextSlice(step = STEP): Slice {
  const from = FIRST_SLICE + slices++ * SLICE;
  if (from + DATA > NOW - HOUR) throw new Error('too many slices');
  return { from, to: from + DATA, step };
}

/** Istio's standard metrics of one version as its destination sidecar reports them, and the model server's own series. */
function version(name: string, b: Behaviour, s: Slice, options: { idleAfter?: number } = {}): void {
  const { from, to, step } = s;
  const freeze = (series: Series[]) => (options.idleAfter !== undefined ? frozenAfter(series, options.idleAfter) : series);
  const istio = {
    reporter: 'destination',
    source_workload: 'checkout',
    destination_service: `${SERVICE}.${NAMESPACE}.svc.cluster.local`,
    destination_service_name: SERVICE,
    destination_service_namespace: NAMESPACE,
    destination_workload: name === MAIN ? SERVICE : `${SERVICE}-${name}`,
    destination_canonical_service: SERVICE,
    destination_canonical_revision: name,
    request_protocol: 'http',
  };
  const requests = [counterSeries('istio_requests_total', { ...istio, response_code: '200' }, b.requestsPerSecond * (1 - b.errorRatio), from, to, step)];
  if (b.errorRatio > 0) requests.push(counterSeries('istio_requests_total', { ...istio, response_code: '503' }, b.requestsPerSecond * b.errorRatio, from, to, step));
  add('istio_requests', 'counter', freeze(requests));
  add('istio_request_duration_milliseconds', 'histogram', freeze(histogramSeries(
    'istio_request_duration_milliseconds', { ...istio, response_code: '200' }, BOUNDS_MS, b.requestsPerSecond, fractionAt(b.latency), from, to, step,
  )));

  // as the PodMonitor labels the model server's series (podTargetLabels app.kubernetes.io/name and version)
  const pod = { namespace: NAMESPACE, app_kubernetes_io_name: SERVICE, version: name, pod: `${SERVICE}-${name}-0`, job: `${NAMESPACE}/${SERVICE}` };
  if (b.psi !== undefined) add('model_prediction_psi', 'gauge', [gaugeSeries('model_prediction_psi', pod, b.psi, from, to, step)]);
  const predictions = b.requestsPerSecond;
  add('predictions', 'counter', freeze([counterSeries('predictions_total', pod, predictions, from, to, step)]));
  add('conversions', 'counter', freeze([counterSeries('conversions_total', pod, predictions * MAIN_CONVERSION * (1 + b.businessDelta), from, to, step)]));
}

/** ingress-nginx's request metrics (internal/ingress/metric/collectors/socket.go requestTags, plus host). */
function nginxVersion(canary: boolean, b: Behaviour, s: Slice): void {
  const { from, to, step } = s;
  const labels = (status: string): Record<string, string> => ({
    // a request the canary Ingress took carries its upstream; others carry canary="", which Prometheus
    // drops on ingestion (model/labels Builder.Reset deletes empty values), so it is not written
    ...(canary ? { canary: `${NAMESPACE}-${SERVICE}-canary-80` } : {}),
    controller_class: 'k8s.io/ingress-nginx',
    controller_namespace: 'ingress-nginx',
    controller_pod: 'ingress-nginx-controller-0',
    host: 'fraud.example.com',
    ingress: SERVICE,
    method: 'POST',
    namespace: NAMESPACE,
    path: '/',
    service: `${SERVICE}-stable`,
    status,
  });
  const codes: [string, number][] = [['200', 1 - b.errorRatio], ...(b.errorRatio > 0 ? [['503', b.errorRatio] as [string, number]] : [])];
  // a counter without `_total`: an `unknown` family in OpenMetrics
  add('nginx_ingress_controller_requests', 'unknown', codes.map(([code, share]) => ({
    ...counterSeries('nginx_ingress_controller_requests', labels(code), b.requestsPerSecond * share, from, to, step),
  })));
  const seconds = BOUNDS_MS.map((ms) => ms / 1000);
  add('nginx_ingress_controller_request_duration_seconds', 'histogram', codes.flatMap(([code, share]) => histogramSeries(
    'nginx_ingress_controller_request_duration_seconds', labels(code), seconds, b.requestsPerSecond * share,
    (le) => fractionAt(b.latency)(Math.round(le * 1000)), from, to, step,
  )));
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios

type Expected = Partial<Record<Guardrail, AnalysisPhase>>;

interface Scenario {
  readonly name: string;
  readonly rendered: Rendered;
  /** Evaluation time: the end of the scenario's slice. */
  readonly at: number;
  readonly expected: Expected;
}

const all = (phase: AnalysisPhase): Expected => Object.fromEntries(GUARDRAILS.map((g) => [g, phase]));

function scenario(name: string, rendered: Rendered, expected: Expected, build: (s: Slice) => void, step = STEP): Scenario {
  const s = nextSlice(step);
  build(s);
  return { name, rendered, at: s.to, expected };
}

const SCENARIOS: Scenario[] = [
  scenario('1. healthy canary (0.1 % errors, p99 ≈ 100 ms, PSI 0.05, +1 % business)', ISTIO, all('Successful'), (s) => {
    version(MAIN, HEALTHY_MAIN, s);
    version(CANARY, HEALTHY, s);
  }),
  scenario('2. broken canary (3 % errors, p99 ≈ 900 ms, PSI 0.3, -5 % business)', ISTIO, all('Failed'), (s) => {
    version(MAIN, HEALTHY_MAIN, s);
    version(CANARY, BROKEN, s);
  }),
  scenario('3. canary in between (0.7 % errors, p99 ≈ 300 ms, PSI 0.15, -1 % business)', ISTIO, all('Inconclusive'), (s) => {
    version(MAIN, HEALTHY_MAIN, s);
    version(CANARY, IN_BETWEEN, s);
  }),
  scenario('4. no canary data at all (only main\'s series)', ISTIO, all('Inconclusive'), (s) => {
    version(MAIN, HEALTHY_MAIN, s);
  }),
  scenario('5. healthy canary that never returned a 5xx (no 503 series)', ISTIO, { 'error-rate': 'Successful' }, (s) => {
    version(MAIN, HEALTHY_MAIN, s);
    version(CANARY, { ...HEALTHY, errorRatio: 0 }, s);
  }),
  scenario('6. healthy canary scraped every 60 s, rendered with scrapeInterval 60s', ISTIO_60S, all('Successful'), (s) => {
    version(MAIN, HEALTHY_MAIN, s);
    version(CANARY, HEALTHY, s);
  }, 60),
  scenario('7. idle canary (v2\'s counters stop increasing 10 minutes before the end)', ISTIO,
    { 'error-rate': 'Inconclusive', 'p99-latency-ms': 'Inconclusive', 'business-metric-delta': 'Inconclusive' }, (s) => {
      version(MAIN, HEALTHY_MAIN, s);
      version(CANARY, HEALTHY, s, { idleAfter: s.to - 10 * MIN });
    }),
  scenario('8. healthy canary below minRequests 100 (40 requests served)', ISTIO_MIN_REQUESTS, all('Inconclusive'), (s) => {
    version(MAIN, HEALTHY_MAIN, s);
    version(CANARY, { ...HEALTHY, errorRatio: 0, requestsPerSecond: 40 / DATA }, s);
  }),
  scenario('9. main drifting (main\'s PSI 0.4, canary\'s 0.05)', ISTIO, { 'prediction-drift-psi': 'Successful' }, (s) => {
    version(MAIN, { ...HEALTHY_MAIN, psi: 0.4 }, s);
    version(CANARY, HEALTHY, s);
  }),
  scenario('10. stage 100 % with main idle (canary 10 % worse per prediction)', ISTIO, { 'business-metric-delta': 'Inconclusive' }, (s) => {
    version(MAIN, HEALTHY_MAIN, s, { idleAfter: s.to - 10 * MIN });
    version(CANARY, { ...HEALTHY, requestsPerSecond: 100, businessDelta: -0.1 }, s);
  }),
  scenario('11a. ingress-nginx, broken canary', NGINX, { 'error-rate': 'Failed', 'p99-latency-ms': 'Failed' }, (s) => {
    nginxVersion(false, { ...HEALTHY_MAIN }, s);
    nginxVersion(true, BROKEN, s);
  }),
  scenario('11b. ingress-nginx, healthy canary', NGINX, { 'error-rate': 'Successful', 'p99-latency-ms': 'Successful' }, (s) => {
    nginxVersion(false, { ...HEALTHY_MAIN }, s);
    nginxVersion(true, HEALTHY, s);
  }),
];

/** The value each query should return where the scenario's data pins it (p99 by linear interpolation in its bucket). */
const VALUES: Readonly<Record<string, Partial<Record<Guardrail, number>>>> = {
  '1.': { 'error-rate': 0.001, 'p99-latency-ms': 50 + 50 * 0.09 / 0.095, 'prediction-drift-psi': 0.05, 'business-metric-delta': 0.01 },
  '2.': { 'error-rate': 0.03, 'p99-latency-ms': 900, 'prediction-drift-psi': 0.3, 'business-metric-delta': -0.05 },
  '3.': { 'error-rate': 0.007, 'p99-latency-ms': 300, 'prediction-drift-psi': 0.15, 'business-metric-delta': -0.01 },
  '5.': { 'error-rate': 0 },
  '6.': { 'error-rate': 0.001, 'p99-latency-ms': 50 + 50 * 0.09 / 0.095, 'prediction-drift-psi': 0.05, 'business-metric-delta': 0.01 },
  '9.': { 'prediction-drift-psi': 0.05 },
  '11a.': { 'error-rate': 0.03, 'p99-latency-ms': 900 },
  '11b.': { 'error-rate': 0.001, 'p99-latency-ms': 50 + 50 * 0.09 / 0.095 },
};
const valueRows = SCENARIOS.flatMap((sc) => Object.entries(VALUES[sc.name.split(' ')[0]] ?? {}).map(([guardrail, value]) => ({
  scenario: sc.name, guardrail, value: value!, sc,
})));

/** The healthy slice, evaluated again with other templates. */
const HEALTHY_AT = SCENARIOS[0].at;
/** The min-requests slice. */
const MIN_REQUESTS_AT = SCENARIOS[7].at;

const OPEN_METRICS = openMetricsText([...families].map(([name, f]): MetricFamily => ({ name, type: f.type, series: f.series })));

// ---------------------------------------------------------------------------------------------------------------
// Tests

let prom: PrometheusServer;

beforeAll(async () => {
  if (!prometheusInstalled()) throw new Error('prometheus and promtool are missing; scripts/test-tools.sh installs the Debian package "prometheus"');
  prom = await PrometheusServer.start(OPEN_METRICS);
}, 60_000);

afterAll(async () => {
  await prom?.stop();
});

/** Runs a metric's query at `at` and judges it as Argo does; the query and Prometheus' answer come along for failure messages. */
async function measure(metric: RenderedMetric, at: number) {
  const data: QueryResult = await prom.query(metric.query, at);
  const { phase, error } = evaluatePrometheus(data, metric);
  return { phase, error, result: data.result, query: metric.query };
}

/** Asserts the phase; on a mismatch the diff shows the query and Prometheus' answer next to it. */
function expectPhase(m: Awaited<ReturnType<typeof measure>>, phase: AnalysisPhase): void {
  const measured = m.result.map((r: any) => r.value[1]);
  const seen = { phase: m.phase, measured, query: m.query, result: m.result, ...(m.error ? { error: m.error } : {}) };
  expect(seen).toEqual({ ...seen, phase });
}

const rows = SCENARIOS.flatMap((sc) => Object.entries(sc.expected).map(([guardrail, phase]) => ({
  scenario: sc.name, guardrail, phase: phase!, sc,
})));

describe('rendered guardrails on a real Prometheus, judged as Argo Rollouts judges them', () => {
  test('the Rollout passes service, namespace, canary and stable version to the template', () => {
    for (const r of Object.values(ALL_RENDERED)) expect(r.args).toEqual(ARGS);
    expect(Object.keys(ISTIO.metrics)).toEqual([...GUARDRAILS]);
    expect(Object.keys(NGINX.metrics)).toEqual([...GUARDRAILS]);
  });

  test.each(rows)('$scenario: $guardrail is $phase', async ({ sc, guardrail, phase }) => {
    const metric = sc.rendered.metrics[guardrail];
    expect(metric).toBeDefined();
    expectPhase(await measure(metric, sc.at), phase);
  });

  test.each(valueRows)('$scenario: $guardrail measures $value', async ({ sc, guardrail, value }) => {
    const m = await measure(sc.rendered.metrics[guardrail], sc.at);
    expect(m.result).toHaveLength(1);
    expect(Number(m.result[0].value[1])).toBeCloseTo(value, 6);
  });

  test.each(GUARDRAILS)('6. 60 s scrape: %s decides on a number, not NaN', async (guardrail) => {
    const m = await measure(ISTIO_60S.metrics[guardrail], SCENARIOS[5].at);
    expect(m.result).toHaveLength(1);
    expect(m).toMatchObject({ result: [{ value: [expect.anything(), expect.not.stringMatching(/NaN/)] }] });
  });

  test.each(GUARDRAILS)('8. control: without minRequests the same 40-request canary decides %s (Successful)', async (guardrail) => {
    expectPhase(await measure(ISTIO.metrics[guardrail], MIN_REQUESTS_AT), 'Successful');
  });

  test('a raw user query that matches nothing is Inconclusive (NaN), not Error', async () => {
    const m = await measure(RAW_QUERY.metrics['prediction-drift-psi'], HEALTHY_AT);
    expect(m.query).toContain('no_such_metric{service="fraud-detector"}');
    expect(m).toMatchObject({ phase: 'Inconclusive', result: [{ value: [HEALTHY_AT, 'NaN'] }] });
  });

  test('without the NaN guard the same query is an empty vector, which Argo counts as an Error', async () => {
    const m = await measure({ ...RAW_QUERY.metrics['prediction-drift-psi'], query: withArgs(NO_SUCH_METRIC, ARGS) }, HEALTHY_AT);
    expect(m).toMatchObject({ phase: 'Error', result: [] });
    expect(m.error).toMatch(/index out of range/);
  });

  test.each(Object.entries(ALL_RENDERED))('every query of the %s template passes promtool check rules', (_, rendered) => {
    const r = promtoolCheckRules(Object.values(rendered.metrics).map((m) => m.query));
    expect(r.output).toMatch(new RegExp(`SUCCESS: ${Object.keys(rendered.metrics).length} rules found`));
    expect(r.ok).toBe(true);
  });
});

describe('the synthetic data is what each scenario says', () => {
  const canary = `destination_canonical_revision="${CANARY}", destination_canonical_service="${SERVICE}"`;
  const values = async (q: string, at: number) => (await prom.query(q, at)).result.map((r: any) => Number(r.value[1]));
  const at = (prefix: string) => SCENARIOS.find((sc) => sc.name.startsWith(prefix))!.at;

  test('4. no series of the canary at all', async () => {
    expect(await values(`count({${canary}} or {version="${CANARY}"})`, at('4.'))).toEqual([]);
    expect(await values(`count({destination_canonical_revision="${MAIN}"})`, at('4.'))).not.toEqual([]);
  });

  test('5. the canary has no 503 series, only 200s', async () => {
    expect(await values(`count(istio_requests_total{${canary}, response_code="503"})`, at('5.'))).toEqual([]);
    expect(await values(`count(istio_requests_total{${canary}})`, at('5.'))).toEqual([1]);
  });

  test('7. the canary\'s counters are there but did not increase over the last 5 minutes', async () => {
    expect((await values(`sum(istio_requests_total{${canary}})`, at('7.')))[0]).toBeGreaterThan(0);
    expect(await values(`sum(increase(istio_requests_total{${canary}}[5m]))`, at('7.'))).toEqual([0]);
    expect(await values(`sum(increase(predictions_total{version="${CANARY}"}[5m]))`, at('7.'))).toEqual([0]);
  });

  test('8. the canary served 40 requests in total', async () => {
    const [served] = await values(`sum(istio_requests_total{${canary}})`, at('8.'));
    expect(served).toBeCloseTo(40, 6);
  });

  test('10. main\'s counters are there but did not increase over the last 5 minutes; the canary\'s did', async () => {
    expect((await values(`sum(predictions_total{version="${MAIN}"})`, at('10.')))[0]).toBeGreaterThan(0);
    expect(await values(`sum(increase(predictions_total{version="${MAIN}"}[5m]))`, at('10.'))).toEqual([0]);
    expect((await values(`sum(increase(predictions_total{version="${CANARY}"}[5m]))`, at('10.')))[0]).toBeGreaterThan(0);
  });

  test('11. ingress-nginx: canary requests carry the canary upstream, the others no canary label', async () => {
    const q = 'count by (canary) (nginx_ingress_controller_requests{namespace="ml", ingress="fraud-detector", service="fraud-detector-stable"})';
    const r = await prom.query(q, at('11a.'));
    expect(r.result.map((x: any) => x.metric.canary ?? '').sort()).toEqual(['', 'ml-fraud-detector-canary-80']);
  });
});

describe('the Argo evaluator (utils/evaluate/evaluate.go, metricproviders/prometheus/prometheus.go)', () => {
  const lower = { successCondition: 'result[0] <= 0.005', failureCondition: 'result[0] > 0.01' };
  const higher = { successCondition: 'result[0] >= 0', failureCondition: 'result[0] < -0.03' };
  const vector = (...values: string[]) => ({ resultType: 'vector', result: values.map((v) => ({ metric: {}, value: [0, v] })) });

  test.each([
    { what: 'an empty vector', data: vector(), metric: lower, phase: 'Error' },
    { what: 'NaN (lower is better)', data: vector('NaN'), metric: lower, phase: 'Inconclusive' },
    { what: 'NaN (higher is better)', data: vector('NaN'), metric: higher, phase: 'Inconclusive' },
    { what: '0.005 (at the promote threshold)', data: vector('0.005'), metric: lower, phase: 'Successful' },
    { what: '0.007 (between the thresholds)', data: vector('0.007'), metric: lower, phase: 'Inconclusive' },
    { what: '0.03 (above the rollback threshold)', data: vector('0.03'), metric: lower, phase: 'Failed' },
    { what: '+Inf (lower is better)', data: vector('+Inf'), metric: lower, phase: 'Failed' },
    { what: '0 (higher is better, at the promote threshold)', data: vector('0'), metric: higher, phase: 'Successful' },
    { what: '-0.05 (higher is better, below the rollback threshold)', data: vector('-0.05'), metric: higher, phase: 'Failed' },
    { what: '-0.01 (higher is better, between)', data: vector('-0.01'), metric: higher, phase: 'Inconclusive' },
    { what: 'a string result', data: { resultType: 'string', result: [0, 'x'] }, metric: lower, phase: 'Error' },
  ] as const)('$what is $phase', ({ data, metric, phase }) => {
    expect(evaluatePrometheus(data, metric).phase).toBe(phase);
  });

  test('only result[0] counts; an unknown condition form throws', () => {
    expect(evaluatePrometheus(vector('0.001', '0.5'), lower).phase).toBe('Successful');
    expect(() => evaluatePrometheus(vector('0'), { successCondition: 'all(result, {# < 1})' })).toThrow(/unsupported condition/);
  });
});
