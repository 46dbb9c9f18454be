/**
 * Emulation of the Seldon Core operators: what Seldon Core v1
 * (machinelearning.seldon.io/v1 SeldonDeployment) and Seldon Core v2
 * (mlops.seldon.io/v1alpha1 Server / Model / Experiment) make of our objects.
 *
 * Written in our own words from the upstream source, read at
 *   SeldonIO/seldon-core `master` @ 7c3973a6 (v1, operator/ and helm-charts/seldon-core-operator/)
 *   SeldonIO/seldon-core `v2`     @ 7b77f8b7 (v2, operator/, scheduler/, k8s/)
 *   SeldonIO/MLServer             @ a325e523
 * Each rule names the upstream file it follows. Nothing here is copied code.
 * The facts behind it are summarised in /tmp/facts/seldon.md at writing time.
 */
import { createHash } from 'crypto';
import { parseQuantity } from './kubelet';
import type {
  Container,
  EmulatedPod,
  EmulatedRoute,
  EmulatedService,
  Emulation,
  ImageBehaviour,
  ImageResolver,
  PodSpec,
} from './types';
import type { KubeObject } from '../../../src/backends';

type Obj = Record<string, any>;

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

// ---------------------------------------------------------------------------
// Seldon Core v1: configuration the operator is installed with
// ---------------------------------------------------------------------------

/** How the v1 operator is installed (the helm chart's values, or overrides). */
export interface SeldonV1Options {
  /**
   * DEFAULT_USER_ID of the manager; helm `defaultUserID: "8888"`. `null`: unset (OpenShift style).
   * helm-charts/seldon-core-operator/values.yaml, operator/controllers/security.go
   */
  readonly defaultUserId?: number | null;
  /** EXECUTOR_CONTAINER_USER; helm `executor.user: 8888`. `null`: unset. operator/controllers/seldondeployment_engine.go */
  readonly executorUser?: number | null;
  /** ISTIO_ENABLED of the manager. Default true (that is what our Seldon backend targets). */
  readonly istio?: boolean;
  /** Namespace the SeldonDeployment lands in when metadata.namespace is unset. */
  readonly namespace?: string;
}

/** Defaults of the helm chart helm-charts/seldon-core-operator/values.yaml (master). */
export const SELDON_V1_DEFAULTS = {
  defaultUserId: 8888,
  executorUser: 8888,
  executorImage: 'docker.io/seldonio/seldon-core-executor:1.19.0-dev',
  // operator/controllers/seldondeployment_controller.go DEFAULT_ENGINE_CONTAINER_PORT / DEFAULT_ENGINE_GRPC_PORT
  engineHttpPort: 8000,
  engineGrpcPort: 5001,
  // operator/constants/constants.go FirstHttpPortNumber / FirstGrpcPortNumber / FirstMetricsPortNumber
  firstHttpPort: 9000,
  firstGrpcPort: 9500,
  firstMetricsPort: 6000,
  storageInitializerImage: 'seldonio/rclone-storage-initializer:1.19.0-dev',
  modelMountPath: '/mnt/models',
  podinfoVolume: 'seldon-podinfo',
  podinfoPath: '/etc/podinfo',
  engineContainerName: 'seldon-container-engine',
  tfServingContainerName: 'tfserving',
} as const;

/**
 * The `predictor_servers` entry of seldon-config, per server and protocol: image and default tag.
 * helm-charts/seldon-core-operator/values.yaml (predictor_servers)
 */
export const SELDON_V1_PREDICTOR_SERVERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  MLFLOW_SERVER: { seldon: 'seldonio/mlflowserver:1.19.0-dev', v2: 'seldonio/mlserver:1.7.1-mlflow' },
  SKLEARN_SERVER: { seldon: 'seldonio/sklearnserver:1.19.0-dev', v2: 'seldonio/mlserver:1.7.1-sklearn' },
  TENSORFLOW_SERVER: { seldon: 'seldonio/tfserving-proxy:1.19.0-dev', tensorflow: 'tensorflow/serving:2.1.0' },
  XGBOOST_SERVER: { seldon: 'seldonio/xgboostserver:1.19.0-dev', v2: 'seldonio/mlserver:1.7.1-xgboost' },
  TRITON_SERVER: { v2: 'nvcr.io/nvidia/tritonserver:21.08-py3' },
  HUGGINGFACE_SERVER: { v2: 'seldonio/mlserver:1.7.1-huggingface' },
  TEMPO_SERVER: { v2: 'seldonio/mlserver:1.7.1-slim' },
};

// operator/apis/machinelearning.seldon.io/v1/prepack.go IsPrepack: these built-ins need no container.
const BUILT_IN_IMPLEMENTATIONS = ['SIMPLE_MODEL', 'SIMPLE_ROUTER', 'RANDOM_ABTEST', 'AVERAGE_COMBINER', 'UNKNOWN_IMPLEMENTATION'];

function isPrepack(pu: Obj): boolean {
  const impl: string | undefined = pu.implementation;
  return impl !== undefined && impl.length > 0 && !BUILT_IN_IMPLEMENTATIONS.includes(impl);
}

// operator/apis/machinelearning.seldon.io/v1/prepack.go PrepackImageName: empty protocol means seldon;
// v2 and kfserving stand in for each other.
function prepackImage(impl: string, protocol: string | undefined): string {
  const cfg = SELDON_V1_PREDICTOR_SERVERS[impl];
  if (!cfg) return '';
  const proto = protocol || 'seldon';
  let image = cfg[proto];
  if (image === undefined && proto === 'v2') image = cfg.kfserving;
  if (image === undefined && proto === 'kfserving') image = cfg.v2;
  return image ?? '';
}

/** md5-free stand-in for the upstream `seldon-<md5>` names (the exact hash does not matter to checks). */
function limitName(name: string): string {
  // seldondeployment_types.go GetSeldonDeploymentName / GetPredictorKey / GetContainerServiceName:
  // longer than 63 characters -> "seldon-" + md5(name)
  if (name.length <= 63) return name;
  return `seldon-${createHash('md5').update(name).digest('hex')}`;
}

/** Name of the VirtualService the v1 operator owns for a SeldonDeployment (it is the sdep's name). */
export function seldonVirtualServiceName(sdepName: string): string {
  // operator/controllers/seldondeployment_controller.go createIstioResources: Name: seldonId (GetSeldonDeploymentName)
  return limitName(sdepName);
}

/** Name of the predictor Service (and the DestinationRule) for a predictor. */
export function seldonPredictorServiceName(sdep: Obj, predictor: Obj): string {
  // seldondeployment_types.go GetPredictorKey: annotation seldon.io/svc-name wins, else {sdep}-{predictor}
  const custom = predictor.annotations?.['seldon.io/svc-name'];
  if (custom !== undefined) return custom;
  return limitName(`${sdep.metadata.name}-${predictor.name}`);
}

/** The Istio objects the v1 operator writes (and overwrites if they exist) for the SeldonDeployments given. */
export function seldonIstioObjects(objects: readonly KubeObject[]): { virtualServices: string[]; destinationRules: string[] } {
  const virtualServices: string[] = [];
  const destinationRules: string[] = [];
  for (const o of objects) {
    if (o.apiVersion !== 'machinelearning.seldon.io/v1' || o.kind !== 'SeldonDeployment') continue;
    const sdep = o as Obj;
    virtualServices.push(seldonVirtualServiceName(sdep.metadata.name));
    for (const p of sdep.spec?.predictors ?? []) destinationRules.push(seldonPredictorServiceName(sdep, p));
  }
  return { virtualServices, destinationRules };
}

// ---------------------------------------------------------------------------
// v1 webhook (operator/apis/machinelearning.seldon.io/v1/seldondeployment_webhook.go)
// ---------------------------------------------------------------------------

function graphNodes(pu: Obj): Obj[] {
  return [pu, ...(pu.children ?? []).flatMap((c: Obj) => graphNodes(c))];
}

function containerFor(p: Obj, name: string): Obj | undefined {
  for (const cs of p.componentSpecs ?? []) {
    for (const c of cs?.spec?.containers ?? []) if (c.name === name) return c;
  }
  return undefined;
}

