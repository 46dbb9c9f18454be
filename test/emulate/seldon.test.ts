/**
 * Each rule of the Seldon emulation, shown by a pair of hand-written inputs:
 * one that triggers the rule (the emulation shows it) and one fixed (it does not).
 * Fixtures are plain objects; nothing here depends on src rendering.
 */
import type { KubeObject } from '../../src/backends';
import {
  emulateSeldon,
  emulateSeldonV2,
  mergeServerPodSpec,
  parseQuantity,
  resolveSeldonImage,
  SELDON_IMAGES,
  SELDON_V2_SERVER_CONFIGS,
  seldonImageKey,
  seldonIstioObjects,
  seldonVirtualServiceName,
} from '../support/emulate/seldon';
import type { Container, EmulatedPod, Emulation } from '../support/emulate/types';

type Obj = Record<string, any>;

function sdep(name: string, predictors: Obj[], extra: Obj = {}): KubeObject {
  return {
    apiVersion: 'machinelearning.seldon.io/v1',
    kind: 'SeldonDeployment',
    metadata: { name, namespace: 'ml' },
    spec: { predictors, ...extra },
  };
}

function predictor(name: string, node: Obj, opts: Obj = {}): Obj {
  const { podSecurityContext, ...rest } = opts;
  return {
    name,
    traffic: 100,
    graph: { name: node.name, type: 'MODEL' },
    componentSpecs: [{ spec: { containers: [node], ...(podSecurityContext ? { securityContext: podSecurityContext } : {}) } }],
    ...rest,
  };
}

const bento = (ports?: Obj[]): Obj => ({ name: 'model', image: 'ghcr.io/acme/fraud-bento:1.2', ...(ports ? { ports } : {}) });

function container(e: Emulation, name: string): Container {
  for (const p of e.pods) {
    const c = p.spec.containers.find((x) => x.name === name);
    if (c) return c;
  }
  throw new Error(`no container ${name} in ${e.pods.map((p) => p.spec.containers.map((c) => c.name)).join(';')}`);
}

function podWith(e: Emulation, name: string): EmulatedPod {
  const p = e.pods.find((x) => x.spec.containers.some((c) => c.name === name));
  if (!p) throw new Error(`no pod with ${name}`);
  return p;
}

const env = (c: Container, name: string) => c.env?.find((x) => x.name === name)?.value;

describe('Seldon Core v1: pod securityContext', () => {
  test('the operator puts runAsUser 8888 on a pod with no securityContext', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento())])]);
    expect(e.refused).toEqual([]);
    expect(podWith(e, 'model').spec.securityContext).toEqual({ runAsUser: 8888 });
  });

  test('a pod securityContext without runAsUser replaces the 8888 default', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento(), { podSecurityContext: { fsGroup: 2000, runAsNonRoot: true } })])]);
    expect(podWith(e, 'model').spec.securityContext).toEqual({ fsGroup: 2000, runAsNonRoot: true });
    expect(podWith(e, 'model').spec.securityContext?.runAsUser).toBeUndefined();
  });

  test('with DEFAULT_USER_ID unset there is no default at all', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento())])], { defaultUserId: null });
    expect(podWith(e, 'model').spec.securityContext).toBeUndefined();
  });

  test('the executor container runs as EXECUTOR_CONTAINER_USER without privilege escalation', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento())])]);
    expect(container(e, 'seldon-container-engine').securityContext).toEqual({ runAsUser: 8888, allowPrivilegeEscalation: false });
    const unset = emulateSeldon([sdep('fraud', [predictor('main', bento())])], { executorUser: null });
    expect(container(unset, 'seldon-container-engine').securityContext).toBeUndefined();
  });
});

