import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  AnalysisMode,
  AnalysisTemplate,
  Artifact,
  Backend,
  CanaryInferenceService,
  CanaryInferenceServiceProps,
  Guardrail,
  Pause,
  Router,
} from '../../src';
import { expectValidManifests } from '../support/manifests';

const DRIFT_QUERY = 'max(model_prediction_psi{service="{{args.service}}", version="{{args.canary-version}}"})';
const BUSINESS_QUERY =
  'sum(rate(orders_total{service="{{args.service}}", version="{{args.canary-version}}"}[5m])) / ' +
  'sum(rate(orders_total{service="{{args.service}}", version="{{args.stable-version}}"}[5m])) - 1';

/** The four guardrails of the runbook. */
const RUNBOOK_GUARDRAILS = [
  Guardrail.errorRate({ promoteBelow: 0.005, rollbackAbove: 0.01 }),
  Guardrail.p99LatencyMs(),
  Guardrail.predictionDriftPsi({ query: DRIFT_QUERY }),
  Guardrail.businessMetricDelta({ query: BUSINESS_QUERY }),
];

/** A chart in namespace ml. */
const mlChart = () => new Chart(Testing.app(), 'ml', { namespace: 'ml' });

/** The fraud detector: main v1 and canary v2 at 5%, on Argo Rollouts with Istio unless overridden. */
function fraud(chart: Chart, props: Partial<CanaryInferenceServiceProps> = {}): CanaryInferenceService {
  const service = new CanaryInferenceService(chart, 'Fraud', {
    name: 'fraud',
    backend: Backend.argoRollouts(),
    router: Router.istio(),
    main: { artifact: Artifact.bento('fraud:v1abc') },
    rollout: { stages: [5, 10, 25, 50, 100], pause: Pause.of(Duration.minutes(5)), guardrails: RUNBOOK_GUARDRAILS },
    ...props,
  });
  service.addVersion('v2', { weight: 5, artifact: Artifact.bento('fraud:v2def') });
  return service;
}