function validateV1(sdep: Obj): string[] {
  const out: string[] = [];
  const name = `SeldonDeployment ${sdep.metadata?.name}`;
  const spec: Obj = sdep.spec ?? {};
  const file = 'operator/apis/machinelearning.seldon.io/v1/seldondeployment_webhook.go';
  const refuse = (fn: string, msg: string) => out.push(`${name}: ${msg} (${file} ${fn})`);
  // ValidateSeldonDeployment: enum-like fields
  if (spec.protocol && !['seldon', 'tensorflow', 'kfserving', 'v2'].includes(spec.protocol)) refuse('ValidateSeldonDeployment', `Invalid protocol ${spec.protocol}`);
  if (spec.transport && !['rest', 'grpc'].includes(spec.transport)) refuse('ValidateSeldonDeployment', `Invalid transport ${spec.transport}`);
  if (spec.serverType && !['rpc', 'kafka'].includes(spec.serverType)) refuse('ValidateSeldonDeployment', `Invalid serverType ${spec.serverType}`);
  const predictors: Obj[] = spec.predictors ?? [];
  // validateKafka
  if (spec.serverType === 'kafka') {
    for (const p of predictors) {
      const envs: string[] = (p.svcOrchSpec?.env ?? []).map((e: Obj) => e.name);
      const found = ['KAFKA_BROKER', 'KAFKA_INPUT_TOPIC', 'KAFKA_OUTPUT_TOPIC'].filter((k) => envs.includes(k)).length;
      if (found < 3) refuse('validateKafka', `predictor ${p.name}: For kafka please supply svcOrchSpec envs KAFKA_BROKER, KAFKA_INPUT_TOPIC, KAFKA_OUTPUT_TOPIC`);
    }
  }
  // validateShadow
  if (predictors.length === 1 && predictors[0].shadow) refuse('validateShadow', `predictor ${predictors[0].name}: Shadow can not exist as only predictor`);
  // validateSvcNameAnnotations
  const svcNames = new Set<string>();
  for (const p of predictors) {
    const a = p.annotations?.['seldon.io/svc-name'];
    if (a === undefined) continue;
    if (svcNames.has(a)) refuse('validateSvcNameAnnotations', `predictor ${p.name}: Found duplicate service name in seldon.io/svc-name with value ${a}`);
    svcNames.add(a);
  }
  if (predictors.length === 0) refuse('ValidateSeldonDeployment', 'Graph contains no predictors');
  const names = new Set<string>();
  const transports = new Set<string>();
  for (const p of predictors) {
    const nodes = p.graph ? graphNodes(p.graph) : [];
    for (const n of nodes) if (n.endpoint?.type) transports.add(n.endpoint.type);
    // the annotation's presence counts, whatever its value
    if (p.annotations && 'seldon.io/no-engine' in p.annotations && nodes.length > 1) {
      refuse('ValidateSeldonDeployment', `predictor ${p.name}: Running without engine only valid for single element graphs`);
    }
    if (names.has(p.name)) refuse('ValidateSeldonDeployment', `predictor ${p.name}: Duplicate predictor name`);
    names.add(p.name);
    // checkPredictiveUnits
    for (const pu of nodes) {
      const impl: string | undefined = pu.implementation;
      if (impl === undefined || impl === 'UNKNOWN_IMPLEMENTATION') {
        if (!containerFor(p, pu.name)) refuse('checkPredictiveUnits', `graph node ${pu.name}: Can't find container for Predictive Unit`);
        if (pu.type === 'UNKNOWN_TYPE' && !(pu.methods?.length > 0)) refuse('checkPredictiveUnits', `graph node ${pu.name}: Predictive Unit has no implementation methods defined`);
      } else if (isPrepack(pu)) {
        if (!pu.modelUri && impl !== 'HUGGINGFACE_SERVER') refuse('checkPredictiveUnits', `graph node ${pu.name}: Predictive unit modelUri required when using standalone servers`);
        if (spec.protocol === 'tensorflow' && ['SKLEARN_SERVER', 'XGBOOST_SERVER', 'MLFLOW_SERVER', 'HUGGINGFACE_SERVER'].includes(impl)) {
          refuse('checkPredictiveUnits', `graph node ${pu.name}: Prepackaged server does not handle tensorflow protocol ${impl}`);
        }
        const c = containerFor(p, pu.name);
        if ((!c || !c.image) && !SELDON_V1_PREDICTOR_SERVERS[impl]) refuse('checkPredictiveUnits', `graph node ${pu.name}: No entry in predictors map for ${impl}`);
      }
      if (pu.logger && !pu.logger.mode) refuse('checkPredictiveUnits', `graph node ${pu.name}: No logger mode specified`);
    }
  }
  if (transports.size > 1) {refuse('ValidateSeldonDeployment', 'Multiple endpoint.types found - can only have 1 type in graph');} else if (transports.size === 1 && spec.transport) {
    const t = [...transports][0];
    if ((t === 'REST' && spec.transport !== 'rest') || (t === 'GRPC' && spec.transport !== 'grpc')) {
      refuse('ValidateSeldonDeployment', 'Mixed transport types found. Remove graph endpoint.types if transport set at deployment level');
    }
  }
  // checkTraffic
  let sum = 0;
  let shadows = 0;
  for (const p of predictors) {
    const t = p.traffic ?? 0;
    if (p.shadow) {
      shadows += 1;
      if (shadows > 1) refuse('checkTraffic', `predictor ${p.name}: Multiple shadows are not allowed`);
      if (t < 0 || t > 100) refuse('checkTraffic', `predictor ${p.name}: shadow traffic is illegal, the traffic number should be between [0, 100]`);
    } else {
      sum += t;
    }
  }
  if (sum !== 100 && predictors.length - shadows > 1) refuse('checkTraffic', 'Traffic must sum to 100 for multiple predictors');
  if (sum > 0 && sum < 100 && predictors.length === 1) refuse('checkTraffic', 'Traffic must sum be 100 for a single predictor when set');
  return out;
}

// ---------------------------------------------------------------------------
// v1 defaulting and reconcile
// ---------------------------------------------------------------------------

function getPort(c: Obj, name: string): Obj | undefined {
  return (c.ports ?? []).find((p: Obj) => p.name === name);
}

/**
 * operator/utils/utils.go SetEnvVar, including its quirk: when the variable exists and
 * override is false, it hands back nothing, so the caller's list is emptied.
 */
function setEnvVar(env: Obj[] | undefined, v: Obj, override: boolean): Obj[] | undefined {
  const list = env ?? [];
  let index = -1;
  list.forEach((e, i) => {
    if (e.name === v.name) index = i;
  });
  if (index >= 0 && override) return [...list.slice(0, index), v, ...list.slice(index + 1)];
  if (index < 0) return [...list, v];
  return undefined;
}

interface Endpoint {
  httpPort: number;
  grpcPort: number;
  serviceHost: string;
  type?: string;
}

interface V1Deployment {
  name: string;
  predictor: Obj;
  spec: Obj;
  labels: Record<string, string>;
  separateEngine?: boolean;
}