describe('Seldon Core v1: ports and probes of a graph container', () => {
  test('a container without a port named http gets httpPort 9000 and TCP probes on 9000', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento([{ name: 'web', containerPort: 3000 }]))])]);
    const c = container(e, 'model');
    expect(c.readinessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
    expect(c.livenessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
    expect(c.ports).toEqual(expect.arrayContaining([
      { name: 'web', containerPort: 3000 },
      { name: 'http', containerPort: 9000, protocol: 'TCP' },
      { name: 'grpc', containerPort: 9500, protocol: 'TCP' },
      { name: 'metrics', containerPort: 6000, protocol: 'TCP' },
    ]));
    expect(env(c, 'PREDICTIVE_UNIT_HTTP_SERVICE_PORT')).toBe('9000');
    expect(env(c, 'PREDICTIVE_UNIT_SERVICE_PORT')).toBe('9000');
    const svc = e.services.find((s) => s.name === 'fraud-main-model')!;
    expect(svc.ports[0]).toEqual({ name: 'http', port: 9000, targetPort: 9000 });
  });

  test('a port named http is taken as is: probes and Service follow it', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento([{ name: 'http', containerPort: 3000 }]))])]);
    const c = container(e, 'model');
    expect(c.readinessProbe).toMatchObject({ tcpSocket: { port: 3000 } });
    expect(c.ports?.filter((p) => p.name === 'http')).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(e.services.find((s) => s.name === 'fraud-main-model')!.ports[0]).toEqual({ name: 'http', port: 3000, targetPort: 3000 });
  });

  test('probes the user wrote are kept', () => {
    const own = { ...bento([{ name: 'web', containerPort: 3000 }]), readinessProbe: { httpGet: { path: '/readyz', port: 3000 } } };
    const c = container(emulateSeldon([sdep('fraud', [predictor('main', own)])]), 'model');
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/readyz', port: 3000 } });
    expect(c.livenessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
  });

  test('a grpc graph is probed on the grpc port', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento())], { transport: 'grpc' })]);
    expect(container(e, 'model').readinessProbe).toMatchObject({ tcpSocket: { port: 9500 } });
  });

  test('port numbers are allocated per container name across predictors', () => {
    const two = (a: string, b: string) => sdep('fraud', [
      { ...predictor('main', { name: a, image: 'x' }), traffic: 90 },
      { ...predictor('canary', { name: b, image: 'y' }), traffic: 10 },
    ]);
    const differ = emulateSeldon([two('main', 'canary')]);
    expect(container(differ, 'canary').readinessProbe).toMatchObject({ tcpSocket: { port: 9001 } });
    const same = emulateSeldon([two('model', 'model')]);
    expect(same.pods.map((p) => p.spec.containers.find((c) => c.name === 'model')!.readinessProbe)).toEqual([
      expect.objectContaining({ tcpSocket: { port: 9000 } }),
      expect.objectContaining({ tcpSocket: { port: 9000 } }),
    ]);
  });

  test('SetEnvVar quirk: a container that already sets PREDICTIVE_UNIT_HTTP_SERVICE_PORT loses its other env', () => {
    const withPort = { ...bento(), env: [{ name: 'PREDICTIVE_UNIT_HTTP_SERVICE_PORT', value: '3000' }, { name: 'BENTOML_PORT', value: '3000' }] };
    const c = container(emulateSeldon([sdep('fraud', [predictor('main', withPort)])]), 'model');
    expect(env(c, 'BENTOML_PORT')).toBeUndefined();
    expect(env(c, 'PREDICTIVE_UNIT_HTTP_SERVICE_PORT')).toBeUndefined();
    const without = { ...bento(), env: [{ name: 'BENTOML_PORT', value: '3000' }] };
    const kept = container(emulateSeldon([sdep('fraud', [predictor('main', without)])]), 'model');
    expect(env(kept, 'BENTOML_PORT')).toBe('3000');
    expect(env(kept, 'PREDICTIVE_UNIT_HTTP_SERVICE_PORT')).toBe('9000');
  });
});