const byKind = (objects: readonly any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
const one = (objects: readonly any[], kind: string): any => {
  const found = byKind(objects, kind);
  expect(found).toHaveLength(1);
  return found[0];
};
/** The step kinds of a Rollout, e.g. `setWeight:5`, `pause:5m`, `pause:-`, `analysis`. */
function stepKinds(rollout: any): string[] {
  return rollout.spec.strategy.canary.steps.map((s: any) => {
    if (s.setWeight !== undefined) return `setWeight:${s.setWeight}`;
    if (s.pause !== undefined) return `pause:${s.pause.duration ?? '-'}`;
    if (s.analysis !== undefined) return 'analysis';
    return Object.keys(s)[0];
  });
}

/** The validation messages `synth` throws. */
function synthError(synth: () => unknown): string {
  try {
    synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synth to fail');
}

describe('CanaryInferenceService with a rollout on Argo Rollouts', () => {
  test('a Rollout stepping through the stages with pauses and analysis, an AnalysisTemplate and a PodMonitor', () => {
    // Given the fraud detector with the runbook's stages, a 5 minute pause and four guardrails
    const chart = mlChart();
    fraud(chart);
    // When the chart is synthesized
    const manifests = Testing.synth(chart);
    // Then every object is valid against the official CRDs and the semantic rules
    expectValidManifests(manifests);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Rollout/fraud',
      'Service/fraud',
      'Service/fraud-stable',
      'Service/fraud-canary',
      'VirtualService/fraud',
      'DestinationRule/fraud',
      'AnalysisTemplate/fraud',
      'PodMonitor/fraud',
      'ConfigMap/fraud-dashboard',
    ]);
    for (const m of manifests) expect(m.metadata.namespace).toBe('ml');

    // the Rollout: setWeight, pause and analysis at every stage
    const rollout = one(manifests, 'Rollout');
    expect(rollout.spec.template.spec.containers[0].image).toBe('fraud:v2def');
    expect(rollout.spec.strategy.canary).toMatchObject({
      stableService: 'fraud-stable',
      canaryService: 'fraud-canary',
      trafficRouting: { istio: { virtualService: { name: 'fraud', routes: ['primary'] }, destinationRule: { name: 'fraud' } } },
    });
    expect(rollout.spec.strategy.canary.analysis).toBeUndefined();
    expect(stepKinds(rollout)).toEqual([
      'setHeaderRoute',
      ...[5, 10, 25, 50, 100].flatMap((w) => [`setWeight:${w}`, 'pause:5m', 'analysis']),
    ]);
    const analysis = rollout.spec.strategy.canary.steps.find((s: any) => s.analysis).analysis;
    expect(analysis.templates).toEqual([{ templateName: 'fraud' }]);
    expect(analysis.args).toEqual(expect.arrayContaining([
      { name: 'service', value: 'fraud' },
      { name: 'canary-version', value: 'v2' },
      { name: 'stable-version', value: 'main' },
    ]));

    // the AnalysisTemplate: one metric per guardrail, promote threshold = success, rollback threshold = failure
    const template = one(manifests, 'AnalysisTemplate');
    expect(template.spec.args.map((a: any) => a.name)).toEqual(['service', 'namespace', 'canary-version', 'stable-version', 'canary-hash', 'stable-hash']);
    expect(template.spec.metrics.map((m: any) => [m.name, m.successCondition, m.failureCondition, m.interval, m.count])).toEqual([
      ['error-rate', 'result[0] <= 0.005', 'result[0] > 0.01', '1m', 5],
      ['p99-latency-ms', 'result[0] <= 200', 'result[0] > 500', '1m', 5],
      ['prediction-drift-psi', 'result[0] <= 0.1', 'result[0] > 0.2', '1m', 5],
      ['business-metric-delta', 'result[0] >= 0', 'result[0] < -0.03', '1m', 5],
    ]);
    expect(template.spec.metrics[0].provider.prometheus.query).toMatch(/istio_requests_total.*response_code=~"5\.\."/);
    // a user's query gets the no-evidence guard, on lines of its own: an empty result is NaN (hold), never an Error
    expect(template.spec.metrics[2].provider.prometheus.query).toBe(`((\n${DRIFT_QUERY}\n)) or on() vector(NaN)`);
    expect(template.spec.metrics[3].provider.prometheus.query).toBe(`((\n${BUSINESS_QUERY}\n)) or on() vector(NaN)`);
    for (const m of template.spec.metrics) expect(m.provider.prometheus.address).toBe('http://prometheus-operated.monitoring.svc:9090');

    // the PodMonitor: every version, labelled by version
    const monitor = one(manifests, 'PodMonitor');
    expect(monitor.spec).toMatchObject({ selector: { matchLabels: { 'app.kubernetes.io/name': 'fraud' } }, podTargetLabels: ['app.kubernetes.io/name', 'version'] });
  });

  test('a pause per stage: pause steps with and without a duration', () => {
    const chart = mlChart();
    fraud(chart, {
      rollout: {
        stages: [5, 10, 25, 50, 100],
        pause: [
          Pause.of(Duration.minutes(1)),
          Pause.untilPromoted(),
          Pause.of(Duration.minutes(90)),
          Pause.untilPromoted(),
          Pause.of(Duration.seconds(30)),
        ],
        guardrails: RUNBOOK_GUARDRAILS,
      },
    });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const rollout = one(manifests, 'Rollout');
    expect(stepKinds(rollout)).toEqual([
      'setHeaderRoute',
      'setWeight:5', 'pause:1m', 'analysis',
      'setWeight:10', 'pause:-', 'analysis',
      'setWeight:25', 'pause:1h30m', 'analysis',
      'setWeight:50', 'pause:-', 'analysis',
      'setWeight:100', 'pause:30s', 'analysis',
    ]);
    // a pause until promoted is an empty pause
    expect(rollout.spec.strategy.canary.steps[5]).toEqual({ pause: {} });
  });

  test('the default pause waits for a manual promote after every stage', () => {
    const chart = mlChart();
    fraud(chart, { rollout: { stages: [20, 100], guardrails: RUNBOOK_GUARDRAILS } });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(stepKinds(one(manifests, 'Rollout'))).toEqual(['setHeaderRoute', 'setWeight:20', 'pause:-', 'analysis', 'setWeight:100', 'pause:-', 'analysis']);
  });

  test('AnalysisMode.BACKGROUND: analysis on the strategy, no analysis steps, metrics without count', () => {
    const chart = mlChart();
    fraud(chart, {
      rollout: {
        pause: Pause.of(Duration.minutes(5)),
        analysis: AnalysisMode.BACKGROUND,
        guardrails: RUNBOOK_GUARDRAILS,
        interval: Duration.seconds(30),
      },
    });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const rollout = one(manifests, 'Rollout');
    expect(rollout.spec.strategy.canary.analysis).toMatchObject({ templates: [{ templateName: 'fraud' }] });
    expect(stepKinds(rollout)).not.toContain('analysis');
    expect(stepKinds(rollout)).toEqual(['setHeaderRoute', ...[5, 10, 25, 50, 100].flatMap((w) => [`setWeight:${w}`, 'pause:5m'])]);
    const template = one(manifests, 'AnalysisTemplate');
    expect(template.spec.metrics).toHaveLength(4);
    for (const m of template.spec.metrics) {
      expect(m.count).toBeUndefined();
      expect(m.interval).toBe('30s');
    }
  });

  test('analysis settings reach the template: count, limits, dry run, Prometheus address', () => {
    const chart = mlChart();
    fraud(chart, {
      rollout: {
        guardrails: [Guardrail.errorRate()],
        count: 10,
        failureLimit: 2,
        consecutiveErrorLimit: 1,
        dryRun: true,
        prometheusAddress: 'http://prometheus.monitoring.svc:9090',
      },
    });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const template = one(manifests, 'AnalysisTemplate');
    expect(template.spec.metrics).toEqual([
      expect.objectContaining({ name: 'error-rate', count: 10, failureLimit: 2, consecutiveErrorLimit: 1 }),
    ]);
    expect(template.spec.metrics[0].provider.prometheus.address).toBe('http://prometheus.monitoring.svc:9090');
    expect(template.spec.dryRun).toEqual([{ metricName: '.*' }]);
  });

  test('a stage on Argo Rollouts fails synth, naming kubectl argo rollouts promote', () => {
    const chart = mlChart();
    fraud(chart, { stage: 2 });
    const message = synthError(() => Testing.synth(chart));
    expect(message).toMatch(/stage: Argo Rollouts runs the stages itself, so it renders no separate manifests for stage 2/);
    expect(message).toContain('`kubectl argo rollouts promote fraud`');
  });

  test('promote and rollback on Argo Rollouts name the controller\'s commands too', () => {
    const promote = mlChart();
    fraud(promote, { promote: 'v2' });
    expect(synthError(() => Testing.synth(promote))).toMatch(/promote: Argo Rollouts runs the stages itself.*`kubectl argo rollouts promote fraud`/);
    const rollback = mlChart();
    fraud(rollback, { rollback: true });
    expect(synthError(() => Testing.synth(rollback))).toMatch(/rollback: Argo Rollouts runs the stages itself.*`kubectl argo rollouts abort fraud`/);
  });
});

