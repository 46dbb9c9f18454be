/**
 * Manifests that serve: every backend x router x artifact kind, applied to the
 * emulated cluster (test/support/emulate: the controllers' defaulting, written
 * from their upstream sources), starts every pod, makes it Ready on the port
 * its server listens on, and routes traffic to Services and ports that exist.
 */
import { parse, stringify } from 'yaml';
import { Backend, KServeMode, KubeObject } from '../../src/backends';
import { synthesizeConfigFile } from '../../src/config';
import { synthesize, SynthesizeOptions } from '../../src/render';
import { Router } from '../../src/routers';
import { InstanceTypeCatalog } from '../../src/spec';
import { bentoCloudExampleText, withModels, writeTemp } from '../support/cli';
import { clusterImages, clusterServingProblems, declaredImage, emulateCluster, KSERVE_EMULATED_FORMATS } from '../support/emulate/cluster';
import { effectiveSecurity } from '../support/emulate/kubelet';
import { Container, EmulatedPod } from '../support/emulate/types';
import { issuesOf } from '../support/issues';
import { expectValidManifests } from '../support/manifests';
import { restrictedProblems } from '../support/pod-security';

type Doc = Record<string, any>;

const REPO = 'registry.example.com/bentos';
const BENTOS = ['summarization:xq4dggshm25lecvj', 'summarization:t226bcshm2bqicvj', 'summarization:zgk7uja3goq62usu'].map((t) => `${REPO}/${t}`);
const SERVER_IMAGE = 'ghcr.io/acme/model-server:2.1';
const IMAGES = clusterImages(BENTOS, { [SERVER_IMAGE]: declaredImage(8000, '/healthz') });

/** The BentoCloud example, edited, rendered from a file as the CLI renders it. */
type Rendered = { objects: KubeObject[]; warnings: readonly string[] };
function fromExample(name: string, edit: (doc: Doc) => void, overrides: Record<string, string> = {}): Rendered {
  const doc = parse(bentoCloudExampleText());
  doc.kubernetes = { image_repository: REPO };
  edit(doc);
  const out = synthesizeConfigFile(writeTemp(name, stringify(doc)), overrides);
  return { objects: [...out.objects], warnings: out.warnings };
}

/** Random routing with one canary: what every backend runs. */
const randomOneCanary = (doc: Doc) => {
  doc.canary.route_type = 'random';
  delete doc.canary.versions.b;
};
const random = (doc: Doc) => {
  doc.canary.route_type = 'random';
};

/** Exposed through a Gateway too. */
const withGateway = (edit: (doc: Doc) => void) => (doc: Doc) => {
  edit(doc);
  doc.kubernetes.gateway = 'infra/public';
  doc.kubernetes.hosts = ['summarization.example.com'];
};

/** Every container of every emulated pod, with its pod. */
function containers(pods: readonly EmulatedPod[]): { pod: EmulatedPod; c: Container }[] {
  return pods.flatMap((pod) => pod.spec.containers.map((c) => ({ pod, c })));
}

/** Checks every pod of `objects` would start, become Ready on its server's port and receive its traffic. */
function expectServes(objects: readonly KubeObject[], kserve = {}): void {
  expectValidManifests(objects);
  expect(restrictedProblems(objects)).toEqual([]);
  expect(clusterServingProblems(objects, IMAGES, kserve)).toEqual([]);
}

