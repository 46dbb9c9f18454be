import { Backend } from '../../src/backends';
import { synthesize, toYaml } from '../../src/render';
import { Router } from '../../src/routers';
import { issuesOf } from '../support/issues';
import { expectValidManifests, manifestProblems } from '../support/manifests';
import { analysisTemplateProblems, goDurationSeconds, hpaProblems, ingressProblems, rolloutProblems } from '../support/semantic-rules';

const ARGO = Backend.argoRollouts();

const DRIFT_QUERY = 'max(model_prediction_psi{service="{{args.service}}"})';
const BUSINESS_QUERY =
  'sum(rate(orders_total{service="{{args.service}}", version="{{args.canary-version}}"}[5m])) / sum(rate(orders_total{service="{{args.service}}", version="{{args.stable-version}}"}[5m])) - 1';

const MAIN = {
  artifact: { type: 'bento', tag: 'fraud:v1abc' },
  instanceType: 'cpu.2',
  scaling: { minReplicas: 2, maxReplicas: 6, scaleUpStabilizationWindowSeconds: 0, scaleDownStabilizationWindowSeconds: 600 },
};

/** The issue's fraud detector: main v1, canary v2 at 5%, the runbook's stages and four guardrails. */
function fraudDetector(overrides: Record<string, any> = {}): any {
  return {
    name: 'fraud-detector',
    namespace: 'ml',
    imageRepository: 'registry.example.com/bentos',
    main: MAIN,
    versions: { v2: { weight: 5, artifact: { type: 'bento', tag: 'fraud:v2def' } } },
    rollout: {
      stages: [5, 10, 25, 50, 100],
      pause: '5m',
      guardrails: {
        errorRate: { promoteBelow: 0.005, rollbackAbove: 0.01 },
        p99LatencyMs: { promoteBelow: 200, rollbackAbove: 500 },
        predictionDriftPsi: { promoteBelow: 0.1, rollbackAbove: 0.2, query: DRIFT_QUERY },
        businessMetricDelta: { promoteAbove: 0, rollbackBelow: -0.03, query: BUSINESS_QUERY },
      },
    },
    ...overrides,
  };
}

/** Guardrails with queries of their own: routers native, gateway-api and smi have no request metrics to build defaults from. */
const OWN_QUERIES = {
  errorRate: { query: 'sum(rate(http_errors_total{service="{{args.service}}", version="{{args.canary-version}}"}[1m]))' },
  p99LatencyMs: { promoteBelow: 150, rollbackAbove: 400, query: 'histogram_quantile(0.99, sum by (le) (rate(latency_bucket{service="{{args.service}}"}[1m])))' },
  predictionDriftPsi: { url: 'http://drift.ml.svc:8080/psi/{{args.service}}' },
};

function render(input: unknown, router: Router = Router.istio()) {
  return synthesize(input, { backend: ARGO, router });
}

function problems(input: unknown, router: Router = Router.istio()): string[] {
  return issuesOf(() => render(input, router));
}

