/**
 * The rollout from the file: Argo Rollouts with guardrails, stage plans for
 * KServe and Seldon (`plan`, `synth --stage/--promote/--rollback`), monitors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { EXAMPLES, runCli, writeTemp } from '../support/cli';
import { expectValidManifests } from '../support/manifests';

const FILE = path.join(EXAMPLES, 'fraud-detector-rollout.yaml');
const TEXT = fs.readFileSync(FILE, 'utf8');

/** The rollout example, changed by `edit`, written to a temporary file. */
function variant(name: string, edit: (doc: any) => void): string {
  const doc = parse(TEXT);
  edit(doc);
  return writeTemp(name, stringify(doc));
}

/** The example's text with `from` replaced by `to` (positions stay meaningful). */
function textVariant(name: string, from: string, to: string): string {
  expect(TEXT).toContain(from);
  return writeTemp(name, TEXT.replace(from, to));
}

function objectsOf(stdout: string): any[] {
  return parseAllDocuments(stdout).map((d) => d.toJS());
}

function synth(...args: string[]): any[] {
  const run = runCli('synth', ...args);
  expect(run.stderr.split('\n').filter((l) => l && !l.startsWith('warning: '))).toEqual([]);
  expect(run.code).toBe(0);
  return objectsOf(run.stdout);
}

/** 1-based line and column of the first `token` at or after the line holding `anchor` in the example. */
function at(anchor: string, token = anchor): string {
  const lines = TEXT.split('\n');
  const line = lines.findIndex((l) => l.includes(anchor));
  expect(line).toBeGreaterThanOrEqual(0);
  return `:${line + 1}:${lines[line].indexOf(token) + 1} `;
}

