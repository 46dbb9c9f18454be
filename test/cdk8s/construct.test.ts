import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  Artifact,
  Backend,
  CanaryInferenceService,
  CanaryVersion,
  EnvValue,
  InstanceType,
  KServeMode,
  Router,
  Routing,
  ScaleMetric,
} from '../../src';
import { expectValidManifests } from '../support/manifests';

function summarization(chart: Chart, props: Partial<ConstructorParameters<typeof CanaryInferenceService>[2]> = {}) {
  return new CanaryInferenceService(chart, 'Summarization', {
    name: 'summarization',
    namespace: 'ml',
    main: {
      artifact: Artifact.model({ storageUri: 's3://models/summarization/v1', format: 'huggingface' }),
      instanceType: InstanceType.of('cpu.2'),
      scaling: {
        minReplicas: 2,
        maxReplicas: 4,
        metric: ScaleMetric.CPU,
        target: 70,
        scaleUpStabilizationWindow: Duration.seconds(0),
        scaleDownStabilizationWindow: Duration.minutes(10),
      },
      env: { HF_TOKEN: EnvValue.fromSecret('hf', 'token') },
      timeout: Duration.seconds(30),
    },
    ...props,
  });
}

describe('CanaryInferenceService', () => {
  test('renders main and the versions added with addVersion into one InferenceService', () => {
    // Given a chart with a service and two canaries
    const chart = Testing.chart();
    const service = summarization(chart);
    const a = service.addVersion('a', {
      weight: 20,
      artifact: Artifact.model({ storageUri: 's3://models/summarization/v2', format: 'huggingface' }),
      instanceType: InstanceType.of('cpu.1'),
      scaling: { minReplicas: 1, maxReplicas: 1 },
      env: { VAR_NAME: EnvValue.fromValue('var_value') },
    });
    service.addVersion('b', { weight: 30, scaling: { minReplicas: 2, maxReplicas: 2 } });
    // When the chart is synthesized
    const manifests = Testing.synth(chart);
    // Then one valid InferenceService holds both canaries
    expect(a).toBeInstanceOf(CanaryVersion);
    expect(a.weight).toBe(20);
    expect(manifests).toHaveLength(1);
    expectValidManifests(manifests);
    const isvc = manifests[0];
    expect(isvc.metadata).toMatchObject({ name: 'summarization', namespace: 'ml' });
    expect(isvc.spec.predictor.autoScaling).toEqual({
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: { scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 600 } },
    });
    // the Hugging Face runtime's caches on the scratch volume, then the version's own
    expect(isvc.spec.predictor.model.env).toEqual([{ name: 'XDG_CACHE_HOME', value: '/tmp/cache' }, { name: 'VLLM_CONFIG_ROOT', value: '/tmp/vllm-config' }, { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } }]);
    expect(isvc.spec.canary.map((c: any) => [c.predictor.name, c.trafficPercent, c.predictor.minReplicas])).toEqual([
      ['a', 20, 1],
      ['b', 30, 2],
    ]);
    // b inherits main's artifact and env
    expect(isvc.spec.canary[1].predictor.model.storageUri).toBe('s3://models/summarization/v1');
    expect(isvc.spec.canary[0].predictor.model.env).toEqual([
      { name: 'XDG_CACHE_HOME', value: '/tmp/cache' }, { name: 'VLLM_CONFIG_ROOT', value: '/tmp/vllm-config' },
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
      { name: 'VAR_NAME', value: 'var_value' },
    ]);
    expect(manifests).toMatchSnapshot();
  });

  test('Backend.seldon(): one SeldonDeployment with a predictor per version and the mirror as shadow', () => {
    const chart = Testing.chart();
    const service = summarization(chart, { backend: Backend.seldon() });
    service.addVersion('a', { weight: 20, scaling: { minReplicas: 1, maxReplicas: 3 } });
    service.addVersion('shadow', { weight: 10, mirror: true, scaling: { minReplicas: 1, maxReplicas: 1 } });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests.map((m) => m.kind)).toEqual(['SeldonDeployment']);
    expect(manifests[0].spec.predictors.map((p: any) => [p.name, p.traffic, p.shadow ?? false])).toEqual([
      ['main', 80, false],
      ['a', 20, false],
      ['shadow', 10, true],
    ]);
  });

  test('Backend.seldonV2(): Models and an Experiment; a bento version fails synth naming the other backends', () => {
    const chart = Testing.chart();
    const service = summarization(chart, { backend: Backend.seldonV2(), main: { artifact: Artifact.model({ storageUri: 's3://m/v1', format: 'sklearn' }) } });
    service.addVersion('a', { weight: 20 });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Model/summarization-main', 'Model/summarization-a', 'Server/summarization-mlserver-cpu-1', 'Experiment/summarization']);
    service.addVersion('b', { weight: 5, artifact: Artifact.bento('summarization:b') });
    expect(() => Testing.synth(chart)).toThrow(/versions\.b\.artifact: a Seldon Core v2 Model runs inside a shared server.*"seldon" \(Seldon Core v1\) or "kserve"/);
  });

  test('cdk8s synth prints each rendering warning once with the construct path, and records it as metadata', () => {
    const chart = Testing.chart();
    const main = { artifact: Artifact.model({ storageUri: 's3://m/v1', format: 'sklearn' }), env: { LOG_LEVEL: EnvValue.fromValue('info') } };
    const service = summarization(chart, { backend: Backend.seldonV2(), main });
    service.addVersion('a', { weight: 20 });
    const printed: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      Testing.synth(chart);
      Testing.synth(chart);
    } finally {
      write.mockRestore();
    }
    // Seldon Core v2 takes no per-model env: the main's env (inherited by a) is not applied
    const env = /Seldon Core v2 loads models into shared servers, which take no per-model environment; the env of main, a is not applied/;
    expect(service.warnings).toEqual(expect.arrayContaining([expect.stringMatching(env)]));
    expect(printed.filter((l) => env.test(l))).toEqual([expect.stringMatching(/^\[canary-inference\] warning: test\/Summarization: Seldon Core v2 loads/)]);
    expect(printed).toHaveLength(service.warnings.length);
    const recorded = service.node.metadata.filter((m) => m.type === 'canary-inference:warning').map((m) => m.data);
    expect(recorded).toEqual(service.warnings);
  });

  test('fails synth on the warnings with failOnWarnings', () => {
    const chart = Testing.chart();
    const service = summarization(chart, { failOnWarnings: true });
    service.addVersion('a', { weight: 20, scaling: { minReplicas: 1, maxReplicas: 1 } });
    expect(() => Testing.synth(chart)).toThrow(/warning \(failOnWarnings\): KServe Standard mode applies the spec.canary split \(a 20%\) only in the Gateway API route KServe writes itself/);
  });

  test('the rendered object is the child "Resource"', () => {
    const chart = Testing.chart();
    const service = summarization(chart);
    // rendered at synth or when first read
    const objects = service.apiObjects;
    expect(service.node.findChild('Resource')).toBe(objects[0]);
  });

  test('renders Knative mode with one canary', () => {
    const chart = Testing.chart();
    const service = summarization(chart, {
      backend: Backend.kserve({ mode: KServeMode.KNATIVE }),
      main: {
        artifact: Artifact.bento('summarization:xq4dggshm25lecvj'),
        scaling: { minReplicas: 1, maxReplicas: 3, metric: ScaleMetric.CONCURRENCY, target: 10 },
      },
    });
    service.addVersion('v2', { weight: 10, artifact: Artifact.bento('summarization:t226bcshm2bqicvj') });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests[0].spec.predictor).toMatchObject({
      canaryTrafficPercent: 10,
      scaleMetric: 'concurrency',
      scaleTarget: 10,
      containers: [{ name: 'kserve-container', image: 'summarization:t226bcshm2bqicvj' }],
    });
  });

  test('generates a valid name from the construct path when none is given', () => {
    const chart = Testing.chart();
    const service = new CanaryInferenceService(chart, 'Fraud', {
      main: { artifact: Artifact.image('ghcr.io/acme/fraud:1.0', { storageUri: 'gs://models/fraud' }) },
    });
    const manifests = Testing.synth(chart);
    expect(manifests[0].metadata.name).toBe(service.name);
    expect(service.name.length).toBeLessThanOrEqual(39);
    expectValidManifests(manifests);
  });

  test('fails at synth with every problem, each with the path and the fix', () => {
    // Given canaries whose weights exceed 100 and one that autoscales on KServe Standard mode
    const chart = Testing.chart();
    const service = summarization(chart);
    service.addVersion('a', { weight: 70, scaling: { minReplicas: 1, maxReplicas: 1 } });
    service.addVersion('b', { weight: 40, instanceType: InstanceType.of('cpu.3') });
    // When the chart is synthesized, then validation reports both problems
    expect(() => Testing.synth(chart)).toThrow(/versions: canary weights sum to 110 \(a: 70, b: 40\)/);
    expect(() => Testing.synth(chart)).toThrow(/versions\.b\.instanceType: unknown instance type "cpu\.3"/);
    expect(service.apiObjects).toHaveLength(0);
  });

  test('fails when a canary autoscales on KServe Standard mode', () => {
    const chart = Testing.chart();
    const service = summarization(chart);
    service.addVersion('a', { weight: 10 });
    expect(() => Testing.synth(chart)).toThrow(
      /versions\.a\.scaling\.maxReplicas: KServe Standard canaries run a fixed number of replicas .*got min 2 and max 4 \(max inherited from main\)/,
    );
  });

  test('fails when header routing is asked of the native router', () => {
    const chart = Testing.chart();
    summarization(chart, { routing: Routing.header('X-User-ID') });
    expect(() => Testing.synth(chart)).toThrow(/routing\.type: routing by "header" .*needs a router that hashes keys/);
  });

  test('a transient invalid state is fine once the final state is valid', () => {
    const chart = Testing.chart();
    const service = summarization(chart, { main: { artifact: Artifact.model({ storageUri: 's3://m', format: 'sklearn' }), scaling: { minReplicas: 1 } } });
    service.addVersion('a', { weight: 100 });
    service.addVersion('b', { weight: 0 });
    expect(Testing.synth(chart)[0].spec.canary.map((c: any) => c.trafficPercent)).toEqual([100, 0]);
  });

  test('app synth writes the same YAML twice', () => {
    const build = () => {
      const app = new App({ outdir: '/tmp/unused' });
      const chart = new Chart(app, 'c');
      summarization(chart).addVersion('a', { weight: 5, scaling: { minReplicas: 1, maxReplicas: 1 } });
      return app.synthYaml();
    };
    expect(build()).toBe(build());
  });
});

