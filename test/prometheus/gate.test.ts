/**
 * `canary-inference gate` against a real Prometheus (backfilled with promtool):
 * the file's guardrails, the same queries as the AnalysisTemplate, one line per
 * guardrail and the exit code of the decision; a replay over recorded data.
 */
import { stringify } from 'yaml';
import { Backend, Router, synthesize } from '../../src';
import { withArgs } from '../../src/backends/common/guardrails';
import { sampleValue } from '../../src/cli/gate';
import { mainAsync } from '../../src/cli/main';
import { writeTemp } from '../support/cli';
import { counterSeries, gaugeSeries, histogramSeries, MetricFamily, openMetricsText, PrometheusServer, promtoolCheckRules } from '../support/prometheus';

const MIN = 60;
const now = Math.floor(Date.now() / 1000 / MIN) * MIN;
const STEP = 30;

/** The versions' behaviour over a time slice. */
interface Behaviour {
  readonly rps: number;
  readonly errorShare: number;
  /** Fraction of requests under 100 ms, 250 ms, 500 ms, 1 s. */
  readonly latency: readonly [number, number, number, number];
  readonly psi: number;
  readonly conversion: number;
}

const HEALTHY: Behaviour = { rps: 20, errorShare: 0.001, latency: [0.995, 0.999, 1, 1], psi: 0.05, conversion: 0.101 };
const MAIN: Behaviour = { rps: 80, errorShare: 0.001, latency: [0.995, 0.999, 1, 1], psi: 0.05, conversion: 0.1 };
const BROKEN: Behaviour = { rps: 20, errorShare: 0.03, latency: [0.5, 0.8, 0.9, 1], psi: 0.3, conversion: 0.095 };

/** Istio's and the model server's series of one version over [from, to]. */
function versionSeries(version: string, b: Behaviour, from: number, to: number): MetricFamily[] {
  const istio = { reporter: 'destination', destination_service_namespace: 'ml', destination_canonical_service: 'fraud-detector', destination_canonical_revision: version };
  const pod = { namespace: 'ml', app_kubernetes_io_name: 'fraud-detector', version };
  const bounds = [100, 250, 500, 1000];
  return [
    {
      name: 'istio_requests',
      type: 'counter',
      series: [
        counterSeries('istio_requests_total', { ...istio, response_code: '200' }, b.rps * (1 - b.errorShare), from, to, STEP),
        counterSeries('istio_requests_total', { ...istio, response_code: '503' }, b.rps * b.errorShare, from, to, STEP),
      ],
    },
    {
      name: 'istio_request_duration_milliseconds',
      type: 'histogram',
      series: histogramSeries('istio_request_duration_milliseconds', istio, bounds, b.rps, (le) => b.latency[bounds.indexOf(le)], from, to, STEP),
    },
    { name: 'model_prediction_psi', type: 'gauge', series: [gaugeSeries('model_prediction_psi', pod, b.psi, from, to, STEP)] },
    { name: 'predictions', type: 'counter', series: [counterSeries('predictions_total', pod, b.rps, from, to, STEP)] },
    { name: 'conversions', type: 'counter', series: [counterSeries('conversions_total', pod, b.rps * b.conversion, from, to, STEP)] },
  ];
}

/** Families merged by name (one TYPE line each), series from every slice. */
function merged(parts: readonly MetricFamily[][]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const f of parts.flat()) {
    const seen = byName.get(f.name);
    byName.set(f.name, seen ? { ...seen, series: [...seen.series, ...f.series] } : f);
  }
  return [...byName.values()];
}

// Two slices: a healthy canary (2h40m .. 2h10m ago), a broken one (1h40m .. 1h10m ago), with different canary names
const healthy = { from: now - 160 * MIN, to: now - 130 * MIN };
const broken = { from: now - 100 * MIN, to: now - 70 * MIN };
const DATA = openMetricsText(merged([
  versionSeries('main', MAIN, healthy.from, broken.to),
  versionSeries('v2', HEALTHY, healthy.from, healthy.to),
  versionSeries('v3', BROKEN, broken.from, broken.to),
]));