const find = (objects: any[], kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

describe('the rollout file on Argo Rollouts (the acceptance case)', () => {
  const objects = synth('-f', FILE);
  const rollout = find(objects, 'Rollout')[0];
  const canary = rollout.spec.strategy.canary;

  test('every object is accepted by the CRDs and the controllers\' rules', () => {
    expectValidManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Rollout/fraud-detector',
      'Service/fraud-detector',
      'Service/fraud-detector-stable',
      'Service/fraud-detector-canary',
      'VirtualService/fraud-detector',
      'DestinationRule/fraud-detector',
      'HorizontalPodAutoscaler/fraud-detector',
      'AnalysisTemplate/fraud-detector',
      'PodMonitor/fraud-detector',
      'ConfigMap/fraud-detector-dashboard',
    ]);
    expect(objects.every((o) => o.metadata.namespace === 'ml')).toBe(true);
  });

  test('a Rollout stepping 5, 10, 25, 50, 100 percent, each followed by a 5 minute pause and the analysis', () => {
    const steps = canary.steps.filter((s: any) => !s.setHeaderRoute);
    expect(steps.map((s: any) => Object.keys(s)[0])).toEqual(Array(5).fill(['setWeight', 'pause', 'analysis']).flat());
    expect(steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([5, 10, 25, 50, 100]);
    expect(steps.filter((s: any) => s.pause).map((s: any) => s.pause)).toEqual(Array(5).fill({ duration: '5m' }));
    for (const s of steps.filter((x: any) => x.analysis)) expect(s.analysis.templates).toEqual([{ templateName: 'fraud-detector' }]);
    expect(rollout.spec.template.spec.containers[0].image).toBe('registry.example.com/bentos/fraud:v2def');
    expect(rollout.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'fraud-detector', 'version': 'v2' });
  });

  test('the analysis passes the canary pod-template hash, the service and the namespace', () => {
    const args = canary.steps.find((s: any) => s.analysis).analysis.args;
    expect(args).toContainEqual({ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } });
    expect(args).toContainEqual({ name: 'service', value: 'fraud-detector' });
    expect(args).toContainEqual({ name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
  });

  test('the AnalysisTemplate carries every threshold: promote -> successCondition, rollback -> failureCondition', () => {
    const metrics = find(objects, 'AnalysisTemplate')[0].spec.metrics;
    const byName = Object.fromEntries(metrics.map((m: any) => [m.name, m]));
    expect(byName['error-rate']).toMatchObject({ successCondition: 'result[0] <= 0.005', failureCondition: 'result[0] > 0.01' });
    expect(byName['p99-latency-ms']).toMatchObject({ successCondition: 'result[0] <= 200', failureCondition: 'result[0] > 500' });
    expect(byName['prediction-drift-psi']).toMatchObject({ successCondition: 'result[0] <= 0.1', failureCondition: 'result[0] > 0.2' });
    expect(byName['business-metric-delta']).toMatchObject({ successCondition: 'result[0] >= 0', failureCondition: 'result[0] < -0.03' });
    // the canary's own PSI, as the PodMonitor labels the model server's series
    expect(byName['prediction-drift-psi'].provider.prometheus.query).toBe(
      '((max(model_prediction_psi{namespace="{{args.namespace}}", app_kubernetes_io_name="{{args.service}}", version="{{args.canary-version}}"}))) or on() vector(NaN)',
    );
    expect(byName['error-rate'].provider.prometheus.query).toContain('istio_requests_total{reporter="destination"');
    expect(byName['error-rate'].provider.prometheus.query).toContain('destination_canonical_revision="{{args.canary-version}}"');
    expect(byName['p99-latency-ms'].provider.prometheus.query).toContain('istio_request_duration_milliseconds_bucket');
    // inside steps every metric terminates
    for (const m of metrics) expect(m.count).toBeGreaterThan(0);
  });

  test('stable and canary Services select the pod template\'s labels; Istio routes to the DestinationRule\'s subsets', () => {
    expect(canary.stableService).toBe('fraud-detector-stable');
    expect(canary.canaryService).toBe('fraud-detector-canary');
    for (const name of ['fraud-detector-stable', 'fraud-detector-canary']) {
      const svc = find(objects, 'Service', name)[0];
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(rollout.spec.template.metadata.labels[k]).toBe(v);
    }
    expect(canary.trafficRouting.istio).toEqual({
      virtualService: { name: 'fraud-detector', routes: ['primary'] },
      destinationRule: { name: 'fraud-detector', canarySubsetName: 'canary', stableSubsetName: 'stable' },
    });
    const subsets = find(objects, 'DestinationRule')[0].spec.subsets.map((s: any) => s.name);
    expect(subsets).toEqual(['stable', 'canary']);
  });

  test('an autoscaling/v2 HPA on the Rollout with the file\'s stabilization windows', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler')[0];
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'fraud-detector' });
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(hpa.spec.behavior).toEqual({ scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 600 } });
  });

  test('a PodMonitor keeps each pod\'s version label on its series', () => {
    const monitor = find(objects, 'PodMonitor')[0];
    // each series carries its pod's version and service, so the guardrails select the canary of this service
    expect(monitor.spec.podTargetLabels).toEqual(['app.kubernetes.io/name', 'version']);
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'fraud-detector' } });
  });

  test('the output is byte-identical run after run', () => {
    expect(runCli('synth', '-f', FILE).stdout).toBe(runCli('synth', '-f', FILE).stdout);
  });

  test('warns that main must run first', () => {
    expect(runCli('synth', '-f', FILE).stderr).toContain('apply main first');
  });
});