describe('the BentoCloud example with bentos serves on every backend (the acceptance)', () => {
  test.each([
    ['kserve --kserve-mode knative', randomOneCanary, { backend: 'kserve', kserveMode: 'knative' }],
    ['seldon', random, { backend: 'seldon' }],
    ['seldon --router istio', random, { backend: 'seldon', router: 'istio' }],
    ['seldon --router gateway-api', random, { backend: 'seldon', router: 'gateway-api' }],
    ['argo-rollouts --router istio', randomOneCanary, { backend: 'argo-rollouts', router: 'istio' }],
    ['argo-rollouts --router gateway-api with a Gateway', withGateway(randomOneCanary), { backend: 'argo-rollouts', router: 'gateway-api' }],
    ['seldon --router gateway-api with a Gateway', withGateway(random), { backend: 'seldon', router: 'gateway-api' }],
    ['kserve --router istio (per-version)', (doc: Doc) => doc, { backend: 'kserve', router: 'istio' }],
    ['kserve --router gateway-api (per-version)', random, { backend: 'kserve', router: 'gateway-api' }],
  ] as const)('%s: every pod starts as uid 1034, declares port 3000 and is Ready on /readyz there', (_name, edit, overrides) => {
    const { objects } = fromExample('bentos.yaml', edit, overrides);
    expectServes(objects);
    const e = emulateCluster(objects);
    const bentos = containers(e.pods).filter(({ c }) => BENTOS.includes(c.image ?? ''));
    expect(bentos.length).toBeGreaterThan(0);
    for (const { pod, c } of bentos) {
      expect(effectiveSecurity(pod, c)).toMatchObject({ runAsNonRoot: true, runAsUser: 1034 });
      expect(c.ports?.map((p) => p.containerPort)).toContain(3000);
      const port = c.readinessProbe?.httpGet?.port;
      const number = typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
      expect([c.readinessProbe?.httpGet?.path, number]).toEqual(['/readyz', 3000]);
    }
  });

  test.each([
    ['seldon --router istio', { backend: 'seldon', router: 'istio' }],
    ['seldon --router gateway-api', { backend: 'seldon', router: 'gateway-api' }],
  ])('%s: Seldon\'s per-predictor Services and our routes use BentoML\'s port 3000', (_name, overrides) => {
    const { objects } = fromExample('bentos-routed.yaml', random, overrides);
    const e = emulateCluster(objects);
    const predictorServices = e.services.filter((s) => /^summarization-blel-(main|a|b)$/.test(s.name));
    expect(predictorServices.map((s) => s.name).sort()).toEqual(['summarization-blel-a', 'summarization-blel-b', 'summarization-blel-main']);
    for (const s of predictorServices) expect(s.ports.find((p) => p.name === 'http')).toMatchObject({ port: 3000, targetPort: 3000 });
    const ours = e.routes.filter((r) => !r.owner.includes('Seldon operator'));
    expect(ours.length).toBeGreaterThan(0);
    for (const r of ours.filter((x) => x.service !== 'summarization-blel')) expect(r.port).toBe(3000);
  });

  test.each([
    ['argo-rollouts', randomOneCanary, ['summarization-blel-stable', 'summarization-blel-canary']],
    ['seldon', random, ['summarization-blel-main', 'summarization-blel-a', 'summarization-blel-b']],
  ] as const)('%s --router gateway-api with a Gateway: in-mesh callers of the stable Service reach every version too', (backend, edit, services) => {
    const { objects } = fromExample('bentos-gateway.yaml', withGateway(edit), { backend, router: 'gateway-api' });
    const routes = emulateCluster(objects).routes.filter((r) => r.owner.startsWith('HTTPRoute'));
    const through = (parent: RegExp) => [...new Set(routes.filter((r) => parent.test(r.owner)).map((r) => r.service))].sort();
    expect(through(/-mesh\b/)).toEqual(expect.arrayContaining([...services]));
    expect(through(/^HTTPRoute summarization-blel(-split)? /)).toEqual(expect.arrayContaining([...services]));
  });

  test('every pod names its service and version as Istio\'s canonical ones, whatever labels the user adds', () => {
    const { objects } = fromExample('bentos-labels.yaml', (doc) => {
      random(doc);
      // Istio reads app.kubernetes.io/version before version: the canonical labels keep it reporting the version
      doc.services.Summarization.labels = { 'app.kubernetes.io/version': '1.2.3' };
    }, { backend: 'kserve', router: 'istio' });
    for (const pod of emulateCluster(objects).pods.filter((p) => p.version !== undefined)) {
      expect(pod.labels).toMatchObject({ 'service.istio.io/canonical-name': 'summarization-blel', 'service.istio.io/canonical-revision': pod.version });
    }
  });

  test('seldon --router istio: our VirtualService does not share its name with the one Seldon\'s Istio integration writes', () => {
    const { objects } = fromExample('bentos-istio.yaml', random, { backend: 'seldon', router: 'istio' });
    const names = objects.filter((o) => o.kind === 'VirtualService').map((o) => o.metadata.name);
    expect(names).toEqual(['summarization-blel-split']);
    expect(emulateCluster(objects).refused).toEqual([]);
  });
});

