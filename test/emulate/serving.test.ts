/**
 * The generic serving checks and the Argo / routing emulation, proved rule by rule: each test starts
 * from a fixture that serves, breaks one thing, and expects exactly the problem that one thing causes
 * (and none once it is fixed).
 */
import { emulateArgo, emulateCoreObjects, POD_TEMPLATE_HASH, serviceOfHost } from '../support/emulate/argo';
import { BENTO_IMAGE, imageResolver, repositoryPath } from '../support/emulate/images';
import { parseQuantity, podStartProblems } from '../support/emulate/kubelet';
import { servingProblems } from '../support/emulate/serving';
import type { Container, EmulatedPod, Emulation, ImageBehaviour } from '../support/emulate/types';

/** A plain server image: numeric non-root user, listens on 8080, ready on /ready, writes its cache dir. */
const SERVER: ImageBehaviour = {
  source: 'test fixture',
  user: 1000,
  listens: () => [8080],
  readyPaths: ['/ready'],
  writes: () => ['/var/cache/server'],
};
/** An image without USER: the runtime runs it as root. */
const ROOTFUL: ImageBehaviour = { ...SERVER, source: 'test fixture (no USER)', user: undefined };

const images = imageResolver({
  'acme/server': SERVER,
  'acme/rootful': ROOTFUL,
  'ghcr.io/acme/fraud-bento': BENTO_IMAGE,
});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A container of SERVER that starts and serves. */
function serverContainer(over: Partial<Mutable<Container>> = {}): Container {
  return {
    name: 'server',
    image: 'registry.example.com/acme/server:1.0',
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    volumeMounts: [{ name: 'cache', mountPath: '/var/cache/server' }],
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1024Mi' } },
    ...over,
  };
}

function pod(container: Container, podOver: Partial<Mutable<EmulatedPod['spec']>> = {}): EmulatedPod {
  return {
    owner: 'Deployment fixture',
    labels: { app: 'fixture' },
    spec: { containers: [container], volumes: [{ name: 'cache', emptyDir: {} }], ...podOver },
  };
}

const SERVICE = { owner: 'Service fixture', name: 'fixture', selector: { app: 'fixture' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] };

function cluster(p: EmulatedPod, over: Partial<Mutable<Emulation>> = {}): Emulation {
  return { pods: [p], services: [SERVICE], routes: [{ owner: 'VirtualService fixture', service: 'fixture', port: 80 }], refused: [], ...over };
}

describe('the fixture serves', () => {
  test('the unbroken fixture has no problem', () => {
    expect(servingProblems(cluster(pod(serverContainer())), images)).toEqual([]);
  });
});

describe('kubelet: runAsNonRoot (pkg/kubelet/kuberuntime/security_context_others.go)', () => {
  const bento = (sc: Container['securityContext'], extra: Partial<Mutable<Container>> = {}): EmulatedPod =>
    pod({
      name: 'bento',
      image: 'ghcr.io/acme/fraud-bento:v2',
      securityContext: sc,
      ...extra,
    });

  test('an image with a non-numeric user cannot start under runAsNonRoot without runAsUser', () => {
    expect(podStartProblems(bento({ runAsNonRoot: true }), images)).toEqual([
      expect.stringContaining('non-numeric user (bentoml)'),
    ]);
    expect(podStartProblems(bento({ runAsNonRoot: true, runAsUser: 1034 }), images)).toEqual([]);
    expect(podStartProblems(bento({}), images)).toEqual([]);
  });

  test('uid 0 is refused, whether asked for or the image default', () => {
    const root = pod(serverContainer({ securityContext: { runAsNonRoot: true, runAsUser: 0, readOnlyRootFilesystem: true } }));
    expect(podStartProblems(root, images)).toEqual([
      expect.stringContaining('runAsUser 0 breaks the runAsNonRoot policy'),
    ]);
    expect(podStartProblems(pod(serverContainer({ image: 'acme/rootful:1' })), images)).toEqual([
      expect.stringContaining('image will run as root'),
    ]);
    expect(
      podStartProblems(pod(serverContainer({ image: 'acme/rootful:1', securityContext: { runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true } })), images),
    ).toEqual([]);
  });

  test('runAsUser at pod level satisfies a container; the container level overrides it', () => {
    const atPod = { securityContext: { runAsUser: 1034 } };
    expect(podStartProblems({ ...bento({ runAsNonRoot: true }), spec: { ...bento({ runAsNonRoot: true }).spec, ...atPod } }, images)).toEqual([]);
    const overridden = bento({ runAsNonRoot: true, runAsUser: 0 });
    expect(podStartProblems({ ...overridden, spec: { ...overridden.spec, ...atPod } }, images)).toEqual([
      expect.stringContaining('runAsUser 0'),
    ]);
    // runAsNonRoot set on the pod only still applies to the container.
    const podNonRoot = bento({});
    expect(podStartProblems({ ...podNonRoot, spec: { ...podNonRoot.spec, securityContext: { runAsNonRoot: true } } }, images)).toEqual([
      expect.stringContaining('non-numeric user'),
    ]);
  });
});

