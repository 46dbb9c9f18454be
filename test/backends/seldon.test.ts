import { Backend } from '../../src/backends';
import { synthesize, toYaml } from '../../src/render';
import { Router } from '../../src/routers';
import { issuesOf } from '../support/issues';
import { expectValidManifests } from '../support/manifests';
import { experimentProblems, seldonDeploymentProblems } from '../support/semantic-rules';

const V1 = Backend.seldon();
const V2 = Backend.seldonV2();

function service(overrides: Record<string, any> = {}): any {
  return {
    name: 'fraud',
    namespace: 'ml',
    main: {
      artifact: { type: 'model', storageUri: 's3://models/fraud/v1', format: 'xgboost' },
      instanceType: 'cpu.2',
      scaling: { minReplicas: 2, maxReplicas: 6 },
    },
    ...overrides,
  };
}

function problems(input: unknown, backend: Backend, router?: Router): string[] {
  return issuesOf(() => synthesize(input, { backend, router }));
}

const byKind = (objects: readonly any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('Seldon Core v1', () => {
  test('main alone: one predictor with traffic 100, a prepackaged server and an HPA', () => {
    const { objects } = synthesize(service(), { backend: V1 });
    expectValidManifests(objects);
    expect(objects).toHaveLength(1);
    const sdep: any = objects[0];
    expect(sdep).toMatchObject({ apiVersion: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment', metadata: { name: 'fraud', namespace: 'ml' } });
    const [p] = sdep.spec.predictors;
    expect(p.traffic).toBe(100);
    expect(p.shadow).toBeUndefined();
    expect(p.graph).toEqual({ name: 'model', implementation: 'XGBOOST_SERVER', modelUri: 's3://models/fraud/v1', children: [] });
    expect(p.componentSpecs[0].hpaSpec).toEqual({
      minReplicas: 2,
      maxReplicas: 6,
      metricsv2: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    expect(p.componentSpecs[0].replicas).toBeUndefined();
    const container = p.componentSpecs[0].spec.containers[0];
    expect(container.name).toBe(p.graph.name);
    expect(container.image).toBeUndefined();
    expect(container.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    // a pod security context replaces Seldon's default user 8888, so it names that user itself (no group: MLServer's images grant group 0)
    expect(p.componentSpecs[0].spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 8888, seccompProfile: { type: 'RuntimeDefault' } });
    expect(objects).toMatchSnapshot();
  });

  test('canaries: one predictor each, traffic = weights with the remainder to main', () => {
    const input = service({
      versions: {
        a: { weight: 20, artifact: { type: 'model', storageUri: 's3://models/fraud/v2', format: 'xgboost' }, scaling: { minReplicas: 1, maxReplicas: 1 } },
        b: { weight: 30, instanceType: 'gpu.t4.1', scaling: { minReplicas: 1, maxReplicas: 3, metric: 'memory', target: 70 } },
      },
    });
    const { objects } = synthesize(input, { backend: V1 });
    expectValidManifests(objects);
    const preds = (objects[0] as any).spec.predictors;
    expect(preds.map((p: any) => [p.name, p.traffic])).toEqual([['main', 50], ['a', 20], ['b', 30]]);
    expect(preds[1].componentSpecs[0].replicas).toBe(1);
    expect(preds[1].componentSpecs[0].hpaSpec).toBeUndefined();
    const b = preds[2].componentSpecs[0];
    expect(b.hpaSpec).toMatchObject({ minReplicas: 1, maxReplicas: 3, metricsv2: [{ resource: { name: 'memory', target: { averageUtilization: 70 } } }] });
    expect(b.spec.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'Tesla-T4' });
    expect(b.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(b.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
  });

  test('bento and image versions are custom MODEL nodes whose name matches their container, served without the orchestrator', () => {
    const input = service({
      main: { artifact: { type: 'bento', tag: 'fraud:v1abc' }, instanceType: 'cpu.2', env: [{ name: 'LOG_LEVEL', value: 'info' }] },
      versions: { v2: { weight: 10, artifact: { type: 'image', image: 'ghcr.io/acme/fraud:2', storageUri: 's3://models/fraud/v2', port: 8080 } } },
    });
    const { objects } = synthesize(input, { backend: V1 });
    expectValidManifests(objects);
    const [main, v2] = (objects[0] as any).spec.predictors;
    expect(main.annotations).toEqual({ 'seldon.io/no-engine': 'true' });
    expect(main.graph).toEqual({ name: 'model', type: 'MODEL', endpoint: { type: 'REST', httpPort: 3000 }, children: [] });
    // BentoML's port named `http` (Seldon keeps it as the server's port), its probes, its numeric user and its writes redirected
    expect(main.componentSpecs[0].spec.containers[0]).toMatchObject({
      name: 'model',
      image: 'fraud:v1abc',
      env: [
        { name: 'BENTOML_HOME', value: '/tmp/bentoml' },
        { name: 'HF_HOME', value: '/tmp/huggingface' },
        { name: 'XDG_CACHE_HOME', value: '/tmp/cache' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
      livenessProbe: { httpGet: { path: '/livez', port: 'http' } },
      securityContext: { runAsUser: 1034, runAsGroup: 1034, runAsNonRoot: true },
    });
    expect(v2.graph.endpoint.httpPort).toBe(8080);
    expect(v2.componentSpecs[0].spec.containers[0]).toMatchObject({
      env: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'STORAGE_URI', value: 's3://models/fraud/v2' },
      ],
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      readinessProbe: { tcpSocket: { port: 'http' } },
      securityContext: { runAsUser: 1000, runAsNonRoot: true },
    });
    expect(v2.componentSpecs[0].spec.containers[0].livenessProbe).toBeUndefined();
  });

  test.each([
    ['sklearn', 'SKLEARN_SERVER'],
    ['xgboost', 'XGBOOST_SERVER'],
    ['tensorflow', 'TENSORFLOW_SERVER'],
    ['mlflow', 'MLFLOW_SERVER'],
    ['triton', 'TRITON_SERVER'],
    ['huggingface', 'HUGGINGFACE_SERVER'],
  ])('format %s uses the prepackaged %s', (format, server) => {
    const { objects } = synthesize(service({ main: { artifact: { type: 'model', storageUri: 'gs://m/1', format } } }), { backend: V1 });
    expectValidManifests(objects);
    const sdep: any = objects[0];
    expect(sdep.spec.predictors[0].graph.implementation).toBe(server);
    expect(sdep.spec.protocol).toBe(format === 'triton' || format === 'huggingface' ? 'v2' : undefined);
  });

  test('a mirror is the shadow predictor, with the percent it copies as its traffic', () => {
    const input = service({ versions: { c: { weight: 10 }, shadow: { mirror: true, weight: 25 } } });
    const { objects } = synthesize(input, { backend: V1 });
    expectValidManifests(objects);
    const preds = (objects[0] as any).spec.predictors;
    expect(preds.map((p: any) => [p.name, p.traffic, p.shadow])).toEqual([['main', 90, undefined], ['c', 10, undefined], ['shadow', 25, true]]);
  });

  test('a mirror beside main alone: main keeps 100 and the shadow its percent', () => {
    const { objects } = synthesize(service({ versions: { shadow: { mirror: true, weight: 100 } } }), { backend: V1 });
    expectValidManifests(objects);
    const preds = (objects[0] as any).spec.predictors;
    expect(preds.map((p: any) => [p.traffic, p.shadow])).toEqual([[100, undefined], [100, true]]);
  });

  test('every weight split keeps the webhook\'s traffic rule (sum 100, a lone predictor 100)', () => {
    for (const weights of [[0], [100], [0, 0], [50, 50], [1, 2, 3], [99, 1], [33, 33, 33]]) {
      const versions = Object.fromEntries(weights.map((w, i) => [`c${i}`, { weight: w }]));
      const { objects } = synthesize(service({ versions }), { backend: V1 });
      expect(seldonDeploymentProblems(objects[0])).toEqual([]);
    }
  });

  test('timeout: one seldon.io/rest-timeout for the deployment, in milliseconds', () => {
    const { objects } = synthesize(service({ main: { ...service().main, timeoutSeconds: 30 } }), { backend: V1 });
    expect((objects[0] as any).spec.annotations).toEqual({ 'seldon.io/rest-timeout': '30000' });
  });

  test('stabilization windows cannot be set on hpaSpec: a warning names the versions', () => {
    const input = service({ main: { ...service().main, scaling: { minReplicas: 1, maxReplicas: 3, scaleDownStabilizationWindowSeconds: 600 } } });
    const { warnings } = synthesize(input, { backend: V1 });
    expect(warnings).toEqual([expect.stringMatching(/hpaSpec has no scaling behavior.*main autoscale/)]);
  });

  test('header hashing without a router is refused, naming istio; with router istio it synthesizes over the per-predictor Services', () => {
    const input = service({ routing: { type: 'header', key: 'x-user' }, versions: { c: { weight: 10 } } });
    expect(problems(input, V1)).toEqual([expect.stringMatching(/^routing\.type: .*router "native" does not; use router "istio", or routing "random"/)]);
    const { objects } = synthesize(input, { backend: V1, router: Router.istio() });
    expectValidManifests(objects);
    // with Istio's request metrics, the service's dashboard comes along
    expect(objects.map((o) => o.kind)).toEqual(['SeldonDeployment', 'Service', 'VirtualService', 'EnvoyFilter', 'ConfigMap']);
    const vs: any = objects[2];
    const hosts = new Set(vs.spec.http.flatMap((r: any) => r.route.map((d: any) => `${d.destination.host}:${d.destination.port.number}`)));
    expect([...hosts].sort()).toEqual(['fraud-c:8000', 'fraud-main:8000']);
  });

  test('the mirror with router istio is an Istio mirror to the shadow predictor\'s Service', () => {
    const input = service({ routing: { type: 'header', key: 'x-user' }, versions: { c: { weight: 10 }, s: { mirror: true, weight: 5 } } });
    const { objects } = synthesize(input, { backend: V1, router: Router.istio() });
    expectValidManifests(objects);
    const vs: any = objects.find((o) => o.kind === 'VirtualService');
    const unpinned = vs.spec.http.filter((r: any) => !r.name.startsWith('pin-'));
    expect(unpinned.every((r: any) => r.mirror.host === 'fraud-s' && r.mirrorPercentage.value === 5)).toBe(true);
  });

  test('router gateway-api routes to the Services Seldon creates per predictor, on the port each serves', () => {
    const input = service({ versions: { b: { weight: 20, artifact: { type: 'bento', tag: 'fraud:v2' } } } });
    const { objects } = synthesize(input, { backend: V1, router: Router.gatewayApi() });
    expectValidManifests(objects);
    const route: any = objects.find((o) => o.kind === 'HTTPRoute');
    const weighted = route.spec.rules[route.spec.rules.length - 1].backendRefs;
    // main (a prepackaged server) behind Seldon's engine on 8000; the bento without the engine, on BentoML's 3000
    expect(weighted).toEqual([{ name: 'fraud-main', port: 8000, weight: 80 }, { name: 'fraud-b', port: 3000, weight: 20 }]);
  });

  test('fails when the router is nginx, naming the routers Seldon Core v1 takes', () => {
    expect(problems(service(), V1, Router.of('nginx'))).toEqual([expect.stringMatching(/^router: Seldon Core v1 takes router "native", "istio", "gateway-api"/)]);
  });

  test('refusals: every problem at once, each on its path with the fix', () => {
    const input = service({
      main: {
        artifact: { type: 'model', storageUri: 's3://m/1', format: 'onnx', runtime: 'kserve-tritonserver' },
        scaling: { minReplicas: 0, maxReplicas: 2, metric: 'concurrency', target: 10 },
        deploymentStrategy: 'Recreate',
        timeoutSeconds: 10,
      },
      versions: { c: { weight: 10, timeoutSeconds: 20, scaling: { minReplicas: 1, maxReplicas: 2, metric: 'cpu', target: 150 } } },
    });
    expect(problems(input, V1)).toEqual([
      expect.stringMatching(/^main\.artifact\.format: Seldon Core v1 has no prepackaged server for format "onnx"; use one of sklearn, xgboost/),
      expect.stringMatching(/^main\.artifact\.runtime: .*remove runtime/),
      expect.stringMatching(/^main\.scaling\.minReplicas: .*cannot scale to zero.*got 0/),
      expect.stringMatching(/^main\.scaling\.metric: .*"cpu" or "memory", got "concurrency"/),
      expect.stringMatching(/^main\.deploymentStrategy: .*no Recreate strategy/),
      // what c inherits from main (artifact, strategy) is main's mistake, reported once, at main
      expect.stringMatching(/^versions\.c\.scaling\.target: .*percent from 1 to 100, got 150/),
      expect.stringMatching(/^versions\.c\.timeoutSeconds: .*one request timeout per SeldonDeployment/),
    ]);
  });

  test('tensorflow beside a v2-protocol format is refused (one protocol per SeldonDeployment)', () => {
    const input = service({
      main: { artifact: { type: 'model', storageUri: 's3://m/1', format: 'tensorflow' } },
      versions: { c: { weight: 10, artifact: { type: 'model', storageUri: 's3://m/2', format: 'triton' } } },
    });
    expect(problems(input, V1)).toEqual([expect.stringMatching(/^versions: .*one protocol per SeldonDeployment/)]);
  });

  test('with router istio, a predictor Service name Seldon would hash is refused', () => {
    const input = service({ name: 'f'.repeat(60), routing: { type: 'header', key: 'x-user' }, versions: { canary: { weight: 5 } } });
    expect(problems(input, V1, Router.istio())).toEqual(
      expect.arrayContaining([expect.stringMatching(/^versions\.canary: Seldon names the predictor's Service "f{60}-canary" \(67 characters\)/)]),
    );
  });

  test('the semantic checker itself catches what the webhook rejects', () => {
    const bad = {
      spec: {
        protocol: 'tensorflow',
        predictors: [
          { name: 'a', traffic: 60, graph: { name: 'm', implementation: 'SKLEARN_SERVER', children: [] }, componentSpecs: [] },
          { name: 'a', traffic: 30, graph: { name: 'n', type: 'MODEL' }, componentSpecs: [{ spec: { containers: [{ name: 'other' }] } }] },
          { name: 's1', shadow: true, traffic: 150, graph: { name: 'm', implementation: 'XGBOOST_SERVER', modelUri: 's3://x' } },
          { name: 's2', shadow: true, graph: { name: 'm', implementation: 'XGBOOST_SERVER', modelUri: 's3://x' } },
        ],
      },
    };
    expect(seldonDeploymentProblems(bad)).toEqual([
      'spec.predictors: duplicate predictor names a, a, s1, s2',
      'spec.predictors: at most one shadow predictor',
      'predictor s1: shadow traffic must be in 0..100, got 150',
      'spec.predictors: traffic of non-shadow predictors must sum to 100, got 90',
      'predictor a: prepackaged server SKLEARN_SERVER needs graph.modelUri',
      'predictor a: SKLEARN_SERVER does not take protocol tensorflow',
      'predictor a: graph node n has no container of the same name',
      'predictor s1: XGBOOST_SERVER does not take protocol tensorflow',
      'predictor s2: XGBOOST_SERVER does not take protocol tensorflow',
    ]);
    expect(seldonDeploymentProblems({ spec: { predictors: [{ name: 'a', traffic: 50, graph: { name: 'm', implementation: 'SIMPLE_MODEL' } }] } })).toEqual([
      'predictor a: a single predictor must carry traffic 0 or 100, got 50',
    ]);
  });
});

describe('Seldon Core v2', () => {
  const gpuCanary = {
    weight: 20,
    artifact: { type: 'model', storageUri: 's3://models/fraud/v2', format: 'onnx' },
    instanceType: 'gpu.t4.1',
    scaling: { minReplicas: 1, maxReplicas: 4 },
  };

  test('main alone: one Model on a Server of its instance type, no Experiment', () => {
    const { objects } = synthesize(service(), { backend: V2 });
    expectValidManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Model/fraud-main', 'Server/fraud-mlserver-cpu-2']);
    expect(objects[0]).toEqual({
      apiVersion: 'mlops.seldon.io/v1alpha1',
      kind: 'Model',
      metadata: { name: 'fraud-main', namespace: 'ml', labels: { 'app.kubernetes.io/name': 'fraud', 'app.kubernetes.io/managed-by': 'canary-inference', 'version': 'main' } },
      // no memory: the Server is sized by the instance type, and a model asking for the whole pod would not fit beside the canaries
      spec: { storageUri: 's3://models/fraud/v1', requirements: ['xgboost'], replicas: 2, minReplicas: 2, maxReplicas: 6, server: 'fraud-mlserver-cpu-2' },
    });
    const server: any = objects[1];
    expect(server.spec.podSpec.containers[0]).toMatchObject({ name: 'mlserver', resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } } });
  });

  test('canaries: a Model each, an Experiment with main as default and the spec\'s shares', () => {
    const input = service({ versions: { a: { weight: 10, scaling: { minReplicas: 1, maxReplicas: 1 } }, b: gpuCanary } });
    const { objects } = synthesize(input, { backend: V2 });
    expectValidManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Model/fraud-main',
      'Model/fraud-a',
      'Model/fraud-b',
      'Server/fraud-mlserver-cpu-2',
      'Server/fraud-triton-gpu-t4-1',
      'Experiment/fraud',
    ]);
    const a: any = objects[1];
    expect(a.spec).toEqual({ storageUri: 's3://models/fraud/v1', requirements: ['xgboost'], replicas: 1, server: 'fraud-mlserver-cpu-2' });
    const exp: any = byKind(objects, 'Experiment')[0];
    expect(exp.spec).toEqual({
      default: 'fraud-main',
      candidates: [
        { name: 'fraud-main', weight: 70 },
        { name: 'fraud-a', weight: 10 },
        { name: 'fraud-b', weight: 20 },
      ],
    });
    // relative weights: each share equals the spec's percent
    const total = exp.spec.candidates.reduce((s: number, c: any) => s + c.weight, 0);
    expect(exp.spec.candidates.map((c: any) => (100 * c.weight) / total)).toEqual([70, 10, 20]);
    expect(objects).toMatchSnapshot();
  });

  test('every instance type gets a Server of its own that the Model is placed on, Seldon\'s containers included', () => {
    const { objects } = synthesize(service({ versions: { b: gpuCanary } }), { backend: V2 });
    const server: any = byKind(objects, 'Server')[0];
    const triton: any = byKind(objects, 'Server').find((s: any) => s.spec.serverConfig === 'triton');
    expect(server.spec.serverConfig).toBe('mlserver');
    const restricted = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    expect(triton.spec).toEqual({
      serverConfig: 'triton',
      replicas: 1,
      minReplicas: 1,
      maxReplicas: 4,
      podSpec: {
        containers: [
          {
            name: 'triton',
            resources: { requests: expect.objectContaining({ 'nvidia.com/gpu': '1' }), limits: expect.objectContaining({ 'nvidia.com/gpu': '1' }) },
            securityContext: restricted,
            // Triton passes tensors through shared memory
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'dshm', mountPath: '/dev/shm' }],
          },
          // Seldon's own containers, merged by name into the ServerConfig's, held to the same profile
          { name: 'agent', securityContext: restricted, volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] },
          {
            name: 'rclone',
            env: [{ name: 'XDG_CACHE_HOME', value: '/tmp/cache' }],
            securityContext: restricted,
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'rclone-config', mountPath: '/rclone' }],
          },
        ],
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        nodeSelector: { 'nvidia.com/gpu.product': 'Tesla-T4' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'dshm', emptyDir: { medium: 'Memory' } }, { name: 'rclone-config', emptyDir: {} }],
      },
    });
    expect((byKind(objects, 'Model')[1] as any).spec.server).toBe(triton.metadata.name);
    expect((byKind(objects, 'Model')[0] as any).spec.server).toBe(server.metadata.name);
  });

  test('a mirror is the Experiment\'s mirror with its percent, and not a candidate', () => {
    const { objects } = synthesize(service({ versions: { s: { mirror: true, weight: 30 } } }), { backend: V2 });
    expectValidManifests(objects);
    const exp: any = byKind(objects, 'Experiment')[0];
    expect(exp.spec).toEqual({ default: 'fraud-main', candidates: [{ name: 'fraud-main', weight: 100 }], mirror: { name: 'fraud-s', percent: 30 } });
  });

  test('every weight split gives an Experiment the scheduler accepts', () => {
    for (const weights of [[0], [100], [0, 0], [50, 50], [1, 2, 3], [99, 1]]) {
      const versions = Object.fromEntries(weights.map((w, i) => [`c${i}`, { weight: w }]));
      const { objects } = synthesize(service({ versions }), { backend: V2 });
      expect(experimentProblems(byKind(objects, 'Experiment')[0])).toEqual([]);
    }
  });

  test('bento and image-only versions are refused with the storage-URI reason, naming Seldon v1 and KServe', () => {
    const input = service({
      main: { artifact: { type: 'bento', tag: 'fraud:v1abc' } },
      versions: { c: { weight: 10, artifact: { type: 'image', image: 'ghcr.io/acme/fraud:2' } } },
    });
    expect(problems(input, V2)).toEqual([
      expect.stringMatching(/^main\.artifact: a Seldon Core v2 Model runs inside a shared server and is loaded from a storage URI.*bento "fraud:v1abc".*backend "seldon" \(Seldon Core v1\) or "kserve"/),
      expect.stringMatching(/^versions\.c\.artifact: .*the image "ghcr\.io\/acme\/fraud:2".*backend "seldon" \(Seldon Core v1\) or "kserve"/),
    ]);
  });

  test('key hashing is refused: v2 has none, and the message names random routing, x-seldon-route and istio', () => {
    const input = service({ routing: { type: 'query', key: 'user' }, versions: { c: { weight: 10 } } });
    expect(problems(input, V2)).toEqual([
      expect.stringMatching(/^routing\.type: .*Seldon Core v2 works with no router that does; use routing "random" \(.*x-seldon-route.*\), or backend "kserve" \(Standard mode\) with router "istio", or backend "seldon" with router "istio"$/),
    ]);
    expect(problems(service(), V2, Router.istio())).toEqual([expect.stringMatching(/^router: Seldon Core v2 splits traffic in its own Envoy.*use backend "kserve" \(Standard mode\) or backend "seldon" or backend "argo-rollouts" with router "istio"$/)]);
  });

  test('refusals: every problem at once', () => {
    const input = service({
      main: {
        artifact: { type: 'model', storageUri: 's3://m/1', format: 'pmml', runtime: 'x' },
        scaling: { minReplicas: 0, maxReplicas: 2, metric: 'cpu', target: 50 },
        deploymentStrategy: 'Recreate',
      },
      versions: { c: { weight: 10, scaling: { minReplicas: 1, maxReplicas: 2 } } },
    });
    expect(problems(input, V2)).toEqual([
      expect.stringMatching(/^main\.artifact\.format: Seldon Core v2's servers \(mlserver, triton\) do not load format "pmml"/),
      expect.stringMatching(/^main\.artifact\.runtime: /),
      expect.stringMatching(/^main\.scaling\.minReplicas: /),
      expect.stringMatching(/^main\.scaling\.metric: .*no metric/),
      expect.stringMatching(/^main\.scaling\.target: .*no target/),
      expect.stringMatching(/^main\.deploymentStrategy: .*no Recreate strategy/),
      // the canary inherits format and runtime from main: reported once, at main; its scaling is its own
    ]);
  });

  test('what v2 cannot apply is a warning: env, timeouts, stabilization windows', () => {
    const input = service({
      main: { ...service().main, timeoutSeconds: 30, env: [{ name: 'A', value: '1' }], scaling: { minReplicas: 1, maxReplicas: 2, scaleUpStabilizationWindowSeconds: 0 } },
    });
    const { warnings } = synthesize(input, { backend: V2 });
    expect(warnings).toEqual([
      // and where the models run: Servers of their instance types, which their memory fits
      expect.stringMatching(/^Seldon Core v2: the models run on Servers sized by their instance types \(fraud-mlserver-cpu-2\), not on the shared mlserver and triton Servers/),
      expect.stringMatching(/no stabilization windows; the windows of main are not applied/),
      expect.stringMatching(/no per-model request timeout; the timeout of main is not applied/),
      expect.stringMatching(/the env of main is not applied/),
    ]);
  });

  test('the semantic checker itself catches what the scheduler rejects', () => {
    expect(experimentProblems({ spec: { default: 'x', candidates: [{ name: 'a', weight: 1 }, { name: 'a', weight: -1 }], mirror: { name: 'a', percent: 101 } } })).toEqual([
      'spec.default: x is not a candidate',
      'spec.candidates: duplicate names',
      'spec.mirror: the mirror must not be a candidate',
      'candidate a: weight must be >= 0 (uint32), got -1',
      'spec.candidates: weights must not all be 0',
      'spec.mirror.percent: must be 0..100, got 101',
    ]);
  });
});

test('Seldon output is deterministic', () => {
  const input = service({ versions: { a: { weight: 10 }, s: { mirror: true, weight: 5 } } });
  for (const backend of [V1, V2]) {
    expect(toYaml(synthesize(input, { backend }).objects)).toBe(toYaml(synthesize(JSON.parse(JSON.stringify(input)), { backend }).objects));
  }
});

test('Backend.of knows seldon and seldon-v2, and ignores KServe-only options for them', () => {
  expect(Backend.of('seldon').name).toBe('seldon');
  expect(Backend.of('seldon-v2', { kserveMode: 'standard' }).name).toBe('seldon-v2');
  expect(issuesOf(() => Backend.of('seldom'))).toEqual([expect.stringMatching(/did you mean "seldon"\?.*kserve, seldon, seldon-v2/)]);
});