describe('Seldon Core v1: Services and engine', () => {
  test('with the engine the predictor Service is {sdep}-{predictor} on 8000 -> 8000', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento())])]);
    const svc = e.services.find((s) => s.name === 'fraud-main')!;
    expect(svc.ports).toEqual([{ name: 'http', port: 8000, targetPort: 8000 }, { name: 'grpc', port: 5001, targetPort: 5001 }]);
    expect(svc.selector).toEqual({ 'seldon-app': 'fraud-main' });
    expect(podWith(e, 'model').labels['seldon-app']).toBe('fraud-main');
    expect(container(e, 'seldon-container-engine').readinessProbe).toMatchObject({ httpGet: { path: '/ready', port: 8000 } });
  });

  test('with seldon.io/no-engine the predictor Service points at the container port and there is no executor', () => {
    const p = predictor('main', bento([{ name: 'http', containerPort: 3000 }]), { annotations: { 'seldon.io/no-engine': 'true' } });
    const e = emulateSeldon([sdep('fraud', [p])]);
    expect(e.services.find((s) => s.name === 'fraud-main')!.ports[0]).toEqual({ name: 'http', port: 3000, targetPort: 3000 });
    expect(e.pods.flatMap((x) => x.spec.containers.map((c) => c.name))).toEqual(['model']);
    const unnamed = emulateSeldon([sdep('fraud', [predictor('main', bento([{ containerPort: 3000 }]), { annotations: { 'seldon.io/no-engine': 'true' } })])]);
    expect(unnamed.services.find((s) => s.name === 'fraud-main')!.ports[0]).toEqual({ name: 'http', port: 9000, targetPort: 9000 });
  });

  test('the container Service selects seldon-app-svc-{container}', () => {
    const e = emulateSeldon([sdep('fraud', [predictor('main', bento())])]);
    expect(e.services.find((s) => s.name === 'fraud-main-model')!.selector).toEqual({ 'seldon-app-svc-model': 'fraud-main-model' });
    expect(podWith(e, 'model').labels).toMatchObject({ 'seldon-app-svc-model': 'fraud-main-model', 'version': 'main' });
  });
});

describe('Seldon Core v1: Istio', () => {
  const canary = () => sdep('fraud', [
    { ...predictor('main', { name: 'main', image: 'x' }), traffic: 90 },
    { ...predictor('canary', { name: 'canary', image: 'y' }), traffic: 10 },
  ]);

  test('the operator owns a VirtualService named after the SeldonDeployment', () => {
    expect(seldonVirtualServiceName('fraud')).toBe('fraud');
    expect(seldonIstioObjects([canary()])).toEqual({ virtualServices: ['fraud'], destinationRules: ['fraud-main', 'fraud-canary'] });
  });

  test('weighted routes to {sdep}-{predictor} on the engine port, subset = predictor', () => {
    const e = emulateSeldon([canary()]);
    expect(e.routes.filter((r) => r.owner.includes('http'))).toEqual([
      { owner: 'VirtualService fraud (Seldon operator, http route)', service: 'fraud-main', port: 8000, weight: 90, subset: 'main' },
      { owner: 'VirtualService fraud (Seldon operator, http route)', service: 'fraud-canary', port: 8000, weight: 10, subset: 'canary' },
    ]);
    expect(emulateSeldon([canary()], { istio: false }).routes).toEqual([]);
  });

  test('a shadow predictor is a mirror, not a weighted route', () => {
    const e = emulateSeldon([sdep('fraud', [
      predictor('main', { name: 'main', image: 'x' }),
      { ...predictor('shadow', { name: 'shadow', image: 'y' }), traffic: 0, shadow: true },
    ])]);
    expect(e.refused).toEqual([]);
    expect(e.routes.find((r) => r.subset === 'shadow')!.owner).toContain('mirror');
    expect(podWith(e, 'shadow').labels['seldon.io/shadow']).toBe('true');
  });

  test('our VirtualService must not take the name the operator owns', () => {
    const ours = (name: string): KubeObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name } });
    expect(emulateSeldon([canary(), ours('fraud')]).refused).toEqual([expect.stringContaining('VirtualService fraud')]);
    expect(emulateSeldon([canary(), ours('fraud-canary-split')]).refused).toEqual([]);
  });
});