describe('mistakes in the rollout section: exit 1, every problem, with its line and column', () => {
  test.each([
    ['stages not ascending', 'stages: [5, 10, 25, 50, 100]', 'stages: [5, 25, 10, 50, 100]', `${at('stages:', '25')}rollout.stages[2]: stages must be strictly ascending, got 10 after 25`],
    ['stages not ending at 100', 'stages: [5, 10, 25, 50, 100]', 'stages: [5, 10, 25, 50]', `${at('stages:', '50')}rollout.stages[3]: the last stage must be 100`],
    ['a stage over 100', 'stages: [5, 10, 25, 50, 100]', 'stages: [5, 10, 25, 50, 150]', `${at('stages:', '100')}rollout.stages[4]: must be a whole percent from 1 to 100, got 150`],
    [
      'an inverted band',
      'error_rate: { promote_below: 0.005, rollback_above: 0.01 }',
      'error_rate: { promote_below: 0.02, rollback_above: 0.01 }',
      `${at('error_rate:', 'promote_below')}rollout.guardrails.error_rate.promote_below: the band is inverted: promote below 0.02 but roll back above 0.01, so a value between them would do both; make promote_below at most rollback_above`,
    ],
    [
      'an inverted band where higher is better',
      'promote_above: 0, rollback_below: -0.03',
      'promote_above: -0.05, rollback_below: -0.03',
      'rollout.guardrails.business_metric_delta.promote_above: the band is inverted: promote above -0.05 but roll back below -0.03',
    ],
    ['a pause in days', 'pause: 5m', 'pause: 1d', `${at('pause: 5m', 'pause')}rollout.pause: must be a duration such as "30s", "5m", "1h30m" (units h, m, s), got "1d"`],
    ['a wrong-way threshold', 'promote_below: 200, rollback_above: 500', 'promote_above: 200, rollback_above: 500', 'rollout.guardrails.p99_latency_ms.promote_above: p99_latency_ms is better when lower, so it takes promote_below and rollback_above; rename promote_above'],
    ['an unknown guardrail', 'p99_latency_ms:', 'p95_latency_ms:', 'rollout.guardrails.p95_latency_ms: unknown key; did you mean "p99_latency_ms"?'],
  ])('%s', (name, from, to, expected) => {
    const file = textVariant(`${name.replace(/\W+/g, '-')}.yaml`, from, to);
    const run = runCli('synth', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file}${expected.startsWith(':') ? '' : ':'}`);
    expect(run.stderr).toContain(expected);
  });

  test('a guardrail query with an unbalanced parenthesis or an undeclared placeholder: refused at synth, at its line and column and its place in the query', () => {
    const file = variant('bad-queries.yaml', (doc) => {
      doc.rollout.guardrails.prediction_drift_psi = { query: 'max(psi{service="{{args.service}}"}' };
      doc.rollout.guardrails.business_metric_delta = { query: 'sum(x{version="{{canary}}"})' };
    });
    const run = runCli('synth', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/:\d+:\d+ rollout\.guardrails\.prediction_drift_psi\.query: PromQL syntax error at column 36: the query ends too early/),
      expect.stringMatching(/:\d+:\d+ rollout\.guardrails\.business_metric_delta\.query: \{\{canary\}\} \(at column 16\) is not a placeholder the analysis fills in; write \{\{args\.NAME\}\}/),
    ]);
  });

  test('drift without a metric, query or URL, and a business metric without its counters, in the file\'s words', () => {
    const file = variant('no-queries.yaml', (doc) => {
      delete doc.rollout.guardrails.prediction_drift_psi.metric;
      delete doc.rollout.guardrails.business_metric_delta.success;
      delete doc.rollout.guardrails.business_metric_delta.total;
    });
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/:\d+:\d+ rollout\.guardrails\.prediction_drift_psi: prediction drift comes from the model server or a drift detector, so there is no default; set metric/),
      expect.stringMatching(/:\d+:\d+ rollout\.guardrails\.business_metric_delta: a business metric is yours to define/),
    ]);
  });

  test('several mistakes at once are all reported', () => {
    const file = variant('many.yaml', (doc) => {
      doc.rollout.stages = [50, 10, 90];
      doc.rollout.pause = ['5m', '5m'];
      doc.rollout.guardrails.error_rate = { promote_below: 0.5, rollback_above: 0.1 };
      doc.rollout.count = 2;
      doc.rollout.failure_limit = 2;
    });
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    const paths = run.stderr.trim().split('\n').map((l) => l.split(' ')[1]);
    // in the file's order
    expect(paths).toEqual([
      'rollout.stages[1]:',
      'rollout.stages[2]:',
      'rollout.pause:',
      'rollout.guardrails.error_rate.promote_below:',
      'rollout.failure_limit:',
    ]);
    expect(run.stderr).toContain('a failure limit of 2 can never be exceeded in 2 measurements; lower it below count');
  });

  test('mistakes in the rollout and mistakes the backend finds are reported together', () => {
    const file = variant('layers.yaml', (doc) => {
      doc.rollout.stages = [5, 25, 10, 50, 90];
      doc.rollout.guardrails.error_rate = { promote_below: 0.02, rollback_above: 0.01 };
      doc.canary.versions.v3 = { bento: 'fraud:v3', weight: 5 };
    });
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    // in the file's order
    expect(run.stderr.trim().split('\n').map((l) => l.split(' ')[1])).toEqual([
      'canary.versions:',
      'rollout.stages[2]:',
      'rollout.stages[4]:',
      'rollout.guardrails.error_rate.promote_below:',
    ]);
  });

  test('two canaries on Argo Rollouts name the backends that run several', () => {
    const file = variant('two-canaries.yaml', (doc) => {
      doc.canary.versions.v3 = { bento: 'fraud:v3', weight: 5 };
    });
    const run = runCli('synth', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /:14:3 canary\.versions: Argo Rollouts runs one pod template, so one canary beside main, got 2 \(v2, v3\); keep one, or use backend "kserve" or "seldon"/,
    );
  });

  test('request guardrails with a router that has no request metrics need a query', () => {
    const file = variant('native.yaml', (doc) => {
      doc.kubernetes.router = 'native';
    });
    const run = runCli('synth', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('rollout.guardrails.error_rate.query: router "native" has no request metrics to build a default error_rate query from');
    expect(run.stderr).toContain('rollout.guardrails.p99_latency_ms.query:');
  });

  test('with no guardrails given, a router without request metrics measures nothing and the rollout pauses for a person', () => {
    const file = variant('manual.yaml', (doc) => {
      doc.kubernetes.router = 'native';
      delete doc.rollout.guardrails;
    });
    const objects = synth('-f', file);
    expectValidManifests(objects);
    expect(find(objects, 'AnalysisTemplate')).toEqual([]);
    const steps = find(objects, 'Rollout')[0].spec.strategy.canary.steps;
    expect(steps.some((s: any) => s.analysis)).toBe(false);
    expect(steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([5, 10, 25, 50, 100]);
  });
});

describe('plan', () => {
  test('prints the five stages for KServe with Istio, with each version\'s weight, the pause and the guardrails', () => {
    const run = runCli('plan', '-f', FILE, '--backend', 'kserve', '--router', 'istio');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/));
    expect(rows).toEqual([
      ['1', '95%', '5%', '5m'],
      ['2', '90%', '10%', '5m'],
      ['3', '75%', '25%', '5m'],
      ['4', '50%', '50%', '5m'],
      ['5', '0%', '100%', '5m'],
    ]);
    expect(run.stdout).toMatch(/stage\s+main\s+v2\s+pause/);
    expect(run.stdout).toMatch(/error_rate\s+promote below 0\.005\s+roll back above 0\.01\s+query: default for router istio/);
    expect(run.stdout).toMatch(/business_metric_delta\s+promote above 0\s+roll back below -0\.03\s+metrics: conversions_total per predictions_total, canary against main/);
  });

  test('shares a stage among several canaries in proportion to their weights', () => {
    const file = variant('plan-two.yaml', (doc) => {
      doc.kubernetes.backend = 'kserve';
      doc.canary.versions.v3 = { bento: 'fraud:v3', weight: 15 };
      doc.rollout.pause = ['1m', null, '10m', null, '1h'];
    });
    const run = runCli('plan', '-f', file);
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['95%', '1%', '4%', '1m'],
      ['90%', '3%', '7%', 'until promoted'],
      ['75%', '6%', '19%', '10m'],
      // 12.5 and 37.5: the tie goes to the first declared canary
      ['50%', '13%', '37%', 'until promoted'],
      ['0%', '25%', '75%', '1h'],
    ]);
  });

  test('a file without a rollout or without canaries has no plan', () => {
    const noRollout = variant('plan-none.yaml', (doc) => delete doc.rollout);
    expect(runCli('plan', '-f', noRollout)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${noRollout}:1:1 rollout: a stage plan needs a rollout section with stages; add rollout: {stages: [5, 10, 25, 50, 100]}\n`,
    });
    const noCanary = variant('plan-nocanary.yaml', (doc) => {
      delete doc.canary;
      doc.kubernetes.backend = 'kserve';
    });
    expect(runCli('plan', '-f', noCanary)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^\S+:\d+:\d+ canary\.versions: a stage plan needs a canary version to roll out; add one under versions\n$/),
    });
  });

  test('an invalid file gets its problems, not a plan', () => {
    const file = textVariant('plan-bad.yaml', 'stages: [5, 10, 25, 50, 100]', 'stages: [5, 10, 25, 50]');
    const run = runCli('plan', '-f', file, '--backend', 'kserve');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('rollout.stages[3]: the last stage must be 100');
  });
});