describe('CanaryInferenceService with a router', () => {
  test('versionFor(key) predicts the Istio assignment; the chart namespace reaches every object', () => {
    const chart = new Chart(Testing.app(), 'ml', { namespace: 'ml' });
    const service = new CanaryInferenceService(chart, 'Svc', {
      name: 'svc',
      routing: Routing.header('X-User-ID'),
      router: Router.istio(),
      main: { artifact: Artifact.bento('svc:v1'), scaling: { minReplicas: 1, maxReplicas: 3 } },
    });
    service.addVersion('v2', { weight: 25, artifact: Artifact.bento('svc:v2') });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}/${m.metadata.namespace}`)).toEqual([
      'InferenceService/svc-main/ml',
      'InferenceService/svc-v2/ml',
      'Service/svc/ml',
      'VirtualService/svc/ml',
      'EnvoyFilter/svc-ml-canary-assignment/istio-system',
      'ConfigMap/svc-dashboard/ml',
    ]);
    const counts: Record<string, number> = { main: 0, v2: 0 };
    for (let i = 0; i < 2000; i++) counts[service.versionFor(`user-${i}`)]++;
    expect(service.versionFor('user-7')).toBe(service.versionFor('user-7'));
    expect(Math.abs(counts.v2 / 2000 - 0.25)).toBeLessThan(0.03);
  });

  test('versionFor fails when routing is random', () => {
    const chart = Testing.chart();
    const service = summarization(chart);
    expect(() => service.versionFor('user-1')).toThrow(/routing of summarization is random: requests are not assigned by key/);
  });
});