describe('Seldon Core v1: prepackaged servers', () => {
  const sk = (protocol?: string) => sdep('iris', [{
    name: 'main',
    traffic: 100,
    graph: { name: 'classifier', implementation: 'SKLEARN_SERVER', modelUri: 'gs://seldon-models/sklearn/iris' },
  }], protocol ? { protocol } : {});

  test('SKLEARN_SERVER (seldon protocol): python wrapper image, rclone init container without securityContext, /mnt/models emptyDir', () => {
    const e = emulateSeldon([sk()]);
    expect(e.refused).toEqual([]);
    const c = container(e, 'classifier');
    expect(c.image).toBe('seldonio/sklearnserver:1.19.0-dev');
    expect(c.readinessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'classifier-provision-location', mountPath: '/mnt/models', readOnly: true }]));
    const pod = podWith(e, 'classifier');
    expect(pod.spec.initContainers).toEqual([expect.objectContaining({
      name: 'classifier-model-initializer',
      image: 'seldonio/rclone-storage-initializer:1.19.0-dev',
      args: ['gs://seldon-models/sklearn/iris', '/mnt/models'],
    })]);
    expect(pod.spec.initContainers![0].securityContext).toBeUndefined();
    expect(pod.spec.volumes).toEqual(expect.arrayContaining([{ name: 'classifier-provision-location', emptyDir: {} }]));
    expect(pod.spec.securityContext).toEqual({ runAsUser: 8888 });
  });

  test('SKLEARN_SERVER with protocol v2: MLServer image, HTTP probes on the http port, ports replaced', () => {
    const c = container(emulateSeldon([sk('v2')]), 'classifier');
    expect(c.image).toBe('seldonio/mlserver:1.7.1-sklearn');
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/v2/health/ready', port: 'http' } });
    expect(c.ports).toEqual([
      { name: 'grpc', containerPort: 9500, protocol: 'TCP' },
      { name: 'http', containerPort: 9000, protocol: 'TCP' },
    ]);
    expect(env(c, 'MLSERVER_HTTP_PORT')).toBe('9000');
  });

  test('TENSORFLOW_SERVER (seldon protocol) adds a tfserving container that gets the model', () => {
    const e = emulateSeldon([sdep('tf', [{ name: 'main', traffic: 100, graph: { name: 'm', implementation: 'TENSORFLOW_SERVER', modelUri: 'gs://b/m' } }])]);
    expect(container(e, 'm').image).toBe('seldonio/tfserving-proxy:1.19.0-dev');
    expect(container(e, 'tfserving')).toMatchObject({ image: 'tensorflow/serving:2.1.0', args: expect.arrayContaining(['--port=2000', '--rest_api_port=2001']) });
    expect(e.services.map((s) => s.name)).not.toContain('tf-main-tfserving');
    expect(podWith(e, 'm').spec.initContainers![0].name).toBe('tfserving-model-initializer');
  });

  test('TRITON_SERVER keeps the TCP probes the container Service added first', () => {
    const e = emulateSeldon([sdep('t', [{ name: 'main', traffic: 100, graph: { name: 'm', implementation: 'TRITON_SERVER', modelUri: 'gs://b/m' } }], { protocol: 'v2' })]);
    const c = container(e, 'm');
    expect(c.image).toBe('nvcr.io/nvidia/tritonserver:21.08-py3');
    expect(c.args).toEqual(expect.arrayContaining(['--http-port=9000', '--grpc-port=9500', '--model-repository=/mnt/models']));
    expect(c.readinessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
  });
});