describe('stage manifests for backends without a rollout controller', () => {
  const kserveIstio = ['-f', FILE, '--backend', 'kserve', '--router', 'istio'];

  test('synth --stage 3 on KServe + Istio gives v2 25%, valid against the CRDs', () => {
    const objects = synth(...kserveIstio, '--stage', '3');
    expectValidManifests(objects);
    const vs = find(objects, 'VirtualService')[0];
    const weighted = vs.spec.http.find((r: any) => r.name === 'weighted');
    expect(weighted.route.map((r: any) => [r.destination.host.split('.')[0], r.weight])).toEqual([
      ['fraud-detector-main-predictor', 75],
      ['fraud-detector-v2-predictor', 25],
    ]);
    expect(find(objects, 'PodMonitor')[0].spec.podMetricsEndpoints).toEqual([{ portNumber: 3000, path: '/metrics', interval: '30s' }]);
  });

  test.each([
    [1, 5],
    [2, 10],
    [3, 25],
    [4, 50],
    [5, 100],
  ])('stage %i on KServe\'s own split (Knative mode): canaryTrafficPercent %i', (stage, percent) => {
    const objects = synth('-f', FILE, '--backend', 'kserve', '--kserve-mode', 'knative', '--router', 'native', '--stage', String(stage));
    expectValidManifests(objects);
    expect(find(objects, 'InferenceService')[0].spec.predictor.canaryTrafficPercent).toBe(percent);
  });

  test('stage 3 on Seldon Core v1 gives v2 25% of the traffic', () => {
    const objects = synth('-f', FILE, '--backend', 'seldon', '--router', 'native', '--stage', '3');
    expectValidManifests(objects);
    const predictors = find(objects, 'SeldonDeployment')[0].spec.predictors;
    expect(predictors.map((p: any) => [p.name, p.traffic])).toEqual([
      ['main', 75],
      ['v2', 25],
    ]);
  });

  test('--promote v2 on KServe: the stable predictor runs v2 and there is no canary', () => {
    const objects = synth('-f', FILE, '--backend', 'kserve', '--kserve-mode', 'knative', '--router', 'native', '--promote', 'v2');
    expectValidManifests(objects);
    const isvc = find(objects, 'InferenceService')[0];
    expect(isvc.spec.predictor.canaryTrafficPercent).toBeUndefined();
    expect(JSON.stringify(isvc.spec.predictor)).toContain('fraud:v2def');
    expect(JSON.stringify(isvc.spec.predictor)).not.toContain('fraud:v1abc');
  });

  test('--promote a on KServe Standard (spec.canary): the stable predictor takes a\'s name and model, b keeps its percent', () => {
    const objects = synth('-f', path.join(EXAMPLES, 'summarization-models.yaml'), '--promote', 'a');
    expectValidManifests(objects);
    const isvc = find(objects, 'InferenceService')[0];
    expect(isvc.spec.predictor.name).toBe('a');
    expect(isvc.spec.predictor.model.storageUri).toBe('s3://models/summarization/t226bcshm2bqicvj');
    expect(isvc.spec.canary.map((c: any) => [c.predictor.name, c.trafficPercent])).toEqual([['b', 30]]);
  });

  test('--promote v2 with a router: v2 takes main\'s place and the route sends it everything', () => {
    const objects = synth(...kserveIstio, '--promote', 'v2');
    expectValidManifests(objects);
    expect(find(objects, 'InferenceService').map((o) => o.metadata.name)).toEqual(['fraud-detector-v2']);
  });

  test('--rollback: every canary at 0, still deployed', () => {
    const objects = synth('-f', FILE, '--backend', 'kserve', '--kserve-mode', 'knative', '--router', 'native', '--rollback');
    expectValidManifests(objects);
    expect(find(objects, 'InferenceService')[0].spec.predictor.canaryTrafficPercent).toBe(0);
    const seldon = synth('-f', FILE, '--backend', 'seldon', '--router', 'native', '--rollback');
    expect(find(seldon, 'SeldonDeployment')[0].spec.predictors.map((p: any) => [p.name, p.traffic])).toEqual([
      ['main', 100],
      ['v2', 0],
    ]);
  });

  test.each([
    [['--stage', '6'], 'stage: must be a stage number from 1 to 5 (stages 5, 10, 25, 50, 100), got 6'],
    [['--promote', 'v3'], 'promote: unknown canary "v3"; did you mean "v2"? promote one of v2'],
    [['--promote', 'main'], 'promote: "main" is already main'],
  ])('%j is refused with exit 1', (flags, expected) => {
    const run = runCli('synth', '-f', FILE, '--backend', 'kserve', ...flags);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`--${expected}`);
  });

  test('Argo Rollouts runs the stages itself: --stage, --promote and --rollback name its commands', () => {
    for (const [flags, command] of [
      [['--stage', '2'], 'kubectl argo rollouts promote fraud-detector'],
      [['--promote', 'v2'], 'kubectl argo rollouts promote fraud-detector'],
      [['--rollback'], 'kubectl argo rollouts abort fraud-detector'],
    ] as const) {
      const run = runCli('synth', '-f', FILE, ...flags);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Argo Rollouts runs the stages itself');
      expect(run.stderr).toContain(command);
    }
  });

  test.each([
    [['--stage', '0'], '--stage takes a stage number from 1'],
    [['--stage', 'three'], '--stage takes a stage number from 1'],
    [['--stage', '2', '--rollback'], '--stage and --rollback ask for different states'],
    [['--rollback', '--rollback'], 'option --rollback is given twice'],
  ])('usage error for %j', (flags, expected) => {
    const run = runCli('synth', '-f', FILE, '--backend', 'kserve', ...flags);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(expected);
  });

  test('--stage is for synth and validate only', () => {
    expect(runCli('plan', '-f', FILE, '--stage', '2')).toMatchObject({ code: 2, stderr: expect.stringContaining('are for synth and validate') });
  });
});