function emulateOneSdep(sdepIn: Obj, opts: SeldonV1Options): Emulation {
  const sdep = clone(sdepIn);
  const sdepName: string = sdep.metadata.name;
  const namespace: string = sdep.metadata.namespace ?? opts.namespace ?? 'default';
  const spec: Obj = sdep.spec;
  const protocol: string | undefined = spec.protocol;
  const transportGrpc = spec.transport === 'grpc';
  const defaultUser = opts.defaultUserId === undefined ? SELDON_V1_DEFAULTS.defaultUserId : opts.defaultUserId;
  const executorUser = opts.executorUser === undefined ? SELDON_V1_DEFAULTS.executorUser : opts.executorUser;
  const istio = opts.istio ?? true;
  const separateEngine = String(spec.annotations?.['seldon.io/engine-separate-pod'] ?? '').toLowerCase() === 'true';
  // operator/controllers/security.go createSecurityContext
  const podSecurityContext = defaultUser === null ? undefined : { runAsUser: defaultUser };

  const pods: EmulatedPod[] = [];
  const services: EmulatedService[] = [];
  const routes: EmulatedRoute[] = [];
  const refused: string[] = [];

  // ---- defaulting: apis/machinelearning.seldon.io/v1/defaults.go DefaultSeldonDeployment
  let nextHttp = SELDON_V1_DEFAULTS.firstHttpPort;
  let nextGrpc = SELDON_V1_DEFAULTS.firstGrpcPort;
  let nextMetrics = SELDON_V1_DEFAULTS.firstMetricsPort;
  const httpMap = new Map<string, number>();
  const grpcMap = new Map<string, number>();
  const allocate = (name: string): [number, number] => {
    // getUpdatePortNumMap: one number per container NAME, shared by every predictor
    if (!httpMap.has(name)) httpMap.set(name, nextHttp++);
    if (!grpcMap.has(name)) grpcMap.set(name, nextGrpc++);
    return [httpMap.get(name)!, grpcMap.get(name)!];
  };
  const endpoints = new Map<Obj, Map<string, Endpoint>>(); // predictor -> pu name -> endpoint

  const setContainerDefaults = (compIdx: number, http: number, grpc: number, p: Obj, pu: Obj, con: Obj, ep: Map<string, Endpoint>) => {
    // defaults.go setContainerPredictiveUnitDefaults
    // a port NAMED http / grpc wins over the allocated number; any other port is ignored
    const named = getPort(con, 'http');
    if (named) http = named.containerPort;
    const namedGrpc = getPort(con, 'grpc');
    if (namedGrpc) grpc = namedGrpc.containerPort;
    con.volumeMounts = con.volumeMounts ?? [];
    if (!con.volumeMounts.some((m: Obj) => m.name === SELDON_V1_DEFAULTS.podinfoVolume)) {
      con.volumeMounts.push({ name: SELDON_V1_DEFAULTS.podinfoVolume, mountPath: SELDON_V1_DEFAULTS.podinfoPath });
    }
    // addMetricsPortAndIncrement: a port named `metrics`, numbered from 6000, one per graph container
    if (!getPort(con, 'metrics')) {
      con.ports = [...(con.ports ?? []), { name: 'metrics', containerPort: nextMetrics, protocol: 'TCP' }];
      nextMetrics++;
    }
    const serviceHost = compIdx === 0 && !separateEngine
      ? 'localhost'
      : `${limitName(`${sdepName}-${p.name}-${con.name}`)}.${namespace}.svc.cluster.local`;
    ep.set(pu.name, { httpPort: http, grpcPort: grpc, serviceHost, type: pu.endpoint?.type });
  };

  for (const p of spec.predictors as Obj[]) {
    p.labels = p.labels ?? {};
    if (p.labels.version === undefined) p.labels.version = p.name; // version label defaults to the predictor name
    const ep = new Map<string, Endpoint>();
    endpoints.set(p, ep);
    const nodes = graphNodes(p.graph);
    for (const pu of nodes) {
      // addDefaultsToGraph
      if (pu.type === undefined && pu.methods === undefined && pu.implementation === undefined) pu.type = 'MODEL';
      if (pu.implementation === undefined) pu.implementation = 'UNKNOWN_IMPLEMENTATION';
      else if (isPrepack(pu)) pu.type = 'MODEL';
    }
    p.componentSpecs = p.componentSpecs ?? [];
    (p.componentSpecs as Obj[]).forEach((cs, j) => {
      for (const con of cs?.spec?.containers ?? []) {
        const [h, g] = allocate(con.name);
        const pu = nodes.find((n) => n.name === con.name);
        if (pu) setContainerDefaults(j, h, g, p, pu, con, ep);
      }
    });
    for (const pu of nodes) {
      if (!isPrepack(pu)) continue;
      let con = containerFor(p, pu.name);
      const compIdx = Math.max(0, (p.componentSpecs as Obj[]).findIndex((cs) => (cs?.spec?.containers ?? []).some((c: Obj) => c.name === pu.name)));
      const existing = con !== undefined;
      if (!con) con = { name: pu.name, volumeMounts: [{ name: SELDON_V1_DEFAULTS.podinfoVolume, mountPath: SELDON_V1_DEFAULTS.podinfoPath }] };
      const [h, g] = allocate(pu.name);
      setContainerDefaults(compIdx, h, g, p, pu, con, ep);
      // only non-tensorflow graphs get the image default here
      if (protocol !== 'tensorflow' && !con.image) con.image = prepackImage(pu.implementation, protocol);
      if (!existing) {
        if (p.componentSpecs.length > 0) {
          p.componentSpecs[0].spec = p.componentSpecs[0].spec ?? {};
          p.componentSpecs[0].spec.containers = [...(p.componentSpecs[0].spec.containers ?? []), con];
        } else {
          p.componentSpecs = [{ spec: { containers: [con] } }];
        }
      }
    }
  }

  // ---- reconcile: operator/controllers/seldondeployment_controller.go createComponents
  const externalPorts: ({ http: number; grpc: number } | undefined)[] = [];
  const deployments: V1Deployment[] = [];

  const newDeployment = (name: string, p: Obj, cs: Obj): V1Deployment => {
    // createDeploymentWithoutEngine
    const podSpec: Obj = clone(cs.spec ?? {});
    podSpec.containers = podSpec.containers ?? [];
    // the default uid goes on only when the pod has no securityContext at all
    if (podSpec.securityContext === undefined && podSecurityContext) podSpec.securityContext = { ...podSecurityContext };
    podSpec.volumes = podSpec.volumes ?? [];
    if (!podSpec.volumes.some((v: Obj) => v.name === SELDON_V1_DEFAULTS.podinfoVolume)) {
      podSpec.volumes.push({ name: SELDON_V1_DEFAULTS.podinfoVolume, downwardAPI: { items: [{ path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }] } });
    }
    const labels: Record<string, string> = { 'seldon-deployment-id': limitName(sdepName), 'app': name, 'fluentd': 'true' };
    if (p.shadow) labels['seldon.io/shadow'] = 'true';
    Object.assign(labels, p.labels ?? {}, cs.metadata?.labels ?? {});
    return { name, predictor: p, spec: podSpec, labels };
  };

  const containerService = (d: V1Deployment, p: Obj, con: Obj, ep: Endpoint): EmulatedService => {
    // createContainerService
    const svcName = limitName(`${sdepName}-${p.name}-${con.name}`);
    const key = `seldon-app-svc-${con.name}`;
    d.labels[key] = svcName;
    if (!getPort(con, 'http') || !con.ports) con.ports = [...(con.ports ?? []), { name: 'http', containerPort: ep.httpPort, protocol: 'TCP' }];
    if (!getPort(con, 'grpc')) con.ports = [...con.ports, { name: 'grpc', containerPort: ep.grpcPort, protocol: 'TCP' }];
    const grpc = transportGrpc || ep.type === 'GRPC';
    const probePort = grpc ? ep.grpcPort : ep.httpPort;
    // probes only when absent: TCP on the http port (grpc port for grpc graphs)
    const tcp = { tcpSocket: { port: probePort }, periodSeconds: 5, successThreshold: 1, failureThreshold: 3, timeoutSeconds: 1 };
    if (!con.livenessProbe) con.livenessProbe = { ...tcp, initialDelaySeconds: 60 };
    if (!con.readinessProbe) con.readinessProbe = { ...tcp, initialDelaySeconds: 20 };
    if (!con.lifecycle) con.lifecycle = { preStop: { exec: { command: ['/bin/sh', '-c', '/bin/sleep 10'] } } };
    if (!(con.env ?? []).some((e: Obj) => e.name === 'PREDICTIVE_UNIT_SERVICE_PORT')) {
      con.env = [...(con.env ?? []), { name: 'PREDICTIVE_UNIT_SERVICE_PORT', value: String(probePort) }];
    }
    // addPortEnvs (SetEnvVar without override, with its quirk)
    for (const n of ['PREDICTIVE_UNIT_HTTP_SERVICE_PORT', 'MLSERVER_HTTP_PORT']) con.env = setEnvVar(con.env, { name: n, value: String(ep.httpPort) }, false);
    for (const n of ['PREDICTIVE_UNIT_GRPC_SERVICE_PORT', 'MLSERVER_GRPC_PORT']) con.env = setEnvVar(con.env, { name: n, value: String(ep.grpcPort) }, false);
    const pu = graphNodes(p.graph).find((n) => n.name === con.name)!;
    // addModelEnvs
    if (pu.parameters?.length > 0) con.env = setEnvVar(con.env, { name: 'PREDICTIVE_UNIT_PARAMETERS', value: JSON.stringify(pu.parameters) }, false);
    if (pu.modelUri) con.env = setEnvVar(con.env, { name: 'MLSERVER_MODEL_URI', value: SELDON_V1_DEFAULTS.modelMountPath }, false);
    const sortedLabels = Object.fromEntries(Object.entries(p.labels ?? {}).sort(([a], [b]) => a.localeCompare(b)));
    con.env = [
      ...(con.env ?? []),
      { name: 'PREDICTIVE_UNIT_ID', value: con.name },
      { name: 'MLSERVER_MODEL_NAME', value: con.name },
      { name: 'PREDICTIVE_UNIT_IMAGE', value: con.image ?? '' },
      { name: 'PREDICTOR_ID', value: p.name },
      { name: 'PREDICTOR_LABELS', value: JSON.stringify(sortedLabels) },
      { name: 'SELDON_DEPLOYMENT_ID', value: sdepName },
      { name: 'SELDON_EXECUTOR_ENABLED', value: 'true' },
    ];
    const metrics = getPort(con, 'metrics');
    if (metrics) {
      con.env.push(
        { name: 'PREDICTIVE_UNIT_METRICS_SERVICE_PORT', value: String(metrics.containerPort) },
        { name: 'PREDICTIVE_UNIT_METRICS_ENDPOINT', value: '/prometheus' },
        { name: 'MLSERVER_METRICS_PORT', value: String(metrics.containerPort) },
        { name: 'MLSERVER_METRICS_ENDPOINT', value: '/prometheus' },
      );
    }
    return {
      owner: `SeldonDeployment ${sdepName} (predictor ${p.name}, container ${con.name})`,
      name: svcName,
      selector: { [key]: svcName },
      ports: [
        { name: 'http', port: ep.httpPort, targetPort: ep.httpPort },
        { name: 'grpc', port: ep.grpcPort, targetPort: ep.grpcPort },
      ],
    };
  };

  const injectInitializer = (d: V1Deployment, containerName: string, uri: string | undefined, image: string | undefined) => {
    // operator/controllers/model_initializer_injector.go InjectModelInitializer
    if (!uri) return;
    const user = (d.spec.containers as Obj[]).find((c) => c.name === containerName);
    if (!user) {
      refused.push(`SeldonDeployment ${sdepName}: Invalid configuration: cannot find container: ${containerName} (operator/controllers/model_initializer_injector.go)`);
      return;
    }
    const volName = `${user.name}-provision-location`.slice(0, 63).replace(/-$/, '');
    const initName = `${user.name}-model-initializer`.slice(0, 63).replace(/-$/, '');
    const addMount = (c: Obj, name: string, path: string) => {
      c.volumeMounts = c.volumeMounts ?? [];
      if (!c.volumeMounts.some((m: Obj) => m.name === name)) c.volumeMounts.push({ name, mountPath: path, readOnly: true });
    };
    d.spec.initContainers = d.spec.initContainers ?? [];
    if ((d.spec.initContainers as Obj[]).some((c) => c.name === initName)) {
      addMount(user, volName, SELDON_V1_DEFAULTS.modelMountPath);
      return;
    }
    const initMounts: Obj[] = [];
    let src = uri;
    if (uri.startsWith('pvc://')) {
      const rest = uri.slice('pvc://'.length);
      const slash = rest.indexOf('/');
      const claim = slash < 0 ? rest : rest.slice(0, slash);
      const path = slash < 0 ? '' : rest.slice(slash + 1);
      d.spec.volumes.push({ name: 'kfserving-pvc-source', persistentVolumeClaim: { claimName: claim } });
      initMounts.push({ name: 'kfserving-pvc-source', mountPath: '/mnt/pvc', readOnly: true });
      addMount(user, 'kfserving-pvc-source', '/mnt/pvc');
      src = `/mnt/pvc/${path}`;
    }
    d.spec.volumes.push({ name: volName, emptyDir: {} });
    initMounts.push({ name: volName, mountPath: SELDON_V1_DEFAULTS.modelMountPath, readOnly: false });
    addMount(user, volName, SELDON_V1_DEFAULTS.modelMountPath);
    // no securityContext on the init container: it runs as the pod's / image's user
    d.spec.initContainers.push({
      name: initName,
      image: image || SELDON_V1_DEFAULTS.storageInitializerImage,
      args: [src, SELDON_V1_DEFAULTS.modelMountPath],
      volumeMounts: initMounts,
      resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    });
  };

  (spec.predictors as Obj[]).forEach((p, i) => {
    const ep = endpoints.get(p)!;
    const noEngine = String(p.annotations?.['seldon.io/no-engine'] ?? '').toLowerCase() === 'true';
    const pSvcName = seldonPredictorServiceName(sdep, p);
    const before = deployments.length;
    if (separateEngine && !noEngine) {
      // createEngineDeployment: its own pod, whose securityContext is always the default one
      const d: V1Deployment = { name: limitName(`${sdepName}-${p.name}-svc-orch`), predictor: p, spec: { containers: [], volumes: [] }, labels: { 'seldon-app': pSvcName, 'seldon-deployment-id': limitName(sdepName), ...(p.labels ?? {}) }, separateEngine: true };
      if (podSecurityContext) d.spec.securityContext = { ...podSecurityContext };
      d.spec.containers.push(executorContainer(sdep, p, executorUser));
      deployments.push(d);
    }
    (p.componentSpecs as Obj[]).forEach((cs, j) => {
      if (!(cs?.spec?.containers?.length > 0)) return;
      const depName = limitName(`${sdepName}-${p.name}-${j}-${cs.metadata?.name || cs.spec.containers.map((c: Obj) => c.name).join('-')}`);
      const d = newDeployment(depName, p, cs);
      for (const con of d.spec.containers as Obj[]) {
        if (con.name === SELDON_V1_DEFAULTS.engineContainerName || con.name === SELDON_V1_DEFAULTS.tfServingContainerName) continue;
        const e = ep.get(con.name);
        if (!e) continue; // only graph nodes get a Service
        const svc = containerService(d, p, con, e);
        services.push(svc);
        if (noEngine) {
          d.labels['seldon-app'] = pSvcName;
          externalPorts[i] = { http: svc.ports[0].port, grpc: svc.ports[1].port };
          // createPredictorService with the container's ports instead of the engine's
          services.push({
            owner: `SeldonDeployment ${sdepName} (predictor ${p.name}, no engine)`,
            name: pSvcName,
            selector: { 'seldon-app': pSvcName },
            ports: [
              { name: 'http', port: svc.ports[0].port, targetPort: svc.ports[0].port },
              { name: 'grpc', port: svc.ports[1].port, targetPort: svc.ports[1].port },
            ],
          });
        }
      }
      deployments.push(d);
    });

    // seldondeployment_prepackaged_servers.go addModelServersAndInitContainers
    const findDeploymentFor = (puName: string): V1Deployment | undefined => {
      const idx = Math.max(0, (p.componentSpecs as Obj[]).findIndex((cs) => (cs?.spec?.containers ?? []).some((c: Obj) => c.name === puName)));
      const cs = p.componentSpecs[idx];
      const depName = limitName(`${sdepName}-${p.name}-${idx}-${cs.metadata?.name || cs.spec.containers.map((c: Obj) => c.name).join('-')}`);
      return deployments.slice(before).find((d) => d.name === depName);
    };
    for (const pu of graphNodes(p.graph)) {
      const d = findDeploymentFor(pu.name);
      if (!d) continue;
      const e = ep.get(pu.name);
      const c = (d.spec.containers as Obj[]).find((x) => x.name === pu.name);
      if (isPrepack(pu) && e && c) {
        if (pu.serviceAccountName) d.spec.serviceAccountName = pu.serviceAccountName;
        const impl: string = pu.implementation;
        if (impl === 'TENSORFLOW_SERVER') {
          let tf: Obj | undefined;
          if (protocol === 'tensorflow') {
            tf = c;
          } else {
            c.image = prepackImage(impl, protocol);
            // SetUriParamsForTFServingProxyContainer
            const params: Obj[] = [...(pu.parameters ?? [])];
            if (!params.some((x) => x.name === 'rest_endpoint' || x.name === 'grpc_endpoint')) {
              params.push({ name: 'rest_endpoint', type: 'STRING', value: 'http://0.0.0.0:2001' }, { name: 'grpc_endpoint', type: 'STRING', value: '0.0.0.0:2000' });
            }
            params.push({ name: 'model_name', type: 'STRING', value: pu.name });
            c.env = setEnvVar(c.env, { name: 'PREDICTIVE_UNIT_PARAMETERS', value: JSON.stringify(params) }, true);
            tf = (d.spec.containers as Obj[]).find((x) => x.name === SELDON_V1_DEFAULTS.tfServingContainerName);
          }
          const tfProto = protocol === 'tensorflow';
          const grpcPort = tfProto ? e.grpcPort : 2000;
          const restPort = tfProto ? e.httpPort : 2001;
          const proto = {
            name: tfProto ? pu.name : SELDON_V1_DEFAULTS.tfServingContainerName,
            image: prepackImage(impl, 'tensorflow'),
            args: [`--port=${grpcPort}`, `--rest_api_port=${restPort}`, `--model_name=${pu.name}`, `--model_base_path=${SELDON_V1_DEFAULTS.modelMountPath}`],
            ports: [{ containerPort: grpcPort, protocol: 'TCP' }, { containerPort: restPort, protocol: 'TCP' }],
          };
          if (!tf) {
            tf = proto;
            d.spec.containers.push(tf);
          } else {
            if (!tf.image) tf.image = proto.image;
            if (!(tf.args?.length > 0)) tf.args = proto.args;
            if (!(tf.ports?.length > 0)) tf.ports = proto.ports;
          }
          injectInitializer(d, tf.name, pu.modelUri, pu.storageInitializerImage);
        } else if (impl === 'TRITON_SERVER') {
          // addTritonServer
          const noStorage = String(spec.annotations?.['seldon.io/no-storage-initializer'] ?? '').toLowerCase() === 'true';
          const args = ['/opt/tritonserver/bin/tritonserver', `--grpc-port=${e.grpcPort}`, `--http-port=${e.httpPort}`];
          if (!noStorage) args.push(`--model-repository=${SELDON_V1_DEFAULTS.modelMountPath}`, '--strict-model-config=false');
          else args.push(`--model-repository=${pu.modelUri}`);
          if (!c.image) c.image = prepackImage(impl, protocol);
          if (!c.args) c.args = args;
          if (!c.readinessProbe) c.readinessProbe = { httpGet: { path: '/v2/health/ready', port: 'http' } };
          if (!c.livenessProbe) c.livenessProbe = { httpGet: { path: '/v2/health/live', port: 'http' } };
          c.ports = [
            { name: 'grpc', containerPort: e.grpcPort, protocol: 'TCP' },
            { name: 'http', containerPort: e.httpPort, protocol: 'TCP' },
          ];
          if (!noStorage) injectInitializer(d, c.name, pu.modelUri, pu.storageInitializerImage);
        } else if (protocol === 'kfserving' || protocol === 'v2') {
          // addMLServerDefault / mlserver.go mergeMLServerContainer
          let env: Obj[] = [
            { name: 'MLSERVER_HTTP_PORT', value: String(e.httpPort) },
            { name: 'MLSERVER_GRPC_PORT', value: String(e.grpcPort) },
            { name: 'MLSERVER_MODEL_IMPLEMENTATION', value: MLSERVER_IMPLEMENTATIONS[impl] ?? '' },
            { name: 'MLSERVER_MODEL_NAME', value: pu.name },
            { name: 'MLSERVER_MODEL_VERSION', value: 'v1' },
            { name: 'MLSERVER_MODEL_URI', value: SELDON_V1_DEFAULTS.modelMountPath },
          ];
          if (impl === 'HUGGINGFACE_SERVER') env.push({ name: 'MLSERVER_PARALLEL_WORKERS', value: '0' }, { name: 'XDG_CACHE_HOME', value: '/opt/mlserver' });
          if (!c.image) c.image = prepackImage(impl, protocol);
          for (const v of c.env ?? []) env = setEnvVar(env, v, true) ?? [];
          c.env = env;
          const ready = { httpGet: { path: '/v2/health/ready', port: 'http' } };
          const live = { httpGet: { path: '/v2/health/live', port: 'http' } };
          // an existing probe keeps its timings but gets the HTTP handler
          c.readinessProbe = c.readinessProbe
            ? { ...stripHandler(c.readinessProbe), ...ready }
            : { ...ready, initialDelaySeconds: 20, periodSeconds: 5 };
          c.livenessProbe = c.livenessProbe ? { ...stripHandler(c.livenessProbe), ...live } : { ...live, initialDelaySeconds: 20, periodSeconds: 5 };
          c.ports = [
            { name: 'grpc', containerPort: e.grpcPort, protocol: 'TCP' },
            { name: 'http', containerPort: e.httpPort, protocol: 'TCP' },
          ];
          injectInitializer(d, c.name, pu.modelUri, pu.storageInitializerImage);
        } else {
          // addModelDefaultServers
          if (!c.image) c.image = prepackImage(impl, protocol);
          const params = [...(pu.parameters ?? []), { name: 'model_uri', type: 'STRING', value: SELDON_V1_DEFAULTS.modelMountPath }];
          c.env = setEnvVar(c.env, { name: 'PREDICTIVE_UNIT_PARAMETERS', value: JSON.stringify(params) }, true);
          injectInitializer(d, c.name, pu.modelUri, pu.storageInitializerImage);
        }
      } else if (!isPrepack(pu) && pu.modelUri && c) {
        injectInitializer(d, c.name, pu.modelUri, pu.storageInitializerImage);
      }
    }

    if (!noEngine) {
      if (!separateEngine) {
        // GetEnginePredictiveUnit: first graph node (pre-order) whose serviceHost is localhost
        const host = graphNodes(p.graph).find((n) => ep.get(n.name)?.serviceHost === 'localhost');
        const d = host && deployments.slice(before).find((x) => (x.spec.containers as Obj[]).some((c) => c.name === host.name));
        if (!d) {
          refused.push(`SeldonDeployment ${sdepName}: predictor ${p.name}: engine not separate and no deployment for pu with localhost service (operator/controllers/seldondeployment_controller.go createComponents)`);
        } else if (!(d.spec.containers as Obj[]).some((c) => c.name === SELDON_V1_DEFAULTS.engineContainerName)) {
          // seldondeployment_engine.go addEngineToDeployment
          d.spec.containers.push(executorContainer(sdep, p, executorUser));
          d.labels['seldon-app'] = pSvcName;
        }
      }
      services.push({
        owner: `SeldonDeployment ${sdepName} (predictor ${p.name}, engine)`,
        name: pSvcName,
        selector: { 'seldon-app': pSvcName },
        ports: [
          { name: 'http', port: SELDON_V1_DEFAULTS.engineHttpPort, targetPort: SELDON_V1_DEFAULTS.engineHttpPort },
          { name: 'grpc', port: SELDON_V1_DEFAULTS.engineGrpcPort, targetPort: SELDON_V1_DEFAULTS.engineGrpcPort },
        ],
      });
      externalPorts[i] = { http: SELDON_V1_DEFAULTS.engineHttpPort, grpc: SELDON_V1_DEFAULTS.engineGrpcPort };
    }
  });

  for (const d of deployments) {
    pods.push({
      owner: `SeldonDeployment ${sdepName} (predictor ${d.predictor.name}, Deployment ${d.name})`,
      version: d.labels.version,
      labels: d.labels,
      spec: d.spec as PodSpec,
    });
  }

  if (istio) {
    // seldondeployment_controller.go createIstioResources: one VirtualService named after the sdep,
    // a weighted destination per non-shadow predictor, a mirror for the shadow.
    const vs = seldonVirtualServiceName(sdepName);
    (spec.predictors as Obj[]).forEach((p, i) => {
      const ports = externalPorts[i];
      if (!ports) return;
      const service = seldonPredictorServiceName(sdep, p);
      const kind = p.shadow ? 'mirror' : 'route';
      const weight = p.shadow ? (p.traffic > 0 ? p.traffic : 100) : (p.traffic ?? 0);
      routes.push({ owner: `VirtualService ${vs} (Seldon operator, http ${kind})`, service, port: ports.http, weight, subset: p.name });
      routes.push({ owner: `VirtualService ${vs} (Seldon operator, grpc ${kind})`, service, port: ports.grpc, weight, subset: p.name, protocol: 'grpc' });
    });
  }
  return { pods, services, routes, refused };
}