describe('Seldon Core v1: webhook', () => {
  test('no-engine is refused for a graph with more than one node', () => {
    const two: Obj = { ...predictor('main', { name: 'a', image: 'x' }), annotations: { 'seldon.io/no-engine': 'true' } };
    two.graph = { name: 'a', type: 'MODEL', children: [{ name: 'b', type: 'MODEL' }] };
    two.componentSpecs[0].spec.containers.push({ name: 'b', image: 'y' });
    const e = emulateSeldon([sdep('fraud', [two])]);
    expect(e.refused).toEqual([expect.stringContaining('Running without engine only valid for single element graphs')]);
    expect(e.pods).toEqual([]);
    two.graph.children = [];
    expect(emulateSeldon([sdep('fraud', [two])]).refused).toEqual([]);
  });

  test('traffic of several predictors must sum to 100', () => {
    const mk = (b: number) => sdep('fraud', [
      { ...predictor('main', { name: 'main', image: 'x' }), traffic: 90 },
      { ...predictor('canary', { name: 'canary', image: 'y' }), traffic: b },
    ]);
    expect(emulateSeldon([mk(5)]).refused).toEqual([expect.stringContaining('Traffic must sum to 100')]);
    expect(emulateSeldon([mk(10)]).refused).toEqual([]);
  });

  test('a graph node without implementation needs a container of its name', () => {
    const p = predictor('main', { name: 'other', image: 'x' });
    p.graph = { name: 'model', type: 'MODEL' };
    expect(emulateSeldon([sdep('fraud', [p])]).refused).toEqual([expect.stringContaining("Can't find container for Predictive Unit")]);
  });

  test('a prepackaged server needs modelUri', () => {
    const e = emulateSeldon([sdep('iris', [{ name: 'main', graph: { name: 'c', implementation: 'SKLEARN_SERVER' } }])]);
    expect(e.refused).toEqual([expect.stringContaining('modelUri required')]);
  });
});

describe('Seldon Core v2: Server pod = ServerConfig merged with podSpec', () => {
  const server = (podSpec?: Obj, extra: Obj = {}): KubeObject => ({
    apiVersion: 'mlops.seldon.io/v1alpha1',
    kind: 'Server',
    metadata: { name: 'fraud-mlserver' },
    spec: { serverConfig: 'mlserver', ...(podSpec ? { podSpec } : {}), ...extra },
  });

  test('rclone and agent keep no securityContext unless the override names them', () => {
    const plain = emulateSeldonV2([server({ containers: [{ name: 'mlserver', securityContext: { readOnlyRootFilesystem: true } }] })]);
    expect(container(plain, 'rclone').securityContext).toBeUndefined();
    expect(container(plain, 'agent').securityContext).toBeUndefined();
    expect(container(plain, 'mlserver').securityContext).toEqual({ readOnlyRootFilesystem: true });
    const named = emulateSeldonV2([server({ containers: [{ name: 'agent', securityContext: { allowPrivilegeEscalation: false } }] })]);
    expect(container(named, 'agent').securityContext).toEqual({ allowPrivilegeEscalation: false });
    expect(container(named, 'rclone').securityContext).toBeUndefined();
  });

  test('the pod securityContext is merged field by field; an empty value does not override', () => {
    const e = emulateSeldonV2([server({ securityContext: { runAsUser: 2000, runAsNonRoot: false } })]);
    expect(e.pods[0].spec.securityContext).toEqual({ fsGroup: 1000, runAsUser: 2000, runAsGroup: 1000, runAsNonRoot: true });
    expect(emulateSeldonV2([server()]).pods[0].spec.securityContext)
      .toEqual({ fsGroup: 1000, runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
  });

  test('env, ports and volumeMounts are appended, resources merged key by key', () => {
    const e = emulateSeldonV2([server({ containers: [{ name: 'mlserver', env: [{ name: 'MLSERVER_PARALLEL_WORKERS', value: '4' }], resources: { requests: { memory: '4Gi' } } }] })]);
    const c = container(e, 'mlserver');
    expect(c.env!.filter((x) => x.name === 'MLSERVER_PARALLEL_WORKERS').map((x) => x.value)).toEqual(['1', '4']);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '4Gi' }, limits: { memory: '1Gi' } });
    expect(e.pods[0].spec.containers.map((x) => x.name)).toEqual(['mlserver', 'rclone', 'agent']);
  });

  test('mergeServerPodSpec: unknown container names are added', () => {
    const merged = mergeServerPodSpec(SELDON_V2_SERVER_CONFIGS.mlserver, { containers: [{ name: 'sidecar', image: 'busybox' }] });
    expect(merged.containers.map((c: Obj) => c.name)).toEqual(['sidecar', 'rclone', 'agent', 'mlserver']);
  });

  test('one headless Service per replica, http 9000 -> the agent port named http', () => {
    const e = emulateSeldonV2([server(undefined, { replicas: 2 })]);
    expect(e.services.map((s) => s.name)).toEqual(['fraud-mlserver-0', 'fraud-mlserver-1']);
    expect(e.services[0].ports[0]).toEqual({ name: 'http', port: 9000, targetPort: 'http' });
    expect(container(e, 'agent').ports).toEqual(expect.arrayContaining([{ name: 'http', containerPort: 9001, protocol: 'TCP' }]));
  });

  test('a Server naming an unknown ServerConfig gets no pod', () => {
    const e = emulateSeldonV2([{ ...server(), spec: { serverConfig: 'bentoml' } } as KubeObject]);
    expect(e.refused).toEqual([expect.stringContaining('ServerConfig bentoml not found')]);
    expect(e.pods).toEqual([]);
  });
});