describe('kubelet: filesystem and API validation', () => {
  test('a read-only root fails when the image writes a path no writable volume covers', () => {
    expect(podStartProblems(pod(serverContainer({ volumeMounts: [] })), images)).toEqual([
      expect.stringContaining('writes /var/cache/server, which no writable volumeMount covers'),
    ]);
    expect(podStartProblems(pod(serverContainer({ volumeMounts: [{ name: 'cache', mountPath: '/var/cache/server', readOnly: true }] })), images)).toEqual([
      expect.stringContaining('read-only mount /var/cache/server'),
    ]);
    // A mount above the path covers it.
    expect(podStartProblems(pod(serverContainer({ volumeMounts: [{ name: 'cache', mountPath: '/var/cache' }] })), images)).toEqual([]);
    // Without readOnlyRootFilesystem the image may write its own layer.
    expect(podStartProblems(pod(serverContainer({ volumeMounts: [], securityContext: { runAsNonRoot: true } })), images)).toEqual([]);
  });

  test('a volumeMount must name a volume of the pod', () => {
    expect(podStartProblems(pod(serverContainer(), { volumes: [{ name: 'scratch', emptyDir: {} }] }), images)).toEqual([
      expect.stringContaining('volumeMount cache at /var/cache/server names no volume'),
      expect.stringContaining('no writable volumeMount covers'),
    ]);
  });

  test('requests above limits are rejected (pkg/apis/core/validation)', () => {
    const over = serverContainer({ resources: { requests: { cpu: '4' }, limits: { cpu: '1' } } });
    expect(podStartProblems(pod(over), images)).toEqual([expect.stringContaining('requests.cpu 4 must be less than or equal to the cpu limit 1')]);
    const equal = serverContainer({ resources: { requests: { cpu: '1000m', memory: '4Gi' }, limits: { cpu: '1', memory: '4096Mi' } } });
    expect(podStartProblems(pod(equal), images)).toEqual([]);
    expect([parseQuantity('500m'), parseQuantity('4Gi'), parseQuantity('1e3'), parseQuantity('1.5k'), parseQuantity('x')]).toEqual([0.5, 4 * 2 ** 30, 1000, 1500, undefined]);
  });

  test('an image the emulation does not know is a problem, so every image must be declared', () => {
    expect(podStartProblems(pod(serverContainer({ image: 'acme/unknown:1' })), images)).toEqual([
      expect.stringContaining('does not know the image acme/unknown:1'),
    ]);
  });
});