describe('CanaryInferenceService stage props on KServe', () => {
  /** The fraud detector on KServe Standard (native router): stored models, as spec.canary needs. */
  const kserve = (chart: Chart, props: Partial<CanaryInferenceServiceProps> = {}) => {
    const service = new CanaryInferenceService(chart, 'Fraud', {
      name: 'fraud',
      main: { artifact: Artifact.model({ storageUri: 's3://models/fraud/v1', format: 'xgboost' }) },
      rollout: {},
      ...props,
    });
    service.addVersion('v2', { weight: 5, artifact: Artifact.model({ storageUri: 's3://models/fraud/v2', format: 'xgboost' }) });
    return service;
  };

  test('without a stage, the declared weights', () => {
    const chart = mlChart();
    kserve(chart);
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const isvc = one(manifests, 'InferenceService');
    expect(isvc.spec.canary.map((c: any) => [c.predictor.name, c.trafficPercent])).toEqual([['v2', 5]]);
  });

  test('stage 3: the canary at 25 percent', () => {
    const chart = mlChart();
    kserve(chart, { stage: 3 });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const isvc = one(manifests, 'InferenceService');
    expect(isvc.spec.canary.map((c: any) => [c.predictor.name, c.trafficPercent])).toEqual([['v2', 25]]);
    expect(isvc.spec.predictor.model.storageUri).toBe('s3://models/fraud/v1');
  });

  test('every stage in turn', () => {
    for (const [stage, percent] of [[1, 5], [2, 10], [3, 25], [4, 50], [5, 100]]) {
      const chart = mlChart();
      kserve(chart, { stage });
      const manifests = Testing.synth(chart);
      expectValidManifests(manifests);
      expect(one(manifests, 'InferenceService').spec.canary[0].trafficPercent).toBe(percent);
    }
  });

  test('promote v2: no canary, the predictor is v2\'s', () => {
    const chart = mlChart();
    kserve(chart, { promote: 'v2' });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const isvc = one(manifests, 'InferenceService');
    expect(isvc.spec.canary ?? []).toEqual([]);
    expect(isvc.spec.predictor.model.storageUri).toBe('s3://models/fraud/v2');
  });

  test('rollback: the canary at 0, main\'s predictor', () => {
    const chart = mlChart();
    kserve(chart, { rollback: true });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const isvc = one(manifests, 'InferenceService');
    expect(isvc.spec.canary.map((c: any) => [c.predictor.name, c.trafficPercent])).toEqual([['v2', 0]]);
    expect(isvc.spec.predictor.model.storageUri).toBe('s3://models/fraud/v1');
  });

  test('a stage out of range, an unknown version to promote, and two states at once fail synth', () => {
    const outOfRange = mlChart();
    kserve(outOfRange, { stage: 6 });
    expect(synthError(() => Testing.synth(outOfRange))).toMatch(/stage: must be a stage number from 1 to 5 \(stages 5, 10, 25, 50, 100\), got 6/);
    const unknown = mlChart();
    kserve(unknown, { promote: 'v3' });
    expect(synthError(() => Testing.synth(unknown))).toMatch(/promote: unknown canary "v3"; did you mean "v2"\? promote one of v2/);
    const both = mlChart();
    kserve(both, { stage: 2, rollback: true });
    expect(synthError(() => Testing.synth(both))).toMatch(/rollback: stage and rollback are different states; ask for one of them/);
  });

  test('a stage without a rollout section fails synth', () => {
    const chart = mlChart();
    kserve(chart, { stage: 1, rollout: undefined });
    expect(synthError(() => Testing.synth(chart))).toMatch(/rollout: a stage needs a rollout section with stages/);
  });
});