describe('Seldon Core v2: scheduling a Model', () => {
  const model = (spec: Obj): KubeObject => ({
    apiVersion: 'mlops.seldon.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'fraud' },
    spec: { storageUri: 'gs://b/fraud', requirements: ['sklearn'], ...spec },
  });

  test('a Model with memory 8Gi does not fit the shared mlserver Server (1Gi + 10% overcommit)', () => {
    expect(emulateSeldonV2([model({ memory: '8Gi' })]).refused).toEqual([expect.stringContaining('no matching server had enough suitable replicas')]);
    expect(emulateSeldonV2([model({ memory: '512Mi' })]).refused).toEqual([]);
    // 1.1Gi fits (overcommit), 1.2Gi does not
    expect(emulateSeldonV2([model({ memory: '1100Mi' })]).refused).toEqual([]);
    expect(emulateSeldonV2([model({ memory: '1200Mi' })]).refused).toHaveLength(1);
  });

  test('the fix: a Server whose server container requests enough memory', () => {
    const big: KubeObject = {
      apiVersion: 'mlops.seldon.io/v1alpha1',
      kind: 'Server',
      metadata: { name: 'big' },
      spec: { serverConfig: 'mlserver', podSpec: { containers: [{ name: 'mlserver', resources: { requests: { memory: '10Gi' }, limits: { memory: '10Gi' } } }] } },
    };
    expect(emulateSeldonV2([big, model({ memory: '8Gi', server: 'big' })]).refused).toEqual([]);
    expect(emulateSeldonV2([big, model({ memory: '8Gi', server: 'mlserver' })]).refused).toHaveLength(1);
  });

  test('models on one replica share its memory', () => {
    const two = [model({ memory: '600Mi', server: 'mlserver' }), { ...model({ memory: '600Mi', server: 'mlserver' }), metadata: { name: 'fraud-2' } } as KubeObject];
    expect(emulateSeldonV2(two).refused).toEqual([expect.stringContaining('Model fraud-2')]);
  });

  test('a Model naming a server that does not exist is refused; a default one is fine', () => {
    expect(emulateSeldonV2([model({ server: 'fraud-mlserver' })]).refused).toEqual([expect.stringContaining('names server fraud-mlserver')]);
    expect(emulateSeldonV2([model({ server: 'mlserver' })]).refused).toEqual([]);
    expect(emulateSeldonV2([model({ server: 'mlserver' })], { defaultServers: false }).refused).toHaveLength(1);
  });

  test('requirements must be among the server capabilities', () => {
    expect(emulateSeldonV2([model({ server: 'triton' })]).refused).toEqual([expect.stringContaining('no matching servers are available')]);
    expect(emulateSeldonV2([model({ server: 'triton', requirements: ['onnx'] })]).refused).toEqual([]);
  });

  test('more model replicas than server replicas cannot be placed', () => {
    expect(emulateSeldonV2([model({ replicas: 2 })]).refused).toHaveLength(1);
    expect(emulateSeldonV2([model({ replicas: 1 })]).refused).toEqual([]);
  });
});