describe('per-version monitoring', () => {
  test('on by default with a rollout; kubernetes.monitoring: false turns it off', () => {
    const off = variant('monitoring-off.yaml', (doc) => {
      doc.kubernetes.monitoring = false;
    });
    expect(find(synth('-f', off), 'PodMonitor')).toEqual([]);
  });

  test('kubernetes.monitoring: true without a rollout, on Seldon Core v1: the executor\'s and the bento\'s metrics', () => {
    const file = variant('monitoring-seldon.yaml', (doc) => {
      delete doc.rollout;
      doc.kubernetes = { namespace: 'ml', backend: 'seldon', monitoring: true };
    });
    const objects = synth('-f', file);
    expectValidManifests(objects);
    expect(find(objects, 'PodMonitor')[0].spec).toMatchObject({
      podTargetLabels: ['app.kubernetes.io/name', 'version'],
      namespaceSelector: { matchNames: ['ml'] },
      podMetricsEndpoints: [
        { port: 'metrics', path: '/prometheus' },
        { portNumber: 3000, path: '/metrics' },
      ],
    });
  });

  test('a non-boolean monitoring is refused at its position', () => {
    const file = textVariant('monitoring-bad.yaml', '  router: istio\n', '  router: istio\n  monitoring: yes please\n');
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:34:3 kubernetes.monitoring: must be true or false, got "yes please"`);
  });
});
