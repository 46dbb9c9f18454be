import { Backend, KServeMode } from '../../src/backends';
import { synthesize } from '../../src/render';
import { issuesOf } from '../support/issues';
import { expectValidManifests } from '../support/manifests';

const STANDARD = Backend.kserve({ mode: KServeMode.STANDARD });
const KNATIVE = Backend.kserve({ mode: KServeMode.KNATIVE });

function service(overrides: Record<string, any> = {}): any {
  return {
    name: 'fraud',
    namespace: 'ml',
    main: {
      artifact: { type: 'model', storageUri: 's3://models/fraud/v1', format: 'xgboost' },
      instanceType: 'cpu.2',
      scaling: { minReplicas: 2, maxReplicas: 6, scaleUpStabilizationWindowSeconds: 0, scaleDownStabilizationWindowSeconds: 600 },
    },
    ...overrides,
  };
}

function problems(input: unknown, backend: Backend): string[] {
  return issuesOf(() => synthesize(input, { backend }));
}

describe('KServe Standard mode', () => {
  test('main alone: one predictor with HPA autoscaling and behavior from the stabilization windows', () => {
    const { objects } = synthesize(service(), { backend: STANDARD });
    expectValidManifests(objects);
    const isvc: any = objects[0];
    expect(isvc.metadata.annotations).toEqual({
      'serving.kserve.io/deploymentMode': 'Standard',
      'serving.kserve.io/autoscalerClass': 'hpa',
    });
    expect(isvc.spec.canary).toBeUndefined();
    expect(isvc.spec.predictor).toMatchObject({
      name: 'main',
      minReplicas: 2,
      maxReplicas: 6,
      autoScaling: {
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
        behavior: { scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 600 } },
      },
      model: { modelFormat: { name: 'xgboost' }, storageUri: 's3://models/fraud/v1' },
    });
    expect(objects).toMatchSnapshot();
  });

  test('secure defaults: restricted pod and container security contexts, resources and a writable /tmp', () => {
    const isvc: any = synthesize(service(), { backend: STANDARD }).objects[0];
    const p = isvc.spec.predictor;
    expect(p.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(p.model.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // the CPU limit is set: KServe would otherwise merge its runtime's limit of 1 CPU under the request of 2
    expect(p.model.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(p.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(p.model.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  test('an image with a storage URI on main gets it through STORAGE_URI of kserve-container, so canaries are allowed', () => {
    const input = service({
      main: { artifact: { type: 'image', image: 'ghcr.io/acme/fraud-server:1.0', storageUri: 'gs://models/fraud/v1', port: 8080 } },
      versions: { v2: { weight: 10, artifact: { type: 'bento', tag: 'fraud:v2def' } } },
    });
    const { objects } = synthesize(input, { backend: STANDARD });
    expectValidManifests(objects);
    const isvc: any = objects[0];
    expect(isvc.spec.predictor.containers).toEqual([
      expect.objectContaining({
        name: 'kserve-container',
        image: 'ghcr.io/acme/fraud-server:1.0',
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        env: [{ name: 'STORAGE_URI', value: 'gs://models/fraud/v1' }],
      }),
    ]);
    expect(isvc.spec.canary[0].predictor.containers[0]).toMatchObject({
      image: 'fraud:v2def',
      ports: [{ containerPort: 3000, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/readyz', port: 3000 } },
    });
  });

  test('GPU instance types place pods with node selector and tolerations', () => {
    const input = service({ main: { ...service().main, instanceType: 'gpu.a10g.1' } });
    const { objects } = synthesize(input, { backend: STANDARD });
    expectValidManifests(objects);
    const p: any = (objects[0] as any).spec.predictor;
    expect(p.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A10G' });
    expect(p.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(p.model.resources.limits['nvidia.com/gpu']).toBe('1');
  });

  test('a dark launch (weight 0) keeps the canary with trafficPercent 0', () => {
    const input = service({ versions: { shadow: { weight: 0, scaling: { minReplicas: 1, maxReplicas: 1 } } } });
    const { objects } = synthesize(input, { backend: STANDARD });
    expectValidManifests(objects);
    expect((objects[0] as any).spec.canary[0].trafficPercent).toBe(0);
  });

  const failing: Array<[string, any, string[]]> = [
    [
      'a bento main version has canaries',
      service({ main: { artifact: { type: 'bento', tag: 'fraud:v1abc' } }, versions: { v2: { weight: 5 } } }),
      ['main.artifact: KServe Standard mode runs canaries through spec.canary, which needs the main (stable) predictor to load its model from a storage URI, and main is a bento (fraud:v1abc)'],
    ],
    [
      'an image-only main version has canaries',
      service({ main: { artifact: { type: 'image', image: 'ghcr.io/acme/x:1' } }, versions: { v2: { weight: 5, scaling: { minReplicas: 1, maxReplicas: 1 } } } }),
      ['main is a container image (ghcr.io/acme/x:1) without a storage URI'],
    ],
    [
      'a canary autoscales',
      service({ versions: { v2: { weight: 5, scaling: { minReplicas: 1, maxReplicas: 3 } } } }),
      ['versions.v2.scaling.maxReplicas: KServe Standard canaries run a fixed number of replicas (no maxReplicas, no autoscaling), got min 1 and max 3; set max replicas equal to min replicas (1)'],
    ],
    [
      'a canary sets a scale metric',
      service({ versions: { v2: { weight: 5, scaling: { minReplicas: 1, maxReplicas: 1, metric: 'memory' } } } }),
      ['versions.v2.scaling.metric: KServe Standard canaries do not autoscale, so a scale metric cannot apply; remove it from this version'],
    ],
    [
      'a canary has more min replicas than main',
      service({ versions: { v2: { weight: 5, scaling: { minReplicas: 3, maxReplicas: 3 } } } }),
      ["versions.v2.scaling.minReplicas: KServe requires a canary's min replicas to be at most main's (2), got 3"],
    ],
    [
      'min replicas is 0',
      service({ main: { ...service().main, scaling: { minReplicas: 0, maxReplicas: 2 } } }),
      ['main.scaling.minReplicas: KServe Standard mode cannot scale to zero'],
    ],
    [
      'the scale metric is concurrency',
      service({ main: { ...service().main, scaling: { minReplicas: 1, maxReplicas: 2, metric: 'concurrency' } } }),
      ['main.scaling.metric: KServe Standard mode scales on "cpu" or "memory" (HPA), got "concurrency"; use metric "cpu" or "memory", or KServe Knative mode'],
    ],
    [
      'a utilization target is over 100',
      service({ main: { ...service().main, scaling: { minReplicas: 1, maxReplicas: 2, metric: 'memory', target: 150 } } }),
      ['main.scaling.target: KServe Standard mode takes a memory utilization target from 1 to 100 percent, got 150'],
    ],
    [
      'the name starts with a digit',
      service({ name: '1fraud' }),
      // true of every backend (Services are named after it), so the spec says it
      ['name: must be a service name: lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit, got "1fraud"'],
    ],
    [
      'a version name starts with a digit',
      service({ versions: { '2x': { weight: 5, scaling: { minReplicas: 1, maxReplicas: 1 } } } }),
      ['versions.2x: KServe predictor names must start with a letter, got "2x"'],
    ],
    [
      'derived names exceed 63 characters',
      service({ name: 'a'.repeat(50), versions: { canary: { weight: 5, scaling: { minReplicas: 1, maxReplicas: 1 } } } }),
      [`name: service name "${'a'.repeat(50)}" is too long: KServe derives "${'a'.repeat(50)}-canary-predictor" (67 characters) and Kubernetes allows 63; shorten the name to at most 46 characters`],
    ],
    [
      'the storage URI scheme is unknown to KServe',
      service({ main: { ...service().main, artifact: { type: 'model', storageUri: 'ftp://models/x', format: 'xgboost' } } }),
      ['main.artifact.storageUri: KServe cannot load "ftp://models/x"'],
    ],
    [
      'PYTHONPATH is set',
      service({ main: { ...service().main, env: [{ name: 'PYTHONPATH', value: '/opt' }] } }),
      ['main.env[0].name: KServe refuses the PYTHONPATH environment variable'],
    ],
    [
      'PROTOCOL is neither v1 nor v2 on a custom predictor',
      service({ main: { ...service().main, artifact: { type: 'bento', tag: 'fraud:v1' }, env: [{ name: 'PROTOCOL', value: 'grpc' }] } }),
      ['main.env[0].value: KServe accepts PROTOCOL "v1" or "v2" on custom predictors, got "grpc"'],
    ],
  ];

  test.each(failing)('fails when %s', (_name, input, expected) => {
    const found = problems(input, STANDARD);
    for (const fragment of expected) expect(found).toEqual(expect.arrayContaining([expect.stringContaining(fragment)]));
  });
});

describe('KServe Knative mode', () => {
  test('no canary: the main predictor with KPA defaults and the scale-down delay', () => {
    const { objects, warnings } = synthesize(service(), { backend: KNATIVE });
    expectValidManifests(objects);
    expect(warnings).toEqual([]);
    const p: any = (objects[0] as any).spec.predictor;
    expect(p.canaryTrafficPercent).toBeUndefined();
    expect(p.annotations).toEqual({ 'autoscaling.knative.dev/scale-down-delay': '600s' });
    expect(p.deploymentStrategy).toBeUndefined();
  });

  test('cpu scaling uses Knative\'s HPA class', () => {
    const input = service({ main: { ...service().main, scaling: { minReplicas: 1, maxReplicas: 4, metric: 'cpu', target: 60 } } });
    const { objects } = synthesize(input, { backend: KNATIVE });
    expectValidManifests(objects);
    expect((objects[0] as any).spec.predictor).toMatchObject({
      scaleMetric: 'cpu',
      scaleTarget: 60,
      annotations: { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' },
    });
  });

  const failing: Array<[string, any, string[]]> = [
    [
      'there are two canaries',
      service({ versions: { a: { weight: 5 }, b: { weight: 5 } } }),
      ['versions: KServe Knative mode splits traffic between the latest revision and the previous one, so it runs one canary, got 2 (a, b); keep one canary, or use KServe Standard mode'],
    ],
    [
      'a deployment strategy is Recreate',
      service({ main: { ...service().main, deploymentStrategy: 'Recreate' } }),
      ['main.deploymentStrategy: KServe Knative mode rolls out revisions itself and refuses a deployment strategy, got "Recreate"'],
    ],
    [
      'a scale-up window is set',
      service({ main: { ...service().main, scaling: { minReplicas: 1, maxReplicas: 2, scaleUpStabilizationWindowSeconds: 30 } } }),
      ['main.scaling.scaleUpStabilizationWindowSeconds: KServe Knative mode has no scale-up stabilization window, got 30'],
    ],
    [
      'a scale-down window is set with cpu scaling',
      service({ main: { ...service().main, scaling: { minReplicas: 1, maxReplicas: 2, metric: 'cpu', scaleDownStabilizationWindowSeconds: 60 } } }),
      ['main.scaling.scaleDownStabilizationWindowSeconds: KServe Knative mode with metric "cpu" uses Knative\'s HPA class'],
    ],
    [
      'the name leaves no room for Knative\'s revision names',
      service({ name: 'a'.repeat(40) }),
      [`name: service name "${'a'.repeat(40)}" is too long: KServe derives "${'a'.repeat(40)}-predictor-00001-private" (64 characters)`],
    ],
  ];

  test.each(failing)('fails when %s', (_name, input, expected) => {
    const found = problems(input, KNATIVE);
    for (const fragment of expected) expect(found).toEqual(expect.arrayContaining([expect.stringContaining(fragment)]));
  });
});

describe('Backend.of', () => {
  test('fails with the known backends when the name is unknown', () => {
    expect(() => Backend.of('kservee')).toThrow(/backend: unknown backend "kservee"; did you mean "kserve"\? available backends: kserve/);
  });

  test('fails when the KServe mode is unknown', () => {
    expect(() => Backend.of('kserve', { kserveMode: 'serverless' })).toThrow(/kserveMode: unknown KServe mode "serverless"; use "standard" or "knative"/);
  });
});