function stripHandler(probe: Obj): Obj {
  const { httpGet: _h, tcpSocket: _t, exec: _e, grpc: _g, ...rest } = probe;
  return rest;
}

// operator/controllers/mlserver.go: implementation class per prepackaged server
const MLSERVER_IMPLEMENTATIONS: Record<string, string> = {
  SKLEARN_SERVER: 'mlserver_sklearn.SKLearnModel',
  XGBOOST_SERVER: 'mlserver_xgboost.XGBoostModel',
  MLFLOW_SERVER: 'mlserver_mlflow.MLflowRuntime',
  HUGGINGFACE_SERVER: 'mlserver_huggingface.HuggingFaceRuntime',
  TEMPO_SERVER: 'tempo.mlserver.InferenceRuntime',
};

function executorContainer(sdep: Obj, p: Obj, user: number | null): Obj {
  // seldondeployment_engine.go createExecutorContainer / createEngineContainer
  const http = SELDON_V1_DEFAULTS.engineHttpPort;
  const grpc = SELDON_V1_DEFAULTS.engineGrpcPort;
  const c: Obj = {
    name: SELDON_V1_DEFAULTS.engineContainerName,
    image: SELDON_V1_DEFAULTS.executorImage,
    args: [
      '--sdep', sdep.metadata.name, '--namespace', sdep.metadata.namespace ?? 'default', '--predictor', p.name,
      '--http_port', String(http), '--grpc_port', String(grpc),
      '--protocol', sdep.spec.protocol || 'seldon', '--transport', sdep.spec.transport || 'rest',
      '--prometheus_path', '/prometheus', '--server_type', sdep.spec.serverType || 'rpc',
    ],
    ports: [
      { name: 'http', containerPort: http, protocol: 'TCP' },
      { name: 'metrics', containerPort: http, protocol: 'TCP' },
      { name: 'grpc', containerPort: grpc, protocol: 'TCP' },
    ],
    readinessProbe: { httpGet: { path: '/ready', port: http }, initialDelaySeconds: 20, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/live', port: http }, initialDelaySeconds: 20, periodSeconds: 5 },
    resources: p.svcOrchSpec?.resources ?? { requests: { cpu: '0.5', memory: '512Mi' }, limits: { cpu: '0.5', memory: '512Mi' } },
    volumeMounts: [{ name: SELDON_V1_DEFAULTS.podinfoVolume, mountPath: SELDON_V1_DEFAULTS.podinfoPath }],
    env: [...(p.svcOrchSpec?.env ?? [])],
  };
  if (user !== null) c.securityContext = { runAsUser: user, allowPrivilegeEscalation: false };
  return c;
}

/**
 * What the Seldon Core v1 operator makes of the SeldonDeployments among `objects`.
 * Other objects are looked at only to flag a VirtualService / DestinationRule of ours
 * that the operator would take over (same name).
 */
export function emulateSeldon(objects: readonly KubeObject[], options: SeldonV1Options = {}): Emulation {
  const parts: Emulation[] = [];
  const refused: string[] = [];
  for (const o of objects) {
    if (o.apiVersion !== 'machinelearning.seldon.io/v1' || o.kind !== 'SeldonDeployment') continue;
    const problems = validateV1(o as Obj);
    if (problems.length > 0) {
      refused.push(...problems);
      continue; // the validating webhook refuses the object: nothing is created
    }
    parts.push(emulateOneSdep(o as Obj, options));
  }
  if (options.istio ?? true) {
    // createIstioServices updates an existing VirtualService / DestinationRule of that name in place
    const owned = seldonIstioObjects(objects);
    for (const o of objects) {
      if (o.kind === 'VirtualService' && owned.virtualServices.includes(o.metadata.name)) {
        refused.push(`VirtualService ${o.metadata.name}: has the name of the VirtualService the Seldon operator owns for a SeldonDeployment; its spec is overwritten (operator/controllers/seldondeployment_controller.go createIstioServices)`);
      }
      if (o.kind === 'DestinationRule' && owned.destinationRules.includes(o.metadata.name)) {
        refused.push(`DestinationRule ${o.metadata.name}: has the name of a DestinationRule the Seldon operator owns; its spec is overwritten (operator/controllers/seldondeployment_controller.go createIstioServices)`);
      }
    }
  }
  return {
    pods: parts.flatMap((p) => p.pods),
    services: parts.flatMap((p) => p.services),
    routes: parts.flatMap((p) => p.routes),
    refused: [...refused, ...parts.flatMap((p) => p.refused)],
  };
}

// ---------------------------------------------------------------------------
// Seldon Core v2
// ---------------------------------------------------------------------------

/**
 * ServerConfig pod specs, in our own words, after the helm chart
 * k8s/helm-charts/seldon-core-v2-setup/templates/_components-statefulsets.tpl with the
 * defaults of k8s/helm-charts/seldon-core-v2-setup/values.yaml (serverConfig.*).
 * (The kustomize variant operator/config/serverconfigs/{mlserver,triton}.yaml differs in
 * fsGroup 2000 and resources.) Only the fields the checks read are kept.
 */
function serverConfigPod(kind: 'mlserver' | 'triton'): Obj {
  const models = `${kind}-models`;
  const capabilities = kind === 'mlserver'
    ? 'mlserver,alibi-detect,alibi-explain,huggingface,lightgbm,mlflow,python,sklearn,spark-mlib,xgboost'
    : 'triton,dali,fil,onnx,openvino,python,pytorch,tensorflow,tensorrt';
  const rclone = {
    name: 'rclone',
    image: 'docker.io/seldonio/seldon-rclone:latest',
    command: ['rclone'],
    args: ['rcd', '--rc-no-auth', '--config=/rclone/rclone.conf', '--rc-addr=0.0.0.0:5572', '--max-buffer-memory=$(MAX_BUFFER_MEMORY)'],
    env: [{ name: 'MAX_BUFFER_MEMORY', value: '64M' }, { name: 'RCLONE_LOG_LEVEL', value: 'INFO' }],
    ports: [{ name: 'rclone', containerPort: 5572, protocol: 'TCP' }],
    readinessProbe: { tcpSocket: { port: 5572 }, initialDelaySeconds: 5, periodSeconds: 5 },
    livenessProbe: { exec: { command: ['rclone', 'rc', 'rc/noop'] }, initialDelaySeconds: 5, periodSeconds: 5 },
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [{ name: models, mountPath: '/mnt/agent' }],
  };
  const agent = {
    name: 'agent',
    image: 'docker.io/seldonio/seldon-agent:latest',
    command: ['/bin/agent'],
    args: ['--tracing-config-path=/mnt/tracing/tracing.json'],
    env: [
      { name: 'SELDON_SERVER_CAPABILITIES', value: capabilities },
      { name: 'SELDON_OVERCOMMIT_PERCENTAGE', value: '10' },
      { name: 'SELDON_SERVER_HTTP_PORT', value: '9000' },
      { name: 'SELDON_SERVER_GRPC_PORT', value: '9500' },
      { name: 'SELDON_REVERSE_PROXY_HTTP_PORT', value: '9001' },
      { name: 'SELDON_REVERSE_PROXY_GRPC_PORT', value: '9501' },
      { name: 'SELDON_SCHEDULER_HOST', value: 'seldon-scheduler' },
      { name: 'SELDON_SCHEDULER_PORT', value: '9005' },
      { name: 'SELDON_METRICS_PORT', value: '9006' },
      { name: 'SELDON_DRAINER_PORT', value: '9007' },
      { name: 'SELDON_READINESS_PORT', value: '9008' },
      { name: 'SELDON_SERVER_TYPE', value: kind },
      { name: 'MEMORY_REQUEST', valueFrom: { resourceFieldRef: { containerName: kind, resource: 'requests.memory' } } },
    ],
    ports: [
      { name: 'grpc', containerPort: 9501, protocol: 'TCP' },
      { name: 'http', containerPort: 9001, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9006, protocol: 'TCP' },
      { name: 'readiness-port', containerPort: 9008 },
    ],
    readinessProbe: { httpGet: { path: '/ready', port: 9008 }, periodSeconds: 5, failureThreshold: 1 },
    startupProbe: { httpGet: { path: '/ready', port: 9008 }, periodSeconds: 15, failureThreshold: 60 },
    resources: { requests: { cpu: '200m', memory: '1Gi' }, limits: { memory: '1Gi' } },
    volumeMounts: [
      { name: models, mountPath: '/mnt/agent' },
      { name: 'config-volume', mountPath: '/mnt/config' },
      { name: 'tracing-config-volume', mountPath: '/mnt/tracing' },
    ],
  };
  const probes = {
    livenessProbe: { httpGet: { path: '/v2/health/live', port: 'server-http' } },
    readinessProbe: { httpGet: { path: '/v2/health/live', port: 'server-http' }, initialDelaySeconds: 5, periodSeconds: 5 },
    startupProbe: { httpGet: { path: '/v2/health/live', port: 'server-http' }, periodSeconds: 10, failureThreshold: 10 },
  };
  const server = kind === 'mlserver'
    ? {
      name: 'mlserver',
      image: 'docker.io/seldonio/mlserver:1.7.1',
      env: [
        { name: 'MLSERVER_PARALLEL_WORKERS', value: '1' },
        { name: 'MLSERVER_DEBUG', value: 'false' },
        { name: 'MLSERVER_HTTP_PORT', value: '9000' },
        { name: 'MLSERVER_GRPC_PORT', value: '9500' },
        { name: 'MLSERVER_MODELS_DIR', value: '/mnt/agent/models' },
        { name: 'MLSERVER_LOAD_MODELS_AT_STARTUP', value: 'false' },
      ],
      ports: [
        { name: 'server-grpc', containerPort: 9500, protocol: 'TCP' },
        { name: 'server-http', containerPort: 9000, protocol: 'TCP' },
        { name: 'server-metrics', containerPort: 8082 },
      ],
      ...probes,
      resources: { requests: { cpu: '100m', memory: '1Gi' }, limits: { memory: '1Gi' } },
      volumeMounts: [
        { name: models, mountPath: '/mnt/agent', readOnly: true },
        { name: 'downstream-ca-certs', mountPath: '/mnt/certs', readOnly: true },
      ],
    }
    : {
      name: 'triton',
      image: 'nvcr.io/nvidia/tritonserver:23.03-py3',
      command: ['bash'],
      args: ['-c', 'tritonserver --model-repository=$(SERVER_MODELS_DIR) --http-port=$(SERVER_HTTP_PORT) --grpc-port=$(SERVER_GRPC_PORT) --log-verbose=1 --model-control-mode=explicit'],
      env: [
        { name: 'SERVER_HTTP_PORT', value: '9000' },
        { name: 'SERVER_GRPC_PORT', value: '9500' },
        { name: 'SERVER_MODELS_DIR', value: '/mnt/agent/models' },
      ],
      ports: [
        { name: 'server-grpc', containerPort: 9500, protocol: 'TCP' },
        { name: 'server-http', containerPort: 9000, protocol: 'TCP' },
        { name: 'server-metrics', containerPort: 8002 },
      ],
      ...probes,
      resources: { requests: { cpu: '100m', memory: '1Gi' }, limits: { memory: '1Gi' } },
      volumeMounts: [{ name: models, mountPath: '/mnt/agent', readOnly: true }],
    };
  return {
    containers: [rclone, agent, server],
    securityContext: { fsGroup: 1000, runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true },
    serviceAccountName: 'seldon-server',
    terminationGracePeriodSeconds: 120,
    volumes: [
      { name: 'downstream-ca-certs', secret: { secretName: 'seldon-downstream-server', optional: true } },
      { name: 'config-volume', configMap: { name: 'seldon-agent' } },
      { name: 'tracing-config-volume', configMap: { name: 'seldon-tracing' } },
      // the models volume comes from the ServerConfig's volumeClaimTemplate
      { name: models, persistentVolumeClaim: { claimName: models } },
    ],
  };
}

/** The ServerConfigs a default install has (helm chart seldon-core-v2-setup). */
export const SELDON_V2_SERVER_CONFIGS: Readonly<Record<string, Obj>> = {
  mlserver: serverConfigPod('mlserver'),
  triton: serverConfigPod('triton'),
};

/** Servers the seldon-core-v2-servers chart installs (k8s/yaml/servers.yaml): name -> ServerConfig. */
export const SELDON_V2_DEFAULT_SERVERS: Readonly<Record<string, string>> = { mlserver: 'mlserver', triton: 'triton' };

function isEmptyScalar(v: unknown): boolean {
  return v === false || v === 0 || v === '';
}

/**
 * dario.cat/mergo Merge(dst, src, WithOverride, WithAppendSlice) on decoded JSON
 * (mergo merge.go deepMerge): slices are appended; maps and structs are merged key by key;
 * a set value wins, except that an empty one (false, 0, "") never replaces a set one.
 */
export function mergoMerge(dst: unknown, src: unknown): unknown {
  if (src === undefined || src === null) return dst;
  if (Array.isArray(src)) return [...(Array.isArray(dst) ? dst : []), ...clone(src)];
  if (typeof src === 'object') {
    if (dst === undefined || dst === null || typeof dst !== 'object') return clone(src);
    const out: Obj = { ...(dst as Obj) };
    for (const [k, v] of Object.entries(src as Obj)) out[k] = mergoMerge(out[k], v);
    return out;
  }
  if (dst === undefined) return src;
  return isEmptyScalar(src) ? dst : src;
}

/**
 * operator/controllers/reconcilers/common/patch_utils.go MergePodSpecs / MergeContainers:
 * the pod is mergo-merged, then containers are merged by NAME; containers named in the
 * override come first, then the ServerConfig's others.
 */
export function mergeServerPodSpec(config: Obj, override: Obj | undefined): Obj {
  if (!override) return clone(config);
  const merged = mergoMerge(clone(config), override) as Obj;
  const existing: Obj[] = config.containers ?? [];
  const overrides: Obj[] = override.containers ?? [];
  const containers: Obj[] = [];
  for (const o of overrides) {
    const e = existing.find((x) => x.name === o.name);
    containers.push(e ? (mergoMerge(clone(e), o) as Obj) : clone(o));
  }
  for (const e of existing) if (!overrides.some((o) => o.name === e.name)) containers.push(clone(e));
  merged.containers = containers;
  return merged;
}

/** Kubernetes quantity -> number (bytes for memory): the kubelet emulation's parser. */
export { parseQuantity };

/** Last value of an env var (the kubelet keeps the last duplicate). */
function envValue(c: Obj | undefined, name: string): string | undefined {
  const found = (c?.env ?? []).filter((e: Obj) => e.name === name);
  return found.length > 0 ? found[found.length - 1].value : undefined;
}

interface V2Server {
  name: string;
  replicas: number;
  capabilities: string[];
  /** per replica, bytes still free (Infinity when the agent cannot know) */
  free: number[];
  fromObjects: boolean;
}

/** How the v2 install looks (defaults: the helm charts). */
export interface SeldonV2Options {
  /** ServerConfigs present in the cluster (default: mlserver and triton of the helm chart). */
  readonly serverConfigs?: Readonly<Record<string, Obj>>;
  /** Whether the default Servers `mlserver` and `triton` of seldon-core-v2-servers are installed. Default true. */
  readonly defaultServers?: boolean;
}

function buildServer(name: string, serverSpec: Obj, config: Obj, fromObjects: boolean): { server: V2Server; pod: Obj } {
  const pod = mergeServerPodSpec(config, serverSpec.podSpec ?? undefined);
  // server_reconciler.go updateCapabilities: capabilities replace, extraCapabilities are appended
  const agent = (pod.containers as Obj[]).find((c) => c.name === 'agent');
  if (agent) {
    for (const e of agent.env ?? []) {
      if (e.name !== 'SELDON_SERVER_CAPABILITIES') continue;
      if (serverSpec.capabilities?.length > 0) e.value = serverSpec.capabilities.join(',');
      else if (serverSpec.extraCapabilities?.length > 0) e.value = `${e.value},${serverSpec.extraCapabilities.join(',')}`;
    }
  }
  const capabilities = (envValue(agent, 'SELDON_SERVER_CAPABILITIES') ?? '').split(',').map((s) => s.trim()).filter((s) => s);
  // scheduler/cmd/agent/cli/cli.go: MEMORY_REQUEST (resourceFieldRef of the server container) and
  // SELDON_OVERCOMMIT_PERCENTAGE (flag default 0); scheduler/pkg/agent/state_manager.go:
  // available = memory + overcommit% of it
  const memEnv = (agent?.env ?? []).filter((e: Obj) => e.name === 'MEMORY_REQUEST').pop();
  let memory: number | undefined;
  if (memEnv?.value !== undefined) {memory = Number(memEnv.value);} else if (memEnv?.valueFrom?.resourceFieldRef) {
    const ref = memEnv.valueFrom.resourceFieldRef;
    const target = (pod.containers as Obj[]).find((c) => c.name === ref.containerName);
    const res = ref.resource === 'limits.memory' ? target?.resources?.limits?.memory : target?.resources?.requests?.memory ?? target?.resources?.limits?.memory;
    memory = parseQuantity(res);
  }
  const overcommit = Number(envValue(agent, 'SELDON_OVERCOMMIT_PERCENTAGE') ?? '0');
  const capacity = memory === undefined ? Infinity : Math.floor(memory * (1 + overcommit / 100));
  const replicas = serverSpec.replicas ?? 1;
  return {
    server: { name, replicas, capabilities, free: Array.from({ length: replicas }, () => capacity), fromObjects },
    pod,
  };
}

/**
 * What Seldon Core v2 (operator + scheduler) makes of the Server / Model / Experiment objects.
 * Server pods: the ServerConfig merged with Server.spec.podSpec as the operator merges them.
 * Models: scheduled as the scheduler's filters do; a Model that cannot be placed is `refused`.
 */
export function emulateSeldonV2(objects: readonly KubeObject[], options: SeldonV2Options = {}): Emulation {
  const configs = options.serverConfigs ?? SELDON_V2_SERVER_CONFIGS;
  const pods: EmulatedPod[] = [];
  const services: EmulatedService[] = [];
  const routes: EmulatedRoute[] = [];
  const refused: string[] = [];
  const servers: V2Server[] = [];
  const ofKind = (kind: string) => objects.filter((o) => o.apiVersion === 'mlops.seldon.io/v1alpha1' && o.kind === kind) as Obj[];

  for (const s of ofKind('Server')) {
    const name: string = s.metadata.name;
    const config = configs[s.spec?.serverConfig];
    if (!config) {
      // mlopsv1alpha1.GetServerConfigForServer fails: the operator creates no StatefulSet
      refused.push(`Server ${name}: ServerConfig ${s.spec?.serverConfig} not found (operator/apis/mlops/v1alpha1/serverconfig_types.go GetServerConfigForServer)`);
      continue;
    }
    const { server, pod } = buildServer(name, s.spec ?? {}, config, true);
    servers.push(server);
    // reconcilers/server/statefulset_reconciler.go toStatefulSet: pod labels; the StatefulSet controller adds
    // statefulset.kubernetes.io/pod-name to each pod (kubernetes pkg/controller/statefulset/stateful_set_utils.go);
    // one pod stands for the replicas here, each replica Service selecting its own
    const labels: Record<string, string> = { 'seldon-server-name': name, 'app.kubernetes.io/name': 'seldon-server', ...(s.metadata.labels ?? {}) };
    for (let i = 0; i < Math.max(1, server.replicas); i++) {
      pods.push({
        owner: `Server ${name} (StatefulSet ${name}, pod ${name}-${i})`,
        version: labels.version,
        labels: { ...labels, 'statefulset.kubernetes.io/pod-name': `${name}-${i}` },
        spec: pod as PodSpec,
      });
    }
    // reconcilers/server/service_reconciler.go toServices: one headless Service per replica
    for (let i = 0; i < server.replicas; i++) {
      const svc = `${name}-${i}`;
      services.push({
        owner: `Server ${name} (replica ${i})`,
        name: svc,
        selector: { 'statefulset.kubernetes.io/pod-name': svc },
        ports: [
          { name: 'http', port: 9000, targetPort: 'http' },
          { name: 'grpc', port: 9500, targetPort: 'grpc' },
          { name: 'agent', port: 9005 },
        ],
      });
    }
  }
  if (options.defaultServers ?? true) {
    for (const [name, cfg] of Object.entries(SELDON_V2_DEFAULT_SERVERS)) {
      if (servers.some((s) => s.name === name) || !configs[cfg]) continue;
      servers.push(buildServer(name, { serverConfig: cfg, replicas: 1 }, configs[cfg], false).server);
    }
  }

  // scheduler/pkg/scheduler/scheduler.go scheduleToServer with filters/*.go
  for (const m of ofKind('Model')) {
    const name: string = m.metadata.name;
    const spec: Obj = m.spec ?? {};
    const requested: string | undefined = spec.server;
    if (requested !== undefined && !servers.some((s) => s.name === requested)) {
      refused.push(`Model ${name}: names server ${requested}, which is neither among the objects nor a default Server; no server passes the sharing filter (scheduler/pkg/scheduler/filters/sharing.go): Failed to schedule model as no matching servers are available`);
      continue;
    }
    const requirements: string[] = [...(spec.requirements ?? []), ...(spec.modelType ? [spec.modelType] : [])];
    const candidates = servers.filter((s) =>
      s.replicas > 0 // filters/serverreplicas.go
      && (requested === undefined || requested === s.name) // filters/sharing.go (agents always report shared)
      && requirements.every((r) => s.capabilities.includes(r.trim()))); // filters/serverrequirements.go
    if (candidates.length === 0) {
      refused.push(`Model ${name}: Failed to schedule model as no matching servers are available (requirements ${JSON.stringify(requirements)}; scheduler/pkg/scheduler/filters/serverrequirements.go, sharing.go, serverreplicas.go)`);
      continue;
    }
    const memory = parseQuantity(spec.memory) ?? 0;
    const wanted = spec.replicas ?? 1;
    let placed = false;
    for (const s of candidates) {
      // filters/replicamemory.go: required memory <= available - reserved, per replica
      const fitting = s.free.map((f, i) => ({ f, i })).filter((x) => memory <= x.f).sort((a, b) => b.f - a.f);
      if (fitting.length < wanted) continue;
      for (const x of fitting.slice(0, wanted)) s.free[x.i] -= memory;
      placed = true;
      break;
    }
    if (!placed) {
      const detail = candidates.map((s) => `${s.name}: ${s.free.map((f) => (f === Infinity ? 'unbounded' : `${f} bytes free`)).join(', ')}`).join('; ');
      refused.push(`Model ${name}: Failed to schedule model as no matching server had enough suitable replicas (memory ${memory} bytes x ${wanted} replica(s); ${detail}; scheduler/pkg/scheduler/filters/replicamemory.go, scheduler/pkg/agent/state_manager.go overcommit)`);
    }
  }

  // Experiments: scheduler/pkg/store/experiment/validate.go; routes per
  // scheduler/pkg/envoy/xdscache/resource.go (weighted clusters behind the seldon-mesh Service)
  const defaults = new Map<string, string>();
  for (const e of ofKind('Experiment')) {
    const name: string = e.metadata.name;
    const spec: Obj = e.spec ?? {};
    const candidates: Obj[] = spec.candidates ?? [];
    const file = 'scheduler/pkg/store/experiment/validate.go';
    const problems: string[] = [];
    if (candidates.length === 0 && !spec.mirror) problems.push(`needs at least one candidate or a mirror (${file} validateHasCandidateOrMirror)`);
    if (spec.default !== undefined && !candidates.some((c) => c.name === spec.default)) problems.push(`default ${spec.default} is not a candidate (${file} validateDefaultModelIsCandidate)`);
    const seen = new Set<string>();
    for (const c of candidates) {
      if (seen.has(c.name)) problems.push(`duplicate candidate ${c.name} (${file} validateNoDuplicateNames)`);
      seen.add(c.name);
    }
    if (spec.mirror && seen.has(spec.mirror.name)) problems.push(`mirror ${spec.mirror.name} is also a candidate (${file} validateNoDuplicateNames)`);
    if (spec.default !== undefined) {
      const other = defaults.get(spec.default);
      if (other !== undefined) problems.push(`${spec.default} is already the default of experiment ${other} (${file} validateNoExistingDefault)`);
    }
    if (problems.length > 0) {
      for (const p of problems) refused.push(`Experiment ${name}: ${p}`);
      continue;
    }
    if (spec.default !== undefined) defaults.set(spec.default, name);
    const total = candidates.reduce((a, c) => a + (c.weight ?? 0), 0);
    for (const c of candidates) {
      routes.push({ owner: `Experiment ${name} (seldon-mesh weighted cluster)`, service: 'seldon-mesh', weight: total > 0 ? ((c.weight ?? 0) * 100) / total : 0, subset: c.name });
    }
    if (spec.mirror) routes.push({ owner: `Experiment ${name} (seldon-mesh mirror)`, service: 'seldon-mesh', weight: spec.mirror.percent ?? 100, subset: spec.mirror.name });
  }
  // the seldon-mesh Service of Seldon's installation (k8s/helm-charts/seldon-core-v2-setup templates: the Envoy
  // Service models and experiments are reached through); its Envoy pods are part of the install, not modelled
  if (routes.some((r) => r.service === 'seldon-mesh')) {
    services.push({ owner: 'Seldon Core v2 installation (Envoy)', name: 'seldon-mesh', ports: [{ name: 'http', port: 80 }, { name: 'grpc', port: 9003 }] });
  }
  return { pods, services, routes, refused };
}

// ---------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------

function envOf(c: Container, name: string): string | undefined {
  const found = (c.env ?? []).filter((e) => e.name === name);
  return found.length > 0 ? found[found.length - 1].value : undefined;
}

/** Container args/command with $(VAR) expanded from the container's env, as the kubelet does. */
function commandLine(c: Container): string {
  const text = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, v: string) => envOf(c, v) ?? all);
}