describe('serving: probes and ports', () => {
  test('a readiness probe on a port the server does not listen on', () => {
    const wrongPort = serverContainer({ readinessProbe: { httpGet: { path: '/ready', port: 9090 } } });
    expect(servingProblems(cluster(pod(wrongPort)), images)).toEqual([expect.stringContaining('readinessProbe httpGet port 9090 is not one the server listens on')]);
    const unknownName = serverContainer({ readinessProbe: { tcpSocket: { port: 'metrics' } } });
    expect(servingProblems(cluster(pod(unknownName)), images)).toEqual([expect.stringContaining('port metrics names none of the container')]);
    expect(servingProblems(cluster(pod(serverContainer({ readinessProbe: { tcpSocket: { port: 8080 } } }))), images)).toEqual([]);
  });

  test('a readiness probe on a path the server does not answer', () => {
    const wrongPath = serverContainer({ readinessProbe: { httpGet: { path: '/healthz', port: 'http' } } });
    expect(servingProblems(cluster(pod(wrongPath)), images)).toEqual([expect.stringContaining('httpGet path /healthz is not a health path')]);
    const noPath = serverContainer({ readinessProbe: { httpGet: { port: 'http' } } });
    expect(servingProblems(cluster(pod(noPath)), images)).toEqual([expect.stringContaining('httpGet path / is not a health path')]);
  });

  test('liveness probes follow the same rules', () => {
    const c = serverContainer({ livenessProbe: { httpGet: { path: '/ready', port: 8081 } } });
    expect(servingProblems(cluster(pod(c)), images)).toEqual([expect.stringContaining('livenessProbe httpGet port 8081')]);
  });

  test('a server without a readiness probe counts as ready too early', () => {
    const c = serverContainer({ readinessProbe: undefined });
    expect(servingProblems(cluster(pod(c)), images)).toEqual([expect.stringContaining('without a readinessProbe')]);
  });

  test('a listening port must be declared', () => {
    const c = serverContainer({ ports: [], readinessProbe: { tcpSocket: { port: 8080 } } });
    expect(servingProblems(cluster(pod(c), { services: [{ ...SERVICE, ports: [{ port: 80, targetPort: 8080 }] }] }), images)).toEqual([
      expect.stringContaining('listens on 8080 but does not declare it'),
    ]);
  });
});

describe('serving: Services and routes', () => {
  test('a Service targetPort name missing in the pod', () => {
    const svc = { ...SERVICE, ports: [{ name: 'http', port: 80, targetPort: 'grpc' }] };
    expect(servingProblems(cluster(pod(serverContainer()), { services: [svc] }), images)).toEqual([
      expect.stringContaining('targetPort grpc names no port of the selected pod'),
    ]);
    const numeric = { ...SERVICE, ports: [{ port: 80, targetPort: 3000 }] };
    expect(servingProblems(cluster(pod(serverContainer()), { services: [numeric] }), images)).toEqual([expect.stringContaining('targets 3000')]);
    const defaulted = { ...SERVICE, ports: [{ port: 8080 }] };
    expect(servingProblems(cluster(pod(serverContainer()), { services: [defaulted], routes: [] }), images)).toEqual([]);
  });

  test('a Service whose selector selects no pod', () => {
    const svc = { ...SERVICE, selector: { app: 'other' } };
    expect(servingProblems(cluster(pod(serverContainer()), { services: [svc] }), images)).toEqual([expect.stringContaining('selects no pod')]);
  });

  test('routes to a missing Service or a wrong port (VirtualService and HTTPRoute)', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'fixture' },
      spec: { selector: { app: 'fixture' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    };
    const vs = (host: string, port: number) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'vs' },
      spec: { hosts: ['fixture'], http: [{ name: 'primary', route: [{ destination: { host, port: { number: port } }, weight: 100 }] }] },
    });
    const run = (objects: unknown[]) => servingProblems({ ...emulateCoreObjects(objects), pods: [pod(serverContainer())] }, images);

    expect(run([service, vs('fixture.ml.svc.cluster.local', 80)])).toEqual([]);
    expect(run([service, vs('missing', 80)])).toEqual([expect.stringContaining('VirtualService vs (http primary): sends traffic to the Service missing, which does not exist')]);
    expect(run([service, vs('fixture', 8080)])).toEqual([expect.stringContaining('port 8080 of the Service fixture, which has 80')]);

    const route = (backend: string, port: number, parent?: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'rt' },
      spec: {
        parentRefs: [parent ? { group: '', kind: 'Service', name: parent, port: 80 } : { name: 'gw' }],
        rules: [{ backendRefs: [{ name: backend, port, weight: 90 }] }],
      },
    });
    expect(run([service, route('fixture', 80)])).toEqual([]);
    expect(run([service, route('fixture', 81)])).toEqual([expect.stringContaining('HTTPRoute rt (rule 0): sends traffic to port 81')]);
    // GAMMA: the route attaches to a Service, which must exist too.
    expect(run([service, route('fixture', 80, 'fixture')])).toEqual([]);
    expect(run([service, route('fixture', 80, 'gone')])).toEqual([
      expect.stringContaining('HTTPRoute rt (parentRef: attached to Service gone): sends traffic to the Service gone'),
    ]);
  });

  test('Istio host names resolve to Services in the cluster only', () => {
    expect(['a', 'a.ns', 'a.ns.svc', 'a.ns.svc.cluster.local', 'api.example.com'].map(serviceOfHost)).toEqual(['a', 'a', 'a', 'a', undefined]);
  });
});