describe('standalone AnalysisTemplate', () => {
  test('default guardrails with the default router istio, in the chart\'s namespace', () => {
    const chart = mlChart();
    const t = new AnalysisTemplate(chart, 'Guardrails', { name: 'guardrails' });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests).toHaveLength(1);
    expect(t.resource).toBeDefined();
    expect(manifests[0]).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'guardrails', namespace: 'ml' } });
    const metrics = manifests[0].spec.metrics;
    expect(metrics.map((m: any) => [m.name, m.successCondition, m.failureCondition, m.count, m.interval])).toEqual([
      ['error-rate', 'result[0] <= 0.005', 'result[0] > 0.01', 5, '1m'],
      ['p99-latency-ms', 'result[0] <= 200', 'result[0] > 500', 5, '1m'],
    ]);
    expect(metrics[0].provider.prometheus.query).toMatch(/istio_requests_total/);
    expect(metrics[1].provider.prometheus.query).toMatch(/istio_request_duration_milliseconds_bucket/);
  });

  test('the name defaults to a DNS label from the construct path', () => {
    const chart = mlChart();
    const t = new AnalysisTemplate(chart, 'Guardrails');
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests[0].metadata.name).toBe(t.name);
    expect(t.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  test('Router.nginx(): the default queries read ingress-nginx\'s metrics', () => {
    const chart = mlChart();
    new AnalysisTemplate(chart, 'T', { name: 'nginx-guardrails', router: Router.nginx() });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests[0].spec.metrics[0].provider.prometheus.query).toMatch(/nginx_ingress_controller_requests/);
  });

  test('clusterScope: a ClusterAnalysisTemplate without namespace', () => {
    const chart = mlChart();
    new AnalysisTemplate(chart, 'T', { name: 'guardrails', clusterScope: true });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests[0].kind).toBe('ClusterAnalysisTemplate');
    expect(manifests[0].metadata.name).toBe('guardrails');
    expect(manifests[0].metadata.namespace).toBeUndefined();
  });

  test('clusterScope in a chart without namespace', () => {
    const chart = Testing.chart();
    new AnalysisTemplate(chart, 'T', { name: 'guardrails', clusterScope: true });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests[0].kind).toBe('ClusterAnalysisTemplate');
    expect(manifests[0].metadata.namespace).toBeUndefined();
  });

  test('mode BACKGROUND: metrics without count', () => {
    const chart = mlChart();
    new AnalysisTemplate(chart, 'T', { name: 'guardrails', mode: AnalysisMode.BACKGROUND, failureLimit: 3 });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    for (const m of manifests[0].spec.metrics) {
      expect(m.count).toBeUndefined();
      expect(m.failureLimit).toBe(3);
    }
  });

  test('explicit guardrails, a drift detector URL as a web provider', () => {
    const chart = mlChart();
    new AnalysisTemplate(chart, 'T', {
      name: 'drift',
      router: Router.native(),
      guardrails: [
        Guardrail.predictionDriftPsi({ url: 'http://drift.ml.svc:8080/psi/{{args.service}}', promoteBelow: 0.05 }),
        Guardrail.businessMetricDelta({ query: BUSINESS_QUERY, promoteAbove: 0.01, rollbackBelow: -0.05 }),
      ],
      interval: Duration.minutes(2),
    });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests[0].spec.metrics).toEqual([
      expect.objectContaining({
        name: 'prediction-drift-psi',
        interval: '2m',
        successCondition: 'result <= 0.05',
        failureCondition: 'result > 0.2',
        provider: { web: { url: 'http://drift.ml.svc:8080/psi/{{args.service}}', jsonPath: '{$.psi}' } },
      }),
      expect.objectContaining({
        name: 'business-metric-delta',
        successCondition: 'result[0] >= 0.01',
        failureCondition: 'result[0] < -0.05',
        provider: { prometheus: { address: 'http://prometheus-operated.monitoring.svc:9090', query: `((\n${BUSINESS_QUERY}\n)) or on() vector(NaN)` } },
      }),
    ]);
  });

  test('Router.native() with the default guardrails fails synth: no request metrics', () => {
    const chart = mlChart();
    const t = new AnalysisTemplate(chart, 'T', { name: 'guardrails', router: Router.native() });
    expect(t.resource).toBeUndefined();
    expect(synthError(() => Testing.synth(chart))).toMatch(
      /guardrails: router "native" has no request metrics for the default guardrails; give guardrails with a query, or use router "istio" or "nginx"/,
    );
  });

  test('Router.native() with an explicit errorRate and no query fails synth at the guardrail\'s query', () => {
    const chart = mlChart();
    new AnalysisTemplate(chart, 'T', { name: 'guardrails', router: Router.native(), guardrails: [Guardrail.errorRate()] });
    expect(synthError(() => Testing.synth(chart))).toMatch(/\] guardrails\.errorRate\.query: router "native" has no request metrics/);
  });

  test('an inverted band fails synth with the path', () => {
    const chart = mlChart();
    new AnalysisTemplate(chart, 'T', { name: 'guardrails', guardrails: [Guardrail.errorRate({ promoteBelow: 0.02, rollbackAbove: 0.01 })] });
    expect(synthError(() => Testing.synth(chart))).toMatch(
      /guardrails\.errorRate\.promoteBelow: the band is inverted: promote below 0\.02 but roll back above 0\.01.*make promoteBelow at most rollbackAbove/,
    );
  });

  test('Guardrail.errorRate() twice fails synth: given more than once', () => {
    const chart = mlChart();
    const t = new AnalysisTemplate(chart, 'T', { name: 'guardrails', guardrails: [Guardrail.errorRate(), Guardrail.p99LatencyMs(), Guardrail.errorRate({ promoteBelow: 0.001 })] });
    expect(t.resource).toBeUndefined();
    expect(synthError(() => Testing.synth(chart))).toMatch(/guardrails\.errorRate: is given more than once; .*keep one/);
  });

  test('every problem of the props at once', () => {
    const chart = mlChart();
    new AnalysisTemplate(chart, 'T', {
      name: 'guardrails',
      interval: Duration.seconds(0),
      count: 2,
      failureLimit: 2,
      guardrails: [Guardrail.p99LatencyMs({ promoteBelow: 0 }), Guardrail.businessMetricDelta({ query: BUSINESS_QUERY, promoteAbove: -0.5 })],
    });
    const message = synthError(() => Testing.synth(chart));
    expect(message).toMatch(/interval: must be at least 1 second, got 0/);
    expect(message).toMatch(/failureLimit: a failure limit of 2 can never be exceeded in 2 measurements/);
    expect(message).toMatch(/guardrails\.p99LatencyMs\.promoteBelow: must be milliseconds above 0, got 0/);
    expect(message).toMatch(/guardrails\.businessMetricDelta\.promoteAbove: the band is inverted/);
  });
});