/** The README's guardrail example, for canary `canary`. */
function rolloutFile(canary: string, extra: Record<string, unknown> = {}): string {
  return writeTemp(`gate-${canary}.yaml`, stringify({
    name: 'fraud-detector',
    bento: 'fraud:v1abc',
    services: { FraudDetector: { instance_type: 'cpu.2' } },
    canary: { route_type: 'random', versions: { [canary]: { bento: `fraud:${canary}`, weight: 5 } } },
    rollout: {
      stages: [5, 10, 25, 50, 100],
      pause: '5m',
      guardrails: {
        error_rate: { promote_below: 0.005, rollback_above: 0.01 },
        p99_latency_ms: { promote_below: 200, rollback_above: 500 },
        prediction_drift_psi: { promote_below: 0.1, rollback_above: 0.2, metric: 'model_prediction_psi' },
        business_metric_delta: { promote_above: 0, rollback_below: -0.03, success: 'conversions_total', total: 'predictions_total' },
      },
      ...extra,
    },
    kubernetes: { namespace: 'ml', backend: 'kserve', router: 'istio', image_repository: 'registry.example.com/bentos' },
  }));
}

async function gate(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await mainAsync(['gate', ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** The verdict column of each guardrail line. */
function verdicts(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.trim().split('\n').filter((l) => l.includes('\t')).map((l) => {
    const cols = l.split('\t');
    return [cols[0], cols[3]];
  }));
}

describe('canary-inference gate against a real Prometheus', () => {
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    prometheus = await PrometheusServer.start(DATA);
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
  });

  test('a healthy canary: every guardrail Successful, exit 0 (promote)', async () => {
    const run = await gate('-f', rolloutFile('v2'), '--prometheus', prometheus.url, '--at', String(healthy.to), '--stage', '2');
    expect(run.stderr).toBe('');
    expect(verdicts(run.stdout)).toEqual({
      'error-rate': 'Successful',
      'p99-latency-ms': 'Successful',
      'prediction-drift-psi': 'Successful',
      'business-metric-delta': 'Successful',
    });
    expect(run.stdout.trim().split('\n').pop()).toBe('gate: promote at stage 2 (10%)');
    expect(run.code).toBe(0);
  });

  test('a broken canary: every guardrail Failed, exit 1 (roll back)', async () => {
    const run = await gate('-f', rolloutFile('v3'), '--prometheus', prometheus.url, '--at', new Date(broken.to * 1000).toISOString());
    expect(verdicts(run.stdout)).toEqual({
      'error-rate': 'Failed',
      'p99-latency-ms': 'Failed',
      'prediction-drift-psi': 'Failed',
      'business-metric-delta': 'Failed',
    });
    expect(run.stdout).toMatch(/^error-rate\t0\.03\tpromote <= 0\.005, roll back > 0\.01\tFailed$/m);
    expect(run.code).toBe(1);
  });

  test('no canary data: every guardrail Inconclusive (no evidence, NaN), none Error, exit 3 (hold)', async () => {
    const run = await gate('-f', rolloutFile('v9'), '--prometheus', prometheus.url, '--at', String(healthy.to));
    expect(verdicts(run.stdout)).toEqual({
      'error-rate': 'Inconclusive',
      'p99-latency-ms': 'Inconclusive',
      'prediction-drift-psi': 'Inconclusive',
      'business-metric-delta': 'Inconclusive',
    });
    expect(run.stdout).toMatch(/^error-rate\tNaN\tno evidence\tInconclusive$/m);
    expect(run.code).toBe(3);
  });

  test('below min_requests: every guardrail holds', async () => {
    const run = await gate('-f', rolloutFile('v2', { min_requests: 1_000_000 }), '--prometheus', prometheus.url, '--at', String(healthy.to));
    expect(new Set(Object.values(verdicts(run.stdout)))).toEqual(new Set(['Inconclusive']));
    expect(run.code).toBe(3);
  });

  test('a replay of the broken slice: rolled back at stage 1, at its first evaluation with evidence', async () => {
    const run = await gate('-f', rolloutFile('v3'), '--prometheus', prometheus.url, '--from', String(broken.from + 10 * MIN), '--to', String(broken.to), '--step', '5m');
    expect(run.stdout.trim().split('\n').pop()).toBe(`gate: rollback at stage 1 (5%), ${new Date((broken.from + 10 * MIN) * 1000).toISOString()}`);
    expect(run.code).toBe(1);
  });

  test('a replay of the healthy slice: each stage after its 5 minute pause, through the last', async () => {
    const run = await gate('-f', rolloutFile('v2'), '--prometheus', prometheus.url, '--from', String(healthy.from + 5 * MIN), '--to', String(healthy.to), '--step', '5m');
    const stages = run.stdout.trim().split('\n').filter((l) => l.includes('\t')).map((l) => l.split('\t')[1]);
    expect(stages).toEqual(['stage 1 (5%)', 'stage 1 (5%)', 'stage 2 (10%)', 'stage 3 (25%)', 'stage 4 (50%)', 'stage 5 (100%)']);
    expect(run.stdout.trim().split('\n').pop()).toMatch(/^gate: promote, the last stage passed at /);
    expect(run.code).toBe(0);
  });

  test('a user query ending in a # comment keeps its guard (promtool accepts the rendered query)', () => {
    const input = {
      name: 'fraud-detector',
      namespace: 'ml',
      main: { artifact: { type: 'bento', tag: 'fraud:v1' } },
      versions: { v2: { weight: 5, artifact: { type: 'bento', tag: 'fraud:v2' } } },
      rollout: { guardrails: { predictionDriftPsi: { query: 'max(model_prediction_psi{version="{{args.canary-version}}"}) # the canary\'s PSI' } } },
    };
    const template: any = synthesize(input, { backend: Backend.argoRollouts(), router: Router.istio() }).objects.find((o) => o.kind === 'AnalysisTemplate');
    const query = withArgs(template.spec.metrics[0].provider.prometheus.query, { 'canary-version': 'v2' });
    expect(promtoolCheckRules([query])).toMatchObject({ ok: true });
  });

  test('fails with exit 2 on a stage past the last', async () => {
    const run = await gate('-f', rolloutFile('v2'), '--prometheus', prometheus.url, '--stage', '6');
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'canary-inference gate: --stage 6 is past the last stage; the rollout has 5 (see `canary-inference plan`)\n' });
  });

  test('reads Prometheus\' +Inf and -Inf as infinities (as Argo Rollouts does), not as no evidence', () => {
    expect([sampleValue('+Inf'), sampleValue('-Inf'), sampleValue('NaN'), sampleValue('0.25')]).toEqual([Infinity, -Infinity, NaN, 0.25]);
  });

  test('fails with exit 2 naming the URL when Prometheus is unreachable', async () => {
    const run = await gate('-f', rolloutFile('v2'), '--prometheus', 'http://127.0.0.1:1', '--at', String(healthy.to));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^canary-inference gate: cannot reach Prometheus at http:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/);
  });

  test('fails with exit 2 without --prometheus, or with a file that has no rollout', async () => {
    const usage = await gate('-f', rolloutFile('v2'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^canary-inference: gate needs --prometheus URL/);
    const noRollout = writeTemp('gate-none.yaml', stringify({ name: 'fraud-detector', bento: 'fraud:v1', canary: { versions: { v2: { bento: 'fraud:v2', weight: 5 } } } }));
    const run = await gate('-f', noRollout, '--prometheus', prometheus.url);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('canary-inference gate: the file has no rollout section, so there are no guardrails to run; add rollout.guardrails\n');
  });
});