describe('images', () => {
  test('an image reference matches by repository path, ignoring registry, tag and digest', () => {
    expect(repositoryPath('ghcr.io/acme/fraud:v2')).toBe('acme/fraud');
    expect(repositoryPath('localhost:5000/acme/fraud@sha256:abc')).toBe('acme/fraud');
    expect(repositoryPath('docker.io/library/python:3.12')).toBe('python');
    expect(images('acme/fraud-bento')).toBe(BENTO_IMAGE);
    expect(images('acme/fraud-bento-v2')).toBeUndefined();
    const withFallback = imageResolver({}, images);
    expect(withFallback('acme/server:9')).toBe(SERVER);
  });

  test('BentoML listens on --port, then $PORT, then $BENTOML_PORT, then 3000', () => {
    const c = (over: Partial<Mutable<Container>>): Container => ({ name: 'b', ...over });
    expect(BENTO_IMAGE.listens(c({}))).toEqual([3000]);
    expect(BENTO_IMAGE.listens(c({ env: [{ name: 'BENTOML_PORT', value: '8000' }] }))).toEqual([8000]);
    expect(BENTO_IMAGE.listens(c({ env: [{ name: 'BENTOML_PORT', value: '8000' }, { name: 'PORT', value: '9000' }] }))).toEqual([9000]);
    expect(BENTO_IMAGE.listens(c({ args: ['--port', '7000'], env: [{ name: 'PORT', value: '9000' }] }))).toEqual([7000]);
  });

  test('BentoML writes under BENTOML_HOME and the temp dir, as its env says', () => {
    expect(BENTO_IMAGE.writes({ name: 'b' })).toEqual([
      '/home/bentoml/bentos', '/home/bentoml/models', '/home/bentoml/envs', '/home/bentoml/tmp',
      '/home/bentoml/prometheus_multiproc_dir', '/tmp', '/home/bentoml/client_id',
    ]);
    const redirected = BENTO_IMAGE.writes({
      name: 'b',
      env: [{ name: 'BENTOML_HOME', value: '/scratch/bentoml/' }, { name: 'TMPDIR', value: '/scratch/tmp' }, { name: 'BENTOML_DO_NOT_TRACK', value: 'True' }],
    });
    expect(redirected).toEqual([
      '/scratch/bentoml/bentos', '/scratch/bentoml/models', '/scratch/bentoml/envs', '/scratch/bentoml/tmp',
      '/scratch/bentoml/prometheus_multiproc_dir', '/scratch/tmp',
    ]);
  });
});