describe('model artifacts on KServe: every limit at least its request', () => {
  const modelsOn = (instanceType: string) => (doc: Doc) => {
    withModels(doc, 'huggingface');
    doc.canary.route_type = 'random';
    doc.services.Summarization.instance_type = instanceType;
    for (const v of Object.values<Doc>(doc.canary.versions)) delete v.services;
    for (const v of Object.values<Doc>(doc.canary.versions)) v.services = { Summarization: { scaling: { min_replicas: 1, max_replicas: 1 } } };
    doc.services.Summarization.scaling = { min_replicas: 1, max_replicas: 1 };
  };

  test.each(['cpu.4', 'cpu.8', 'gpu.l4.1', 'gpu.a100.1'])('instance type %s, Standard (spec.canary[]) and Knative: limits.cpu >= requests.cpu after KServe\'s runtime merge', (type) => {
    for (const overrides of [{ backend: 'kserve' }, { backend: 'kserve', router: 'istio' }] as Record<string, string>[]) {
      const { objects } = fromExample(`models-${type}.yaml`, modelsOn(type), overrides);
      expectServes(objects);
      const e = emulateCluster(objects);
      const servers = containers(e.pods).filter(({ c }) => c.name === 'kserve-container');
      // main and both canaries, as one InferenceService's Deployments or one each
      expect(servers.length).toBe(3);
      for (const { c } of servers) {
        expect(Number(c.resources!.limits!.cpu)).toBeGreaterThanOrEqual(Number(c.resources!.requests!.cpu));
      }
    }
  });

  test('a CPU canary beside a GPU main on spec.canary[] drops the GPU KServe would merge in, and is refused where it would keep main\'s nodes', () => {
    const gpuMainCpuCanary = (doc: Doc) => {
      modelsOn('gpu.l4.1')(doc);
      delete doc.canary.versions.b;
      doc.canary.versions.a.services.Summarization.instance_type = 'cpu.2';
    };
    const problems = issuesOf(() => fromExample('gpu-main.yaml', gpuMainCpuCanary, { backend: 'kserve' }));
    expect(problems).toEqual([
      expect.stringMatching(
        /canary\.versions\.a\.services\.Summarization\.instance_type: KServe merges a canary's node selector onto main's key by key, so instance type "cpu.2" would keep main's nvidia.com\/gpu.product=NVIDIA-L4.*per-version strategy/,
      ),
    ]);
    // two GPU types: the node selector key is overwritten, the GPU kept; on the per-version strategy each version is its own
    const { objects } = fromExample('gpu-both.yaml', (doc) => {
      modelsOn('gpu.l4.1')(doc);
      delete doc.canary.versions.b;
      doc.canary.versions.a.services.Summarization.instance_type = 'gpu.t4.1';
    }, { backend: 'kserve' });
    expectServes(objects);
    const canaryPod = emulateCluster(objects).pods.find((p) => p.owner.includes('canary'))!;
    expect(canaryPod.spec.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'Tesla-T4' });
  });

  const gpuAnyMain = (format: string) => ({
    name: 'llm',
    main: { artifact: { type: 'model', storageUri: 's3://m/1', format }, instanceType: 'gpu.any' },
    versions: { c: { weight: 10, artifact: { type: 'model', storageUri: 's3://m/2', format }, instanceType: 'cpu.2' } },
  });
  const catalog = InstanceTypeCatalog.defaults().with('gpu.any', { cpu: '4', memory: '16Gi', gpus: 1, tolerations: [] });

  test('a CPU canary of a GPU custom catalog without node selectors gets its inherited GPU set to 0', () => {
    const { objects, warnings } = synthesize(gpuAnyMain('sklearn'), { backend: Backend.kserve(), instanceTypes: catalog });
    expectServes(objects);
    const canary = containers(emulateCluster(objects).pods).find(({ pod }) => pod.owner.includes('canary'))!.c;
    expect(canary.resources).toMatchObject({ requests: { 'nvidia.com/gpu': '0' }, limits: { 'nvidia.com/gpu': '0' } });
    expect(warnings).toEqual([expect.stringMatching(/spec.canary split .* only in the Gateway API route KServe writes itself/)]);
  });

  test.each(['huggingface', 'tensorflow', 'pytorch'])('fails for format %s, whose runtime KServe switches to its GPU image by the cleared key\'s presence', (format) => {
    expect(issuesOf(() => synthesize(gpuAnyMain(format), { backend: Backend.kserve(), instanceTypes: catalog }))).toEqual([
      expect.stringMatching(
        new RegExp(`^versions\\.c\\.instanceType: KServe merges a canary's resources onto main's, so instance type "cpu.2" would keep main's nvidia.com/gpu key \\(set to 0\\), and KServe picks the GPU image of the ${format} runtime`),
      ),
    ]);
    // what the refusal prevents: the same output with that format runs the -gpu image without a GPU (the check bites)
    const objects: any[] = [...structuredClone(synthesize(gpuAnyMain('sklearn'), { backend: Backend.kserve(), instanceTypes: catalog }).objects)];
    if (format === 'huggingface') {
      for (const p of [objects[0].spec.predictor, objects[0].spec.canary[0].predictor]) p.model.modelFormat.name = format;
      expect(clusterServingProblems(objects, IMAGES)).toEqual(expect.arrayContaining([expect.stringMatching(/canary c.*not one the server listens on \(none\)/)]));
    }
    // on the per-version strategy each version is its own InferenceService: the CPU canary runs the CPU image
    const perVersion = synthesize(gpuAnyMain(format), { backend: Backend.kserve(), router: Router.istio(), instanceTypes: catalog });
    expect(perVersion.objects.length).toBeGreaterThan(0);
  });
});