function flag(c: Container, names: readonly string[]): number | undefined {
  const line = commandLine(c);
  for (const n of names) {
    const m = new RegExp(`(?:^|\\s)${n.replace(/[-]/g, '\\-')}[=\\s]+([0-9]+)`).exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
}

const numEnv = (c: Container, name: string, dflt: number): number => {
  const v = envOf(c, name);
  return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : dflt;
};

// Python wrapper: wrappers/s2i/python/Dockerfile (USER 8888), python/seldon_core/microservice.py
// (ports from PREDICTIVE_UNIT_*_SERVICE_PORT, defaults 9000 / 5000 / 6000), wrapper.py (/health/*)
function pythonWrapper(source: string, extraWrites: readonly string[] = []): ImageBehaviour {
  return {
    source: `SeldonIO/seldon-core master ${source}; wrappers/s2i/python/Dockerfile (USER 8888); python/seldon_core/microservice.py`,
    user: 8888,
    listens: (c) => [
      numEnv(c, 'PREDICTIVE_UNIT_HTTP_SERVICE_PORT', 9000),
      numEnv(c, 'PREDICTIVE_UNIT_GRPC_SERVICE_PORT', 5000),
      numEnv(c, 'PREDICTIVE_UNIT_METRICS_SERVICE_PORT', 6000),
    ],
    readyPaths: ['/health/ping', '/health/status'],
    // gunicorn keeps its worker heartbeat files in the temp dir (gunicorn default, inferred)
    writes: () => ['/tmp', ...extraWrites],
  };
}

// MLServer: Dockerfile (USER 1000, WORKDIR /opt/mlserver, HF_HOME / NUMBA_CACHE_DIR) and
// mlserver/settings.py (ports 8080 / 8081 / 8082, metrics_dir and environments_dir under the cwd)
const MLSERVER: ImageBehaviour = {
  source: 'SeldonIO/MLServer Dockerfile (USER 1000), mlserver/settings.py',
  user: 1000,
  listens: (c) => [numEnv(c, 'MLSERVER_HTTP_PORT', 8080), numEnv(c, 'MLSERVER_GRPC_PORT', 8081), numEnv(c, 'MLSERVER_METRICS_PORT', 8082)],
  readyPaths: ['/v2/health/ready', '/v2/health/live'],
  writes: (c) => [
    envOf(c, 'MLSERVER_METRICS_DIR') ?? '/opt/mlserver/.metrics',
    envOf(c, 'MLSERVER_ENVIRONMENTS_DIR') ?? '/opt/mlserver/.envs',
    envOf(c, 'HF_HOME') ?? envOf(c, 'XDG_CACHE_HOME') ?? '/opt/mlserver/.cache',
  ],
};

/** What the images of Seldon Core v1 and v2 do, keyed by repository (registry and tag stripped). */
export const SELDON_IMAGES: Readonly<Record<string, ImageBehaviour>> = {
  'seldonio/sklearnserver': pythonWrapper('servers/sklearnserver/Dockerfile.s2i'),
  'seldonio/xgboostserver': pythonWrapper('servers/xgboostserver/Dockerfile.s2i'),
  // the base Dockerfile opens /.conda and /.cache/conda for the mlflow server's conda envs
  'seldonio/mlflowserver': pythonWrapper('servers/mlflowserver/Dockerfile.s2i', ['/.conda', '/.cache/conda']),
  'seldonio/tfserving-proxy': pythonWrapper('servers/tfserving_proxy/Dockerfile.s2i'),
  'seldonio/seldon-core-executor': {
    source: 'SeldonIO/seldon-core master executor/Dockerfile.executor (USER 8888), executor/api/rest/server.go',
    user: 8888,
    listens: (c) => [flag(c, ['--http_port']) ?? 8000, flag(c, ['--grpc_port']) ?? 5001],
    readyPaths: ['/ready', '/live'],
    writes: () => [],
  },
  'seldonio/rclone-storage-initializer': {
    source: 'SeldonIO/seldon-core master components/rclone-storage-initializer/Dockerfile (USER 8888, ENTRYPOINT rclone copy)',
    user: 8888,
    listens: () => [],
    readyPaths: [],
    writes: (c) => [c.args?.[1] ?? SELDON_V1_DEFAULTS.modelMountPath],
  },
  'seldonio/mlserver': MLSERVER,
  'tensorflow/serving': {
    source: 'tensorflow/serving image (no USER: root; not in the Seldon repos); args from operator/controllers/seldondeployment_prepackaged_servers.go',
    user: undefined,
    listens: (c) => [flag(c, ['--port']) ?? 8500, flag(c, ['--rest_api_port']) ?? 8501],
    readyPaths: ['/v1/models/'],
    writes: () => [],
  },
  'nvcr.io/nvidia/tritonserver': {
    source: 'triton-inference-server/server build.py (creates triton-server uid 1000, sets no USER: root)',
    user: undefined,
    listens: (c) => [flag(c, ['--http-port']) ?? 8000, flag(c, ['--grpc-port']) ?? 8001, flag(c, ['--metrics-port']) ?? 8002],
    readyPaths: ['/v2/health/ready', '/v2/health/live'],
    writes: () => ['/dev/shm'],
  },
  'seldonio/seldon-agent': {
    source: 'SeldonIO/seldon-core v2 scheduler/Dockerfile.agent (no USER: root; /mnt/agent o+rwx), scheduler/cmd/agent/cli/cli.go',
    user: undefined,
    listens: (c) => [
      numEnv(c, 'SELDON_REVERSE_PROXY_HTTP_PORT', 9001),
      numEnv(c, 'SELDON_REVERSE_PROXY_GRPC_PORT', 9501),
      numEnv(c, 'SELDON_METRICS_PORT', 9006),
      numEnv(c, 'SELDON_DRAINER_PORT', 9007),
      numEnv(c, 'SELDON_READINESS_PORT', 9008),
    ],
    readyPaths: ['/ready'],
    writes: () => ['/mnt/agent'],
  },
  'seldonio/seldon-rclone': {
    source: 'SeldonIO/seldon-core v2 scheduler/Dockerfile.rclone (USER 1000, /rclone owned by 1000)',
    user: 1000,
    listens: (c) => {
      const m = /--rc-addr=[^:\s]*:([0-9]+)/.exec(commandLine(c));
      return [m ? Number(m[1]) : 5572];
    },
    readyPaths: [],
    writes: () => ['/rclone', '/mnt/agent'],
  },
};

/** Image reference -> repository key of SELDON_IMAGES (registry docker.io and the tag dropped). */
export function seldonImageKey(image: string): string {
  let ref = image.split('@')[0];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  return ref.replace(/^(docker\.io|index\.docker\.io)\//, '');
}

/** Resolver over SELDON_IMAGES. */
export const resolveSeldonImage: ImageResolver = (image) => SELDON_IMAGES[seldonImageKey(image)];