describe('Seldon Core v2: Experiment', () => {
  const exp = (spec: Obj): KubeObject => ({ apiVersion: 'mlops.seldon.io/v1alpha1', kind: 'Experiment', metadata: { name: 'fraud-canary' }, spec });

  test('candidates become weighted routes behind seldon-mesh, relative weights', () => {
    const e = emulateSeldonV2([exp({ default: 'fraud-a', candidates: [{ name: 'fraud-a', weight: 3 }, { name: 'fraud-b', weight: 1 }] })]);
    expect(e.routes.map((r) => [r.subset, r.weight])).toEqual([['fraud-a', 75], ['fraud-b', 25]]);
  });

  test('default must be a candidate', () => {
    expect(emulateSeldonV2([exp({ default: 'fraud-c', candidates: [{ name: 'fraud-a', weight: 50 }] })]).refused).toEqual([expect.stringContaining('not a candidate')]);
  });
});

describe('Seldon images', () => {
  test('users and ports from the Dockerfiles and servers', () => {
    expect(seldonImageKey('docker.io/seldonio/mlserver:1.7.1-sklearn')).toBe('seldonio/mlserver');
    expect(resolveSeldonImage('seldonio/sklearnserver:1.19.0-dev')!.user).toBe(8888);
    expect(resolveSeldonImage('nvcr.io/nvidia/tritonserver:23.03-py3')!.user).toBeUndefined();
    expect(SELDON_IMAGES['seldonio/seldon-agent'].user).toBeUndefined();
    expect(SELDON_IMAGES['seldonio/seldon-rclone'].user).toBe(1000);
    expect(resolveSeldonImage('ghcr.io/acme/fraud-bento:1.2')).toBeUndefined();
  });

  test('the v2 triton container listens where its $(VAR) args say', () => {
    const e = emulateSeldonV2([{ apiVersion: 'mlops.seldon.io/v1alpha1', kind: 'Server', metadata: { name: 't' }, spec: { serverConfig: 'triton' } }]);
    const c = container(e, 'triton');
    expect(resolveSeldonImage(c.image!)!.listens(c)).toEqual([9000, 9500, 8002]);
  });

  test('MLServer writes its metrics dir under /opt/mlserver unless redirected', () => {
    const m = SELDON_IMAGES['seldonio/mlserver'];
    expect(m.writes({ name: 'm' })).toContain('/opt/mlserver/.metrics');
    expect(m.writes({ name: 'm', env: [{ name: 'MLSERVER_METRICS_DIR', value: '/tmp/metrics' }] })).toContain('/tmp/metrics');
    expect(m.listens({ name: 'm', env: [{ name: 'MLSERVER_HTTP_PORT', value: '9000' }] })[0]).toBe(9000);
  });

  test('the v1 wrapper listens on PREDICTIVE_UNIT_HTTP_SERVICE_PORT the operator sets', () => {
    const c = container(emulateSeldon([sdep('iris', [{ name: 'main', graph: { name: 'c', implementation: 'SKLEARN_SERVER', modelUri: 'gs://b/m' } }])]), 'c');
    expect(resolveSeldonImage(c.image!)!.listens(c)).toEqual([9000, 9500, 6000]);
  });

  test('quantities', () => {
    expect(parseQuantity('8Gi')).toBe(8 * 2 ** 30);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
  });
});