describe('every format KServe\'s default runtimes serve', () => {
  test.each(KSERVE_EMULATED_FORMATS)('%s: a runtime is found, and its server starts and becomes Ready (spec.canary[] too)', (format) => {
    const model = (id: string) => ({ type: 'model', storageUri: `s3://models/${id}`, format });
    const input = { name: 'm', main: { artifact: model('1') }, versions: { c: { weight: 10, artifact: model('2') } } };
    const targets: SynthesizeOptions[] = [
      { backend: Backend.kserve() },
      { backend: Backend.kserve(), router: Router.istio() },
      { backend: Backend.kserve({ mode: KServeMode.KNATIVE }) },
    ];
    for (const options of targets) {
      const { objects } = synthesize(input, options);
      expectServes(objects);
    }
  });

  test('onnx, tensorrt, triton and mlflow ask for the v2 protocol, the only one their runtimes speak; Triton gets shared memory', () => {
    const { objects } = synthesize({ name: 'm', main: { artifact: { type: 'model', storageUri: 's3://m/1', format: 'onnx' } } }, { backend: Backend.kserve() });
    const predictor: any = (objects[0] as any).spec.predictor;
    expect(predictor.model.protocolVersion).toBe('v2');
    expect(predictor.volumes).toEqual([{ name: 'tmp', emptyDir: {} }, { name: 'dshm', emptyDir: { medium: 'Memory' } }]);
    // without the protocol, KServe looks for a v1 runtime and finds none: the check bites
    delete predictor.model.protocolVersion;
    expect(clusterServingProblems(objects, IMAGES)).toEqual([expect.stringMatching(/no runtime found to support model format \{"name":"onnx"\} with protocol v1/)]);
  });
});