describe('an invalid rollout on CanaryInferenceService', () => {
  test('Testing.synth throws with every problem; no object is rendered', () => {
    const chart = mlChart();
    const service = fraud(chart, {
      rollout: {
        stages: [10, 5],
        pause: [Pause.of(Duration.minutes(1))],
        guardrails: [Guardrail.errorRate({ promoteBelow: 0.05, rollbackAbove: 0.01 }), Guardrail.predictionDriftPsi({ query: DRIFT_QUERY, jsonPath: '{$.psi}' })],
      },
    });
    expect(service.apiObjects).toHaveLength(0);
    const message = synthError(() => Testing.synth(chart));
    expect(message).toMatch(/rollout\.stages\[1\]: stages must be strictly ascending, got 5 after 10 in \[10, 5\]; raise it above 10 or remove it/);
    expect(message).toMatch(/rollout\.stages\[1\]: the last stage must be 100 .*got 5 in \[10, 5\]; end the list with 100/);
    expect(message).toMatch(/rollout\.pause: a list of pauses needs one per stage \(2\), got 1/);
    expect(message).toMatch(/rollout\.guardrails\.errorRate\.promoteBelow: the band is inverted/);
    expect(message).toMatch(/rollout\.guardrails\.predictionDriftPsi\.jsonPath: goes with url; add url or remove jsonPath/);
  });

  test('app.synth() throws too', () => {
    const app = new App({ outdir: '/tmp/unused' });
    const chart = new Chart(app, 'fraud', { namespace: 'ml' });
    fraud(chart, { rollout: { stages: [10, 5] } });
    expect(() => app.synth()).toThrow(/rollout\.stages\[1\]: stages must be strictly ascending, got 5 after 10/);
  });

  test('a guardrail given twice fails synth', () => {
    const chart = mlChart();
    fraud(chart, { rollout: { guardrails: [Guardrail.p99LatencyMs(), Guardrail.p99LatencyMs({ rollbackAbove: 800 })] } });
    expect(synthError(() => Testing.synth(chart))).toMatch(/rollout\.guardrails\.p99LatencyMs: is given more than once/);
  });

  test('a transient invalid rollout is fine once the final state is valid', () => {
    // stage 1 needs a canary: invalid until v2 is added
    const chart = mlChart();
    const service = new CanaryInferenceService(chart, 'Fraud', {
      name: 'fraud',
      main: { artifact: Artifact.model({ storageUri: 's3://models/fraud/v1', format: 'xgboost' }) },
      rollout: {},
      stage: 1,
    });
    expect(service.apiObjects).toHaveLength(0);
    service.addVersion('v2', { weight: 5, artifact: Artifact.model({ storageUri: 's3://models/fraud/v2', format: 'xgboost' }) });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(one(manifests, 'InferenceService').spec.canary[0].trafficPercent).toBe(5);
  });
});