const byKind = (objects: readonly any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
const one = (objects: readonly any[], kind: string): any => {
  const found = byKind(objects, kind);
  expect(found).toHaveLength(1);
  return found[0];
};
/** A deep copy, so a test can break a rendered object without touching another test's. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('Argo Rollouts: the fraud detector of the issue (istio)', () => {
  const { objects, warnings } = render(fraudDetector());
  const rollout = one(objects, 'Rollout');
  const template = one(objects, 'AnalysisTemplate');

  test('every object passes the CRDs and the semantic rules, and matches the snapshot', () => {
    expectValidManifests(objects);
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining([
      'Rollout', 'Service', 'VirtualService', 'DestinationRule', 'HorizontalPodAutoscaler', 'AnalysisTemplate',
    ]));
    expect(warnings).toEqual([expect.stringMatching(/pod template is version v2.*apply main first/)]);
    expect(objects).toMatchSnapshot();
  });

  test('the Rollout runs the canary\'s pod template in namespace ml', () => {
    expect(rollout).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', metadata: { name: 'fraud-detector', namespace: 'ml' } });
    expect(rollout.spec.replicas).toBe(2);
    expect(rollout.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'fraud-detector' } });
    expect(rollout.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'fraud-detector', 'version': 'v2' });
    expect(rollout.spec.template.spec.containers[0]).toMatchObject({
      image: 'registry.example.com/bentos/fraud:v2def',
      ports: [{ name: 'http', containerPort: 3000 }],
      // Argo Rollouts shifts weight only to Ready pods: BentoML's readiness, on the port it listens on
      readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
      livenessProbe: { httpGet: { path: '/livez', port: 'http' } },
      securityContext: { runAsNonRoot: true, runAsUser: 1034, runAsGroup: 1034 },
    });
  });

  test('steps: pin by header, then each stage is setWeight, a 5m pause and an analysis', () => {
    const steps: any[] = rollout.spec.strategy.canary.steps;
    expect(steps[0]).toEqual({ setHeaderRoute: { name: 'pin', match: [{ headerName: 'x-canary-version', headerValue: { exact: 'v2' } }] } });
    const analysis = { templates: [{ templateName: 'fraud-detector' }], args: expect.any(Array) };
    expect(steps.slice(1)).toEqual([5, 10, 25, 50, 100].flatMap((w) => [{ setWeight: w }, { pause: { duration: '5m' } }, { analysis }]));
    expect(steps[3].analysis.args).toEqual([
      { name: 'service', value: 'fraud-detector' },
      { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'canary-version', value: 'v2' },
      { name: 'stable-version', value: 'main' },
      { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
    ]);
    expect(rollout.spec.strategy.canary.analysis).toBeUndefined();
  });

  test('the AnalysisTemplate carries every threshold as success and failure conditions', () => {
    const metrics: any[] = template.spec.metrics;
    const conditions = Object.fromEntries(metrics.map((m) => [m.name, [m.successCondition, m.failureCondition]]));
    expect(conditions).toEqual({
      // promote at or better than the promote threshold (no degradation promotes), roll back when strictly worse
      'error-rate': ['result[0] <= 0.005', 'result[0] > 0.01'],
      'p99-latency-ms': ['result[0] <= 200', 'result[0] > 500'],
      'prediction-drift-psi': ['result[0] <= 0.1', 'result[0] > 0.2'],
      'business-metric-delta': ['result[0] >= 0', 'result[0] < -0.03'],
    });
    const query = (name: string) => metrics.find((m) => m.name === name).provider.prometheus.query;
    // the users' queries, with the no-evidence guard: an empty result is NaN (hold), never an Error
    expect(query('prediction-drift-psi')).toBe(`((\n${DRIFT_QUERY}\n)) or on() vector(NaN)`);
    expect(query('business-metric-delta')).toBe(`((\n${BUSINESS_QUERY}\n)) or on() vector(NaN)`);
    expect(query('error-rate')).toMatch(/istio_requests_total\{.*destination_canonical_revision="\{\{args.canary-version\}\}".*response_code=~"5\.\."/);
    expect(query('p99-latency-ms')).toMatch(/^\(\(histogram_quantile\(0\.99, .*istio_request_duration_milliseconds_bucket/);
    // inline step analyses must end: every metric measures count times, interval apart
    for (const m of metrics) expect(m).toMatchObject({ interval: '1m', count: 5, failureLimit: 0 });
  });

  test('Services: the host, stable and canary, all selecting the Rollout\'s pods', () => {
    const services = byKind(objects, 'Service');
    expect(services.map((s) => s.metadata.name)).toEqual(['fraud-detector', 'fraud-detector-stable', 'fraud-detector-canary']);
    for (const s of services) expect(s.spec.selector).toEqual({ 'app.kubernetes.io/name': 'fraud-detector' });
    expect(rollout.spec.strategy.canary).toMatchObject({ stableService: 'fraud-detector-stable', canaryService: 'fraud-detector-canary' });
  });

  test('Istio: a VirtualService route over the DestinationRule\'s stable and canary subsets', () => {
    const vs = one(objects, 'VirtualService');
    const dr = one(objects, 'DestinationRule');
    expect(rollout.spec.strategy.canary.trafficRouting).toEqual({
      istio: {
        virtualService: { name: 'fraud-detector', routes: ['primary'] },
        destinationRule: { name: 'fraud-detector', canarySubsetName: 'canary', stableSubsetName: 'stable' },
      },
      managedRoutes: [{ name: 'pin' }],
    });
    expect(vs.spec.http).toEqual([
      {
        name: 'primary',
        route: [
          { destination: { host: 'fraud-detector', subset: 'stable', port: { number: 80 } }, weight: 100 },
          { destination: { host: 'fraud-detector', subset: 'canary', port: { number: 80 } }, weight: 0 },
        ],
      },
    ]);
    expect(dr.spec.host).toBe('fraud-detector');
    expect(dr.spec.subsets.map((s: any) => s.name)).toEqual(['stable', 'canary']);
  });

  test('an autoscaling/v2 HPA scales the Rollout, with the stabilization windows as behavior', () => {
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'fraud-detector' },
      minReplicas: 2,
      maxReplicas: 6,
      behavior: { scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 600 } },
    });
  });

  test('rendering twice gives byte-identical YAML', () => {
    const again = render(fraudDetector());
    expect(toYaml(again.objects)).toBe(toYaml(objects));
    expect(toYaml(render(fraudDetector(), Router.nginx({ hosts: ['fraud.example.com'] })).objects))
      .toBe(toYaml(render(fraudDetector(), Router.nginx({ hosts: ['fraud.example.com'] })).objects));
  });
});

describe('Argo Rollouts: every router × analysis mode renders valid manifests', () => {
  const routers: Array<[string, () => Router, string[]]> = [
    ['native', () => Router.native(), []],
    ['istio', () => Router.istio(), ['VirtualService', 'DestinationRule']],
    ['istio with a gateway and hosts', () => Router.istio({ gateway: 'infra/public', hosts: ['fraud.example.com'] }), ['VirtualService', 'DestinationRule']],
    ['gateway-api without a gateway (GAMMA)', () => Router.gatewayApi(), ['HTTPRoute']],
    // the Gateway's route and the in-mesh one
    ['gateway-api with a gateway', () => Router.gatewayApi({ gateway: 'infra/public', hosts: ['fraud.example.com'] }), ['HTTPRoute', 'HTTPRoute']],
    ['nginx with hosts', () => Router.nginx({ hosts: ['fraud.example.com', 'fraud.internal.example.com'] }), ['Ingress']],
    ['smi', () => Router.smi(), []],
  ];
  const modes: Array<[string, Record<string, unknown> | undefined]> = [
    ['step analysis', { analysis: 'step', pause: ['1m', null, '10m'], stages: [10, 50, 100], guardrails: OWN_QUERIES }],
    ['background analysis', { analysis: 'background', pause: '2m', interval: '30s', failureLimit: 2, guardrails: OWN_QUERIES }],
    // the default guardrails measure requests, so routers without request metrics drop them (and the analysis)
    ['default guardrails', { pause: '1m' }],
    ['no rollout', undefined],
  ];
  const cases = routers.flatMap(([r, router, kinds]) => modes.map(([m, rollout]) => [r, m, router, kinds, rollout] as const));

  test.each(cases)('router %s, %s', (_r, mode, router, kinds, rollout) => {
    const input = fraudDetector({ rollout });
    if (!rollout) delete input.rollout;
    const { objects } = render(input, router());
    expectValidManifests(objects);
    const rollouts = byKind(objects, 'Rollout');
    expect(rollouts).toHaveLength(1);
    for (const kind of new Set(kinds)) expect(byKind(objects, kind)).toHaveLength(kinds.filter((k) => k === kind).length);
    expect(byKind(objects, 'Service')).toHaveLength(3);
    expect(byKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(1);
    const canary = rollouts[0].spec.strategy.canary;
    const templates = byKind(objects, 'AnalysisTemplate');
    if (mode === 'no rollout') {
      expect(templates).toHaveLength(0);
      expect(canary.steps.filter((s: any) => !s.setHeaderRoute)).toEqual([{ setWeight: 5 }, { pause: {} }]);
    } else if (mode === 'default guardrails') {
      const analyses = canary.steps.filter((s: any) => s.analysis);
      expect(analyses).toHaveLength(templates.length === 1 ? 5 : 0);
      expect(canary.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([5, 10, 25, 50, 100]);
    } else {
      expect(templates).toHaveLength(1);
      const metrics: any[] = templates[0].spec.metrics;
      expect(metrics.map((m) => m.name)).toEqual(['error-rate', 'p99-latency-ms', 'prediction-drift-psi']);
      if (mode === 'background analysis') {
        expect(canary.analysis.templates).toEqual([{ templateName: 'fraud-detector' }]);
        expect(canary.steps.some((s: any) => s.analysis)).toBe(false);
        for (const m of metrics) expect(m.count).toBeUndefined();
      } else {
        expect(canary.analysis).toBeUndefined();
        expect(canary.steps.filter((s: any) => s.analysis)).toHaveLength(3);
        expect(canary.steps.filter((s: any) => s.pause).map((s: any) => s.pause)).toEqual([{ duration: '1m' }, {}, { duration: '10m' }]);
      }
    }
    // the core kinds (no CRD) are still checked by the semantic rules
    for (const hpa of byKind(objects, 'HorizontalPodAutoscaler')) expect(hpaProblems(hpa, objects)).toEqual([]);
    for (const ing of byKind(objects, 'Ingress')) expect(ingressProblems(ing)).toEqual([]);
  });

  test('main alone (nothing to roll out yet) renders valid manifests with every router', () => {
    for (const [, router] of routers) {
      const input = fraudDetector({ rollout: { guardrails: OWN_QUERIES } });
      delete input.versions;
      const { objects } = render(input, router());
      expectValidManifests(objects);
      const canary = one(objects, 'Rollout').spec.strategy.canary;
      expect(canary.trafficRouting?.managedRoutes).toBeUndefined();
      expect(canary.steps.some((s: any) => s.setHeaderRoute)).toBe(false);
    }
  });

  test('gateway-api routes through the plugin, nginx through the stable Ingress, smi through a TrafficSplit Argo creates', () => {
    const gw = render(fraudDetector({ rollout: { guardrails: OWN_QUERIES } }), Router.gatewayApi({ gateway: 'infra/public' })).objects;
    // the plugin sets the weights (and the pin route) of the Gateway's route and of the in-mesh one
    expect(one(gw, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({
      plugins: {
        'argoproj-labs/gatewayAPI': {
          httpRoutes: [{ name: 'fraud-detector', useHeaderRoutes: true }, { name: 'fraud-detector-mesh', useHeaderRoutes: true }],
          namespace: 'ml',
        },
      },
      managedRoutes: [{ name: 'pin' }],
    });
    expect(byKind(gw, 'HTTPRoute').map((r: any) => [r.metadata.name, r.spec.parentRefs])).toEqual([
      ['fraud-detector', [{ namespace: 'infra', name: 'public' }]],
      ['fraud-detector-mesh', [{ group: '', kind: 'Service', name: 'fraud-detector', port: 80 }]],
    ]);
    const gamma = render(fraudDetector({ rollout: { guardrails: OWN_QUERIES } }), Router.gatewayApi()).objects;
    expect(one(gamma, 'Rollout').spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI']).toEqual({ httpRoute: 'fraud-detector', namespace: 'ml' });

    const nginx = render(fraudDetector(), Router.nginx({ hosts: ['fraud.example.com'] })).objects;
    const canary = one(nginx, 'Rollout').spec.strategy.canary;
    expect(canary.trafficRouting).toEqual({ nginx: { stableIngress: 'fraud-detector' } });
    expect(canary.steps.some((s: any) => s.setHeaderRoute)).toBe(false);
    expect(one(nginx, 'Ingress').spec.rules[0]).toMatchObject({ host: 'fraud.example.com', http: { paths: [{ backend: { service: { name: 'fraud-detector-stable' } } }] } });
    expect(one(nginx, 'AnalysisTemplate').spec.metrics[0].provider.prometheus.query).toMatch(/nginx_ingress_controller_requests\{namespace="\{\{args.namespace\}\}", ingress="\{\{args.service\}\}", canary!=""/);

    const smi = render(fraudDetector({ rollout: { guardrails: OWN_QUERIES } }), Router.smi()).objects;
    expect(one(smi, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({ smi: { rootService: 'fraud-detector', trafficSplitName: 'fraud-detector' } });
  });

  test('dry run, a drift detector URL and a request floor keep the template valid', () => {
    const rollout = {
      interval: '90s',
      count: 3,
      failureLimit: 1,
      minRequests: 50,
      dryRun: true,
      guardrails: { errorRate: {}, predictionDriftPsi: { url: 'http://drift.ml.svc/psi', jsonPath: '{$.data.psi}' } },
    };
    const { objects } = render(fraudDetector({ rollout }));
    expectValidManifests(objects);
    const t = one(objects, 'AnalysisTemplate');
    expect(t.spec.dryRun).toEqual([{ metricName: '.*' }]);
    // promotes only with at least one Successful of its 3 measurements: 3 - 1 tolerated failure - 1
    expect(t.spec.metrics[0]).toMatchObject({ interval: '1m30s', count: 3, inconclusiveLimit: 1, failureLimit: 1 });
    // the floor counts the canary's requests since it started (Istio's counter of its pods), and every rate window spans 4 scrapes (2m)
    expect(t.spec.metrics[0].provider.prometheus.query).toMatch(/\[2m\]\)\)\) and on\(\) \(sum\(istio_requests_total\{reporter="destination", .*\}\) >= 50\)\) or on\(\) vector\(NaN\)$/);
    expect(t.spec.metrics[1]).toMatchObject({
      successCondition: 'result <= 0.1',
      failureCondition: 'result > 0.2',
      provider: { web: { url: 'http://drift.ml.svc/psi', jsonPath: '{$.data.psi}' } },
    });
  });
});

describe('a rollout nothing measures', () => {
  const NOTHING = /^no guardrail measures this rollout \(router "native" has no request metrics for the default error-rate and latency guardrails\), so every stage advances on its pause alone/;

  test('warns on Argo Rollouts with router native and the default guardrails, and renders no analysis', () => {
    const { objects, warnings } = render(fraudDetector({ rollout: { pause: '5m' } }), Router.native());
    expect(byKind(objects, 'AnalysisTemplate')).toHaveLength(0);
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(NOTHING)]));
  });

  test('warns on KServe too, where gate would have nothing to run', () => {
    const input = { name: 'fraud', main: { artifact: { type: 'model', storageUri: 's3://m/1', format: 'sklearn' } }, versions: { v2: { weight: 5 } }, rollout: {} };
    expect(synthesize(input, { backend: Backend.kserve() }).warnings).toEqual(expect.arrayContaining([expect.stringMatching(NOTHING)]));
  });

  test('does not warn once a guardrail measures something the model server exports', () => {
    const input = fraudDetector({ rollout: { guardrails: { predictionDriftPsi: { metric: 'model_prediction_psi' } } } });
    expect(render(input, Router.native()).warnings.filter((w) => NOTHING.test(w))).toEqual([]);
  });
});

describe('Argo Rollouts: refusals name the path and the fix', () => {
  const failing: Array<[string, any, Router, string[]]> = [
    [
      'there are two canaries',
      fraudDetector({ versions: { a: { weight: 5 }, b: { weight: 5 } } }),
      Router.istio(),
      ['versions: Argo Rollouts runs one pod template, so one canary beside main, got 2 (a, b); keep one, or use backend "kserve" or "seldon", which run several'],
    ],
    [
      'a version is a model artifact',
      fraudDetector({ main: { ...MAIN, artifact: { type: 'model', storageUri: 's3://models/fraud/v1', format: 'xgboost' } } }),
      Router.istio(),
      ['main.artifact: Argo Rollouts runs a container, and a model (xgboost at s3://models/fraud/v1) needs a serving runtime; use an image (with storage_uri) or a bento, or backend "kserve" or "seldon"'],
    ],
    [
      'min replicas is 0',
      fraudDetector({ main: { ...MAIN, scaling: { minReplicas: 0, maxReplicas: 3 } } }),
      Router.istio(),
      [
        // the canary inherits main's scaling: main's mistake, reported once, at main
        'main.scaling.minReplicas: Argo Rollouts with an HPA cannot scale to zero, got 0; set min replicas to 1 or more',
      ],
    ],
    [
      'routing hashes a header',
      fraudDetector({ routing: { type: 'header', key: 'x-user' } }),
      Router.istio(),
      ['routing.type: routing by "header" (hashing header "x-user") needs a router that hashes keys, and Argo Rollouts works with no router that does; use routing "random" (Argo Rollouts splits by weight only), or backend "kserve" (Standard mode) with router "istio", or backend "seldon" with router "istio"'],
    ],
    [
      'router nginx has no hosts',
      fraudDetector(),
      Router.nginx(),
      ['hosts: router "nginx" serves the stable Ingress on external host names; set hosts, e.g. ["fraud.example.com"]'],
    ],
    [
      'stages are not ascending',
      fraudDetector({ rollout: { stages: [5, 25, 10, 100] } }),
      Router.istio(),
      ['rollout.stages[2]: stages must be strictly ascending, got 10 after 25 in [5, 25, 10, 100]; raise it above 25 or remove it'],
    ],
    [
      'stages do not end at 100',
      fraudDetector({ rollout: { stages: [5, 50] } }),
      Router.istio(),
      ['rollout.stages[1]: the last stage must be 100 (the canary takes all traffic before it becomes main), got 50 in [5, 50]; end the list with 100'],
    ],
    [
      'a guardrail band is inverted',
      fraudDetector({ rollout: { guardrails: { errorRate: { promoteBelow: 0.02, rollbackAbove: 0.01 } } } }),
      Router.istio(),
      ['rollout.guardrails.errorRate.promoteBelow: the band is inverted: promote below 0.02 but roll back above 0.01, so a value between them would do both; make promoteBelow at most rollbackAbove'],
    ],
    [
      'a list of pauses has the wrong length',
      fraudDetector({ rollout: { stages: [50, 100], pause: ['1m', '2m', '3m'] } }),
      Router.istio(),
      ['rollout.pause: a list of pauses needs one per stage (2), got 3; give one pause per stage, or a single pause for all'],
    ],
    [
      'the drift guardrail has neither query nor url',
      fraudDetector({ rollout: { guardrails: { predictionDriftPsi: { promoteBelow: 0.1, rollbackAbove: 0.2 } } } }),
      Router.istio(),
      ['rollout.guardrails.predictionDriftPsi: prediction drift comes from the model server or a drift detector, so there is no default; set metric (the PSI gauge your server exports'],
    ],
    [
      'the business metric has no query',
      fraudDetector({ rollout: { guardrails: { businessMetricDelta: { promoteAbove: 0, rollbackBelow: -0.03 } } } }),
      Router.istio(),
      ['rollout.guardrails.businessMetricDelta: a business metric is yours to define, so there is no default; set success and total'],
    ],
    [
      'a request guardrail on router native has no query',
      fraudDetector({ rollout: { guardrails: { errorRate: { promoteBelow: 0.005, rollbackAbove: 0.01 } } } }),
      Router.native(),
      ['rollout.guardrails.errorRate.query: router "native" has no request metrics to build a default errorRate query from; set query (PromQL, with {{args.service}}, {{args.namespace}}, {{args.canary-version}}), or use router "istio" or "nginx"'],
    ],
    [
      'the failure limit reaches the count',
      fraudDetector({ rollout: { count: 3, failureLimit: 3 } }),
      Router.istio(),
      ['rollout.failureLimit: a failure limit of 3 can never be exceeded in 3 measurements; lower it below count, or raise count above 3'],
    ],
  ];

  test.each(failing)('fails when %s', (_name, input, router, expected) => {
    const found = problems(input, router);
    expect(found).toHaveLength(expected.length);
    expected.forEach((fragment, i) => expect(found[i]).toContain(fragment));
  });

  test('several mistakes in the rollout are reported together', () => {
    const input = fraudDetector({
      rollout: {
        stages: [10, 5, 50],
        pause: ['1m', '2m'],
        guardrails: { errorRate: { promoteBelow: 0.02, rollbackAbove: 0.01 }, businessMetricDelta: {} },
      },
    });
    const found = problems(input);
    expect(found).toEqual([
      expect.stringMatching(/^rollout\.stages\[1\]: stages must be strictly ascending, got 5 after 10/),
      expect.stringMatching(/^rollout\.stages\[2\]: the last stage must be 100/),
      expect.stringMatching(/^rollout\.pause: a list of pauses needs one per stage \(3\), got 2/),
      expect.stringMatching(/^rollout\.guardrails\.errorRate\.promoteBelow: the band is inverted/),
      expect.stringMatching(/^rollout\.guardrails\.businessMetricDelta: a business metric is yours to define/),
    ]);
  });

  test('several mistakes the backend finds are reported together', () => {
    const input = fraudDetector({
      main: { ...MAIN, artifact: { type: 'model', storageUri: 's3://models/fraud/v1', format: 'xgboost' }, scaling: { minReplicas: 0, maxReplicas: 2 } },
      versions: { a: { weight: 5, artifact: { type: 'bento', tag: 'fraud:a' } }, b: { weight: 5, artifact: { type: 'bento', tag: 'fraud:b' } } },
      rollout: { guardrails: { errorRate: {} } },
    });
    const found = problems(input, Router.nginx());
    for (const expected of [
      /^versions: Argo Rollouts runs one pod template, so one canary beside main, got 2 \(a, b\)/,
      /^main\.artifact: Argo Rollouts runs a container, and a model/,
      /^main\.scaling\.minReplicas: Argo Rollouts with an HPA cannot scale to zero/,
      /^hosts: router "nginx" serves the stable Ingress on external host names/,
    ]) {
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    }
  });
});

describe('the semantic checker catches what Argo Rollouts would reject', () => {
  const { objects } = render(fraudDetector());
  const valid = () => copy(objects) as any[];
  const rolloutOf = (list: any[]) => list.find((o) => o.kind === 'Rollout');
  const templateOf = (list: any[]) => list.find((o) => o.kind === 'AnalysisTemplate');

  test('the rendered objects are clean to begin with', () => {
    expect(manifestProblems(valid())).toEqual([]);
  });

  const mutations: Array<[string, (list: any[]) => void, RegExp]> = [
    [
      'a step with both setWeight and pause',
      (list) => { rolloutOf(list).spec.strategy.canary.steps[1].pause = { duration: '1m' }; },
      /Rollout\/fraud-detector: spec\.strategy\.canary\.steps\[1\]: at most one of setWeight, pause, experiment and analysis per step, got setWeight, pause/,
    ],
    [
      'a step with no action',
      (list) => { rolloutOf(list).spec.strategy.canary.steps.push({}); },
      /steps\[16\]: a step must set one of setWeight/,
    ],
    [
      'a setHeaderRoute step without managedRoutes',
      (list) => { delete rolloutOf(list).spec.strategy.canary.trafficRouting.managedRoutes; },
      /steps\[0\]\.setHeaderRoute\.name: pin must be listed in trafficRouting\.managedRoutes \(none are\)/,
    ],
    [
      'a setHeaderRoute match with both exact and prefix',
      (list) => { rolloutOf(list).spec.strategy.canary.steps[0].setHeaderRoute.match[0].headerValue.prefix = 'v'; },
      /steps\[0\]\.setHeaderRoute\.match\[0\]\.headerValue: set exactly one of exact, regex or prefix, got exact, prefix/,
    ],
    [
      'a setHeaderRoute step with router nginx',
      (list) => { rolloutOf(list).spec.strategy.canary.trafficRouting = { nginx: { stableIngress: 'x' }, managedRoutes: [{ name: 'pin' }] }; },
      /steps\[0\]\.setHeaderRoute: requires trafficRouting with Istio, ALB, Apisix or a plugin/,
    ],
    [
      'a step analysis whose metric has an interval but no count',
      (list) => { delete templateOf(list).spec.metrics[2].count; },
      /steps\[3\]\.analysis: metric prediction-drift-psi of AnalysisTemplate fraud-detector has an interval but no count, so the inline analysis would never end/,
    ],
    [
      'a Service whose selector does not match the pod template',
      (list) => { list.find((o) => o.metadata.name === 'fraud-detector-canary').spec.selector.version = 'v3'; },
      /spec\.strategy\.canary\.canaryService: Service fraud-detector-canary selects version=v3, which the pod template's labels do not carry/,
    ],
    [
      'the canary Service is missing',
      (list) => { list.splice(list.findIndex((o) => o.metadata.name === 'fraud-detector-canary'), 1); },
      /spec\.strategy\.canary\.canaryService: no Service named fraud-detector-canary among the objects/,
    ],
    [
      'a pause of "1d" (Go has no day unit)',
      (list) => { rolloutOf(list).spec.strategy.canary.steps[2].pause.duration = '1d'; },
      /steps\[2\]\.pause\.duration: "1d" is neither an integer nor a Go duration/,
    ],
    [
      'a negative pause',
      (list) => { rolloutOf(list).spec.strategy.canary.steps[2].pause.duration = '-5m'; },
      /steps\[2\]\.pause\.duration: must not be negative, got "-5m"/,
    ],
    [
      'a metric with two providers',
      (list) => { templateOf(list).spec.metrics[0].provider.web = { url: 'http://x' }; },
      /AnalysisTemplate\/fraud-detector: spec\.metrics\[0\]\.provider: multiple providers specified \(prometheus, web\)/,
    ],
    [
      'a metric with no provider',
      (list) => { templateOf(list).spec.metrics[0].provider = {}; },
      /spec\.metrics\[0\]\.provider: no provider specified/,
    ],
    [
      'duplicate metric names',
      (list) => { templateOf(list).spec.metrics[1].name = 'error-rate'; },
      /spec\.metrics\[1\]\.name: duplicate metric name error-rate/,
    ],
    [
      'a failure limit above the count',
      (list) => { templateOf(list).spec.metrics[0].failureLimit = 6; },
      /spec\.metrics\[0\]\.count: 5 must be >= failureLimit \+ consecutiveSuccessLimit \(6\)/,
    ],
    [
      'a count above 1 without an interval',
      (list) => { delete templateOf(list).spec.metrics[0].interval; },
      /spec\.metrics\[0\]\.interval: is required when count > 1/,
    ],
    [
      'an interval that is not a Go duration',
      (list) => { templateOf(list).spec.metrics[0].interval = '60'; },
      /spec\.metrics\[0\]\.interval: "60" is not a Go duration/,
    ],
    [
      'an arg with both value and valueFrom',
      (list) => { templateOf(list).spec.args[0] = { name: 'service', value: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }; },
      /spec\.args\[0\]: service sets both value and valueFrom/,
    ],
    [
      'a dry-run metric name that matches no metric',
      (list) => { templateOf(list).spec.dryRun = [{ metricName: '^latency$' }]; },
      /spec\.dryRun\[0\]\.metricName: \^latency\$ matches no metric/,
    ],
    [
      'a template arg the Rollout does not supply',
      (list) => { templateOf(list).spec.args.push({ name: 'region' }); },
      /steps\[3\]\.analysis\.args: args\.region of AnalysisTemplate fraud-detector was not resolved/,
    ],
    [
      'a query naming an undeclared arg',
      (list) => { templateOf(list).spec.metrics[2].provider.prometheus.query = 'max(psi{model="{{args.model}}"})'; },
      /spec\.metrics\[2\]: \{\{args\.model\}\} names no declared arg/,
    ],
    [
      'an analysis arg with an invalid downward-API path',
      (list) => { rolloutOf(list).spec.strategy.canary.steps[3].analysis.args[1].valueFrom.fieldRef.fieldPath = 'metadata.labels.app'; },
      /steps\[3\]\.analysis\.args\[1\]\.valueFrom\.fieldRef\.fieldPath: metadata\.labels\.app is not a valid metadata path/,
    ],
    [
      'the referenced AnalysisTemplate is missing',
      (list) => { list.splice(list.findIndex((o) => o.kind === 'AnalysisTemplate'), 1); },
      /steps\[3\]\.analysis\.templates\[0\]\.templateName: no AnalysisTemplate named fraud-detector among the objects/,
    ],
    [
      'setWeight above 100',
      (list) => { rolloutOf(list).spec.strategy.canary.steps[1].setWeight = 101; },
      /steps\[1\]\.setWeight: must be 0\.\.100, got 101/,
    ],
    [
      'the same Service for stable and canary',
      (list) => { rolloutOf(list).spec.strategy.canary.canaryService = 'fraud-detector-stable'; },
      /stableService and canaryService must be different Services/,
    ],
    [
      'maxSurge and maxUnavailable both 0',
      (list) => { Object.assign(rolloutOf(list).spec.strategy.canary, { maxSurge: '0%', maxUnavailable: 0 }); },
      /spec\.strategy\.canary: maxSurge and maxUnavailable cannot both be 0/,
    ],
    [
      'both canary and blueGreen',
      (list) => { rolloutOf(list).spec.strategy.blueGreen = { activeService: 'fraud-detector' }; },
      /spec\.strategy: exactly one of canary and blueGreen is required/,
    ],
    [
      'an empty selector',
      (list) => { rolloutOf(list).spec.selector = { matchLabels: {} }; },
      /spec\.selector: is required and must not be empty/,
    ],
    [
      'template labels that do not match the selector',
      (list) => { rolloutOf(list).spec.selector.matchLabels.tier = 'serving'; },
      /spec\.template\.metadata\.labels: `selector` does not match template `labels`/,
    ],
    [
      'negative replicas',
      (list) => { rolloutOf(list).spec.replicas = -1; },
      /spec\.replicas: must be >= 0, got -1/,
    ],
    [
      'Istio with both virtualService and virtualServices',
      (list) => { rolloutOf(list).spec.strategy.canary.trafficRouting.istio.virtualServices = [{ name: 'fraud-detector', routes: ['primary'] }]; },
      /trafficRouting\.istio: set exactly one of virtualService and virtualServices/,
    ],
    [
      'an Istio host split without a canary Service',
      (list) => {
        const canary = rolloutOf(list).spec.strategy.canary;
        delete canary.trafficRouting.istio.destinationRule;
        delete canary.canaryService;
      },
      /spec\.strategy\.canary: stableService and canaryService are required with trafficRouting istio \(Istio host-level split\)/,
    ],
    [
      'a VirtualService route without the canary subset',
      (list) => { list.find((o) => o.kind === 'VirtualService').spec.http[0].route.pop(); },
      /virtualService\.routes: HTTP route primary of VirtualService fraud-detector needs destinations for both the stable and the canary/,
    ],
    [
      'a route name the VirtualService lacks',
      (list) => { rolloutOf(list).spec.strategy.canary.trafficRouting.istio.virtualService.routes = ['main']; },
      /virtualService\.routes: HTTP route main is not found in VirtualService fraud-detector/,
    ],
    [
      'a DestinationRule without the canary subset',
      (list) => { list.find((o) => o.kind === 'DestinationRule').spec.subsets.pop(); },
      /destinationRule\.canarySubsetName: DestinationRule fraud-detector has no subset canary/,
    ],
    [
      'an HPA targeting a Rollout that is not there',
      (list) => { list.find((o) => o.kind === 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'fraud'; },
      /HorizontalPodAutoscaler\/fraud-detector: spec\.scaleTargetRef: no argoproj\.io\/v1alpha1 Rollout named fraud among the objects/,
    ],
    [
      'an HPA whose max is below its min',
      (list) => { list.find((o) => o.kind === 'HorizontalPodAutoscaler').spec.maxReplicas = 1; },
      /spec\.maxReplicas: must be >= minReplicas \(2\), got 1/,
    ],
  ];

  test.each(mutations)('reports %s', (_name, mutate, expected) => {
    const list = valid();
    mutate(list);
    expect(manifestProblems(list)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  test('nginx: the stable Ingress must exist and route to the stable Service', () => {
    const { objects: nginx } = render(fraudDetector(), Router.nginx({ hosts: ['fraud.example.com'] }));
    expect(manifestProblems(nginx)).toEqual([]);
    const wrongBackend = copy(nginx) as any[];
    wrongBackend.find((o) => o.kind === 'Ingress').spec.rules[0].http.paths[0].backend.service.name = 'fraud-detector';
    expect(manifestProblems(wrongBackend)).toEqual([
      'Rollout/fraud-detector: spec.strategy.canary.trafficRouting.nginx: Ingress fraud-detector has no rule whose backend is fraud-detector-stable',
    ]);
    const noIngress = (copy(nginx) as any[]).filter((o) => o.kind !== 'Ingress');
    expect(manifestProblems(noIngress)).toEqual(['Rollout/fraud-detector: spec.strategy.canary.trafficRouting.nginx: no Ingress named fraud-detector among the objects']);
    const noHosts = copy(nginx) as any[];
    noHosts.find((o) => o.kind === 'Ingress').spec.rules = [];
    expect(manifestProblems(noHosts)).toEqual(expect.arrayContaining(['Ingress/fraud-detector: spec: either defaultBackend or rules must be specified']));
  });

  test('background analyses may run unbounded; step analyses may not', () => {
    const { objects: background } = render(fraudDetector({ rollout: { ...fraudDetector().rollout, analysis: 'background' } }));
    const template = templateOf(background as any[]);
    expect(template.spec.metrics.every((m: any) => m.interval !== undefined && m.count === undefined)).toBe(true);
    expect(manifestProblems(background)).toEqual([]);
    // the same template referenced from a step would never end
    const list = copy(background) as any[];
    const canary = rolloutOf(list).spec.strategy.canary;
    canary.steps.push({ analysis: canary.analysis });
    delete canary.analysis;
    expect(manifestProblems(list)).toHaveLength(4);
    expect(manifestProblems(list)[0]).toMatch(/steps\[11\]\.analysis: metric error-rate .* has an interval but no count/);
  });

  test('the single-object rules run without the list; the cross-object ones need it', () => {
    const list = valid();
    list.splice(list.findIndex((o) => o.metadata.name === 'fraud-detector-canary'), 1);
    expect(rolloutProblems(rolloutOf(list))).toEqual([]);
    expect(rolloutProblems(rolloutOf(list), list)).toEqual(['spec.strategy.canary.canaryService: no Service named fraud-detector-canary among the objects']);
    expect(analysisTemplateProblems(templateOf(list))).toEqual([]);
  });

  test.each([
    ['5m', 300],
    ['1h30m', 5400],
    ['1.5s', 1.5],
    ['300ms', 0.3],
    ['0', 0],
    ['-2m', -120],
    ['1d', undefined],
    ['60', undefined],
    ['', undefined],
    ['5 m', undefined],
  ])('Go duration %j is %p seconds', (text, seconds) => {
    expect(goDurationSeconds(text)).toBe(seconds);
  });
});