describe('Argo Rollouts with a bento', () => {
  const labels = { 'app.kubernetes.io/name': 'fraud-detector' };
  const meta = (name: string) => ({ name, namespace: 'ml', labels });
  const svc = (name: string, selector: Record<string, string> = labels) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name),
    spec: { selector, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] },
  });

  /** The container as a hardened manifest first renders it: /tmp only, no runAsUser, no probe. */
  const naive: Container = {
    name: 'server',
    image: 'ghcr.io/acme/fraud-bento:v2',
    ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
    resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } },
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  /** The same container with the redirects BentoML's source calls for. */
  const fixed: Container = {
    ...naive,
    env: [{ name: 'BENTOML_HOME', value: '/var/lib/bentoml' }],
    securityContext: { ...naive.securityContext, runAsUser: 1034, runAsGroup: 1034 },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'bentoml-home', mountPath: '/var/lib/bentoml' }],
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
    livenessProbe: { httpGet: { path: '/livez', port: 'http' } },
  };

  type ManifestOptions = { volumes?: unknown[]; stableSelector?: Record<string, string>; canarySubset?: string };
  function manifests(container: Container, options: ManifestOptions = {}): unknown[] {
    return [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: meta('fraud-detector'),
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          strategy: {
            canary: {
              canaryService: 'fraud-detector-canary',
              stableService: 'fraud-detector-stable',
              steps: [{ setWeight: 5 }],
              trafficRouting: {
                istio: {
                  virtualService: { name: 'fraud-detector', routes: ['primary'] },
                  destinationRule: { name: 'fraud-detector', canarySubsetName: 'canary', stableSubsetName: 'stable' },
                },
              },
            },
          },
          template: {
            metadata: { labels: { ...labels, version: 'v2' } },
            spec: {
              securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [container],
              volumes: options.volumes ?? [{ name: 'tmp', emptyDir: {} }, { name: 'bentoml-home', emptyDir: {} }],
            },
          },
        },
      },
      svc('fraud-detector'),
      svc('fraud-detector-stable', options.stableSelector),
      svc('fraud-detector-canary'),
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: meta('fraud-detector'),
        spec: {
          hosts: ['fraud-detector'],
          http: [{
            name: 'primary',
            route: [
              { destination: { host: 'fraud-detector', port: { number: 80 }, subset: 'stable' }, weight: 100 },
              { destination: { host: 'fraud-detector', port: { number: 80 }, subset: options.canarySubset ?? 'canary' }, weight: 0 },
            ],
          }],
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: meta('fraud-detector'),
        spec: { host: 'fraud-detector', subsets: [{ name: 'stable', labels }, { name: 'canary', labels }] },
      },
    ];
  }

  test('Argo adds the pod-template-hash to the pod, the Services it names and the DestinationRule subsets', () => {
    const e = emulateArgo(manifests(fixed));
    expect(e.pods).toHaveLength(1);
    const hash = e.pods[0].labels[POD_TEMPLATE_HASH];
    expect(hash).toMatch(/^[0-9a-f]{10}$/);
    expect(e.pods[0].version).toBe('v2');
    const selectors = Object.fromEntries(e.services.map((s) => [s.name, s.selector]));
    expect(selectors['fraud-detector-canary']).toEqual({ ...labels, [POD_TEMPLATE_HASH]: hash });
    expect(selectors['fraud-detector-stable']).toEqual({ ...labels, [POD_TEMPLATE_HASH]: hash });
    expect(selectors['fraud-detector']).toEqual(labels);
    expect(selectors['fraud-detector/canary']).toEqual({ ...labels, [POD_TEMPLATE_HASH]: hash });
    expect(e.routes.map((r) => [r.service, r.port, r.subset, r.weight])).toEqual([
      ['fraud-detector', 80, 'stable', 100],
      ['fraud-detector', 80, 'canary', 0],
    ]);
    expect(e.refused).toEqual([]);
  });

  test('the naive bento pod does not start and is not gated on readiness; the redirected one serves', () => {
    expect(servingProblems(emulateArgo(manifests(naive)), images)).toEqual([
      expect.stringContaining('non-numeric user (bentoml)'),
      expect.stringContaining('writes /home/bentoml/bentos'),
      expect.stringContaining('writes /home/bentoml/models'),
      expect.stringContaining('writes /home/bentoml/envs'),
      expect.stringContaining('writes /home/bentoml/tmp'),
      expect.stringContaining('writes /home/bentoml/prometheus_multiproc_dir'),
      expect.stringContaining('writes /home/bentoml/client_id'),
      expect.stringContaining('without a readinessProbe'),
    ]);
    expect(servingProblems(emulateArgo(manifests(fixed)), images)).toEqual([]);
  });

  test('an emptyDir over /home/bentoml makes BENTOML_HOME writable but hides the bento', () => {
    const overHome: Container = {
      ...fixed,
      env: [],
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'bentoml-home', mountPath: '/home/bentoml' }],
    };
    expect(servingProblems(emulateArgo(manifests(overHome)), images)).toEqual([
      expect.stringContaining('the volumeMount at /home/bentoml hides /home/bentoml/bento'),
    ]);
  });

  test('Argo refuses a Service whose selector the template does not carry', () => {
    const e = emulateArgo(manifests(fixed, { stableSelector: { ...labels, tier: 'gold' } }));
    expect(e.refused).toEqual(['Rollout fraud-detector: Service "fraud-detector-stable" has unmatch label "tier" in rollout (InvalidSpec)']);
  });

  test('a route to a subset no DestinationRule defines, and Argo missing its canary subset in the route', () => {
    expect(servingProblems(emulateArgo(manifests(fixed, { canarySubset: 'preview' })), images)).toEqual([
      expect.stringContaining("Canary DestinationRule subset 'canary' not found in route primary"),
      expect.stringContaining('routes to subset preview of fraud-detector, which no DestinationRule defines'),
    ]);
  });
});