describe('KServe Knative mode', () => {
  const knative = (doc: Doc) => {
    randomOneCanary(doc);
    doc.kubernetes.backend = 'kserve';
    doc.kubernetes.kserve_mode = 'knative';
  };

  test('has no pod-level securityContext, node selector or tolerations; the container carries the restricted settings', () => {
    const { objects } = fromExample('knative.yaml', knative);
    expectServes(objects);
    const predictor = (objects[0] as any).spec.predictor;
    expect(predictor.securityContext).toBeUndefined();
    expect(predictor.nodeSelector).toBeUndefined();
    expect(predictor.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1034, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('fails when a version is on a GPU type, naming the Knative feature flags; passes once the cluster declares them', () => {
    const gpu = (doc: Doc) => {
      knative(doc);
      doc.canary.versions.a.services.Summarization.instance_type = 'gpu.t4.1';
    };
    expect(issuesOf(() => fromExample('knative-gpu.yaml', gpu))).toEqual([
      expect.stringMatching(
        /:\d+:\d+ canary\.versions\.a\.services\.Summarization\.instance_type: instance type "gpu.t4.1" places pods with a node selector and tolerations, which Knative refuses unless its feature flags kubernetes.podspec-nodeselector and kubernetes.podspec-tolerations are enabled/,
      ),
    ]);
    const { objects } = fromExample('knative-gpu-flags.yaml', (doc) => {
      gpu(doc);
      doc.kubernetes.knative_features = ['kubernetes.podspec-nodeselector', 'kubernetes.podspec-tolerations'];
    });
    const flags = { 'kubernetes.podspec-nodeselector': 'enabled', 'kubernetes.podspec-tolerations': 'enabled' } as const;
    expectServes(objects, { knativeFeatures: flags });
    expect((objects[0] as any).spec.predictor.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'Tesla-T4' });
    // without the flags the emulated Knative webhook refuses the same manifest: the check bites
    expect(clusterServingProblems(objects, IMAGES)).toEqual(expect.arrayContaining([expect.stringMatching(/nodeSelector/)]));
  });

  test('fails when the timeout is above max-revision-timeout-seconds, unless the cluster\'s limit is declared', () => {
    const slow = (doc: Doc) => {
      knative(doc);
      doc.services.Summarization.config_overrides.traffic.timeout = 900;
    };
    expect(issuesOf(() => fromExample('knative-slow.yaml', slow))).toEqual([
      expect.stringMatching(/services\.Summarization\.config_overrides\.traffic\.timeout: Knative refuses a request timeout above its max-revision-timeout-seconds \(600, the default\), got 900/),
    ]);
    const { objects } = fromExample('knative-slow-ok.yaml', (doc) => {
      slow(doc);
      doc.kubernetes.knative_max_revision_timeout_seconds = 1200;
    });
    expectServes(objects, { maxRevisionTimeoutSeconds: 1200 });
  });

  test('fails on an unknown feature flag, naming the ones that matter', () => {
    expect(issuesOf(() => fromExample('knative-flag.yaml', (doc) => {
      knative(doc);
      doc.kubernetes.knative_features = ['kubernetes.podspec-nodeselectr'];
    }))).toEqual([expect.stringMatching(/kubernetes\.knative_features\[0\]: unknown Knative feature flag "kubernetes.podspec-nodeselectr"; the flags that matter here are kubernetes.podspec-nodeselector/)]);
  });
});

describe('Seldon Core v2: every model fits the server it lands on', () => {
  test('a version on cpu.4 lands on a Server of that size; every version on its instance type\'s Server', () => {
    const { objects } = fromExample('v2.yaml', (doc) => {
      withModels(doc, 'sklearn');
      random(doc);
      doc.canary.versions.b.services = { Summarization: { instance_type: 'cpu.4' } };
    }, { backend: 'seldon-v2' });
    expectServes(objects);
    const models = objects.filter((o) => o.kind === 'Model') as any[];
    expect(models.find((m) => m.metadata.name.endsWith('-b')).spec.server).toBe('summarization-blel-mlserver-cpu-4');
    // Seldon's own agent and rclone containers start under the restricted settings too
    const pod = emulateCluster(objects).pods.find((p) => p.owner.includes('cpu-4'))!;
    for (const name of ['agent', 'rclone']) {
      const c = pod.spec.containers.find((x) => x.name === name)!;
      expect(effectiveSecurity(pod, c)).toEqual({ runAsNonRoot: true, runAsUser: 1000 });
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
  });
});

describe('container images that declare their port, health path and user, or not', () => {
  const imageVersion = (declare: boolean) => ({
    name: 'ranker',
    main: { artifact: { type: 'image', image: SERVER_IMAGE, ...(declare ? { port: 8000, readinessPath: '/healthz', user: 2000 } : {}) }, instanceType: 'cpu.2' },
    versions: { c: { weight: 10, artifact: { type: 'image', image: SERVER_IMAGE.replace('2.1', '2.2'), ...(declare ? { port: 8000, readinessPath: '/healthz', user: 2000 } : {}) } } },
  });

  test.each<[string, SynthesizeOptions]>([
    ['kserve per-version, istio', { backend: Backend.kserve(), router: Router.istio() }],
    ['kserve knative', { backend: Backend.kserve({ mode: KServeMode.KNATIVE }) }],
    ['seldon, gateway-api', { backend: Backend.seldon(), router: Router.gatewayApi() }],
    ['argo-rollouts, istio', { backend: Backend.argoRollouts(), router: Router.istio() }],
  ])('%s: a declared image serves on its port and path, as its user', (_name, options) => {
    const { objects, warnings } = synthesize(imageVersion(true), options);
    expectServes(objects);
    expect(warnings.filter((w) => w.includes('assumed'))).toEqual([]);
  });

  test('an image that declares nothing: the stated defaults (8080, TCP checks, user 1000), and validate says which were assumed', () => {
    const { objects, warnings } = synthesize(imageVersion(false), { backend: Backend.argoRollouts(), router: Router.istio() });
    const rollout: any = objects.find((o) => o.kind === 'Rollout');
    expect(rollout.spec.template.spec.containers[0]).toMatchObject({
      ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { tcpSocket: { port: 'http' } },
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
    });
    expect(warnings).toEqual(expect.arrayContaining([
      'version main: the image ghcr.io/acme/model-server:2.1 does not declare all of its port, health paths and user, so these are assumed: port 8080; TCP health checks on that port (no readiness or liveness path); user 1000; ' +
        'declare port, readiness_path, liveness_path and user with the image (in code: Artifact.image(ref, { port, readinessPath, livenessPath, user }))',
    ]));
    // a canary inheriting main's image shares its note
    const argo = { backend: Backend.argoRollouts(), router: Router.istio() };
    const inherited = synthesize({ ...imageVersion(false), versions: { c: { weight: 10 } } }, argo);
    const notes = inherited.warnings.filter((w) => w.includes('are assumed'));
    expect(notes).toEqual([expect.stringMatching(/^versions main, c: the image ghcr\.io\/acme\/model-server:2\.1 does not declare/)]);
    // an image that really listens on 8000 would not become Ready on the assumed port: the check bites
    expect(clusterServingProblems(objects, IMAGES)).toEqual(expect.arrayContaining([expect.stringMatching(/readinessProbe tcpSocket port 8080 is not one the server listens on \(8000\)/)]));
  });
});

describe('the checks bite on our own output (each rule, broken on purpose)', () => {
  const argo = () => fromExample('argo.yaml', randomOneCanary, { backend: 'argo-rollouts', router: 'istio' }).objects;
  const pod = (objects: KubeObject[]): any => (objects.find((o) => o.kind === 'Rollout') as any).spec.template.spec;

  test('the served output has no problem', () => {
    expect(clusterServingProblems(argo(), IMAGES)).toEqual([]);
  });

  test.each<[string, (p: any) => void, RegExp]>([
    ['without the numeric user, the kubelet cannot verify non-root', (p) => {
      delete p.securityContext.runAsUser;
      delete p.containers[0].securityContext.runAsUser;
    }, /non-numeric user \(bentoml\)/],
    ['without BENTOML_HOME on the scratch volume, BentoML writes to a read-only root', (p) => {
      p.containers[0].env = p.containers[0].env.filter((e: any) => e.name !== 'BENTOML_HOME');
    }, /prometheus_multiproc_dir/],
    ['with the readiness probe on the wrong port, the pod never becomes Ready', (p) => {
      p.containers[0].readinessProbe.httpGet.port = 8080;
    }, /readinessProbe httpGet port 8080 is not one the server listens on \(3000\)/],
    ['without a readiness probe, weight shifts to a server still loading', (p) => {
      delete p.containers[0].readinessProbe;
    }, /without a readinessProbe/],
    ['with requests above limits, the API server refuses the pod', (p) => {
      p.containers[0].resources.limits.cpu = '500m';
    }, /cpu/],
  ])('%s', (_name, breakIt, expected) => {
    const objects = structuredClone(argo());
    breakIt(pod(objects));
    expect(clusterServingProblems(objects, IMAGES)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  test('a route to a port the Service does not have is caught', () => {
    const objects = structuredClone(fromExample('seldon-istio.yaml', random, { backend: 'seldon', router: 'istio' }).objects);
    const vs: any = objects.find((o) => o.kind === 'VirtualService');
    vs.spec.http[vs.spec.http.length - 1].route[0].destination.port.number = 8000;
    expect(clusterServingProblems(objects, IMAGES)).toEqual(expect.arrayContaining([expect.stringMatching(/port 8000 of the Service summarization-blel-main/)]));
  });
});
