/**
 * The rules of ../shared/crds/SEMANTIC_RULES.md that our output can meet,
 * written from that document (not from the backends), so a test can ask
 * "would the real webhook or controller reject this?".
 */

type Obj = Record<string, any>;

const ISVC_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const AUTOSCALER_CLASSES = ['hpa', 'external', 'keda', 'none'];
const IMPLEMENTATIONS = ['sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm', 'paddle', 'model'];
const STORAGE_PREFIXES = ['gs://', 's3://', 'pvc://', 'file://', 'https://', 'http://', 'hdfs://', 'webhdfs://', 'oci://', 'oci+native://', 'oci+fetch://', 'hf://'];

function deploymentMode(isvc: Obj): string {
  const raw = isvc.metadata?.annotations?.['serving.kserve.io/deploymentMode'];
  if (raw === 'RawDeployment') return 'Standard';
  if (raw === 'Serverless') return 'Knative';
  // with no annotation, the compiled-in default is Standard
  return raw ?? 'Standard';
}

/** Names of the implementations a predictor sets (framework fields, model, kserve-container). */
function implementations(predictor: Obj): string[] {
  const found = IMPLEMENTATIONS.filter((k) => predictor[k] !== undefined);
  const containers: Obj[] = predictor.containers ?? [];
  const named = containers.filter((c) => c.name === 'kserve-container').length;
  for (let i = 0; i < named; i++) found.push('custom');
  if (named === 0 && found.length === 0 && containers.length > 0) found.push('custom');
  return found;
}

function storageUriOf(predictor: Obj): string | undefined {
  if (predictor.model?.storageUri) return predictor.model.storageUri;
  const first: Obj | undefined = (predictor.containers ?? [])[0];
  return first?.env?.find((e: Obj) => e.name === 'STORAGE_URI')?.value;
}

function checkPredictor(p: Obj, path: string, mode: string, autoscalerClass: string | undefined, out: string[]): void {
  const impl = implementations(p);
  if (impl.length !== 1) out.push(`${path}: exactly one implementation must be specified, got ${impl.join(', ') || 'none'}`);
  // validatePredictor runs on spec.predictor; the CRD requires the name on canary models
  if (path === 'spec.predictor' && p.model?.name !== undefined) out.push(`${path}.model.name: the 'name' field is not allowed in standard predictor`);
  if (p.minReplicas !== undefined && p.minReplicas < 0) out.push(`${path}.minReplicas: must be >= 0`);
  if (p.maxReplicas !== undefined && p.maxReplicas < 0) out.push(`${path}.maxReplicas: must be >= 0`);
  if (p.maxReplicas !== undefined && p.maxReplicas !== 0 && (p.minReplicas ?? 1) > p.maxReplicas) out.push(`${path}: minReplicas > maxReplicas`);
  const containers: Obj[] = [...(p.containers ?? []), ...(p.model ? [p.model] : [])];
  for (const c of containers) {
    for (const e of c.env ?? []) if (e.name === 'PYTHONPATH') out.push(`${path}: PYTHONPATH env var is blocked`);
  }
  const first: Obj | undefined = (p.containers ?? [])[0];
  const protocol = first?.env?.find((e: Obj) => e.name === 'PROTOCOL')?.value;
  if (protocol !== undefined && protocol !== 'v1' && protocol !== 'v2') out.push(`${path}: PROTOCOL must be v1 or v2`);
  const uri = storageUriOf(p);
  if (uri !== undefined && !STORAGE_PREFIXES.some((x) => uri.startsWith(x))) out.push(`${path}: unsupported storage URI ${uri}`);
  if (p.model?.storageUri !== undefined && p.storageUris !== undefined) out.push(`${path}: storageUri and storageUris are exclusive`);

  const knativeHpa = p.annotations?.['autoscaling.knative.dev/class'] === 'hpa.autoscaling.knative.dev';
  if (mode === 'Standard') {
    if (autoscalerClass === 'hpa') {
      if (p.scaleMetric !== undefined && !['cpu', 'memory'].includes(p.scaleMetric)) out.push(`${path}.scaleMetric: HPA takes cpu or memory`);
      if (p.scaleTarget !== undefined && (p.scaleTarget < 1 || p.scaleTarget > 100)) out.push(`${path}.scaleTarget: must be 1..100`);
      for (const m of p.autoScaling?.metrics ?? []) {
        if (m.type !== 'Resource' || !m.resource) out.push(`${path}.autoScaling.metrics: HPA takes Resource metrics only`);
      }
    }
  } else if (knativeHpa) {
    if (p.scaleMetric !== undefined && !['cpu', 'memory'].includes(p.scaleMetric)) out.push(`${path}.scaleMetric: HPA takes cpu or memory`);
    if (p.scaleTarget !== undefined && (p.scaleTarget < 1 || p.scaleTarget > 100)) out.push(`${path}.scaleTarget: must be 1..100`);
  } else {
    if (p.scaleMetric !== undefined && !['concurrency', 'rps'].includes(p.scaleMetric)) out.push(`${path}.scaleMetric: KPA takes concurrency or rps`);
    if (p.scaleMetric === 'rps' && p.scaleTarget !== undefined && p.scaleTarget < 1) out.push(`${path}.scaleTarget: rps target must be >= 1`);
    if (p.deploymentStrategy !== undefined) out.push(`${path}.deploymentStrategy: only supported for raw deployment mode`);
  }
}

/** Problems KServe's webhook (or controller) would report for an InferenceService. */
export function kserveProblems(isvc: Obj): string[] {
  const out: string[] = [];
  const name: string = isvc.metadata?.name ?? '';
  if (!ISVC_NAME.test(name)) out.push(`metadata.name: ${name} does not match ${ISVC_NAME}`);
  const annotations = isvc.metadata?.annotations ?? {};
  const autoscalerClass = annotations['serving.kserve.io/autoscalerClass'];
  if (autoscalerClass !== undefined && !AUTOSCALER_CLASSES.includes(autoscalerClass)) out.push(`autoscalerClass ${autoscalerClass} not allowed`);
  const mode = deploymentMode(isvc);
  const predictor = isvc.spec?.predictor ?? {};
  checkPredictor(predictor, 'spec.predictor', mode, autoscalerClass, out);
  // derived names must be valid Kubernetes names (63 characters)
  const derived = [`${name}-predictor`, ...(predictor.name ? [`${name}-${predictor.name}-predictor`] : [])];

  const canaries: Obj[] = isvc.spec?.canary ?? [];
  if (canaries.length > 0) {
    if (mode !== 'Standard') out.push('spec.canary: only accepted in Standard mode');
    if (!predictor.model && storageUriOf(predictor) === undefined) out.push('spec.predictor: stable predictor must use model or have a storageUri when canaries are present');
    const names = new Set<string>();
    let sum = 0;
    canaries.forEach((c, i) => {
      const p = c.predictor ?? {};
      const path = `spec.canary[${i}].predictor`;
      if (!p.name) out.push(`${path}.name: must be set`);
      if (names.has(p.name)) out.push(`${path}.name: duplicate canary name ${p.name}`);
      if (p.name === predictor.name) out.push(`${path}.name: must differ from the stable predictor name`);
      names.add(p.name);
      if (typeof c.trafficPercent !== 'number' || c.trafficPercent < 0 || c.trafficPercent > 100) out.push(`spec.canary[${i}].trafficPercent: must be 0..100`);
      sum += c.trafficPercent ?? 0;
      for (const f of ['workerSpec', 'maxReplicas', 'scaleTarget', 'scaleMetric', 'autoScaling']) {
        if (p[f] !== undefined) out.push(`${path}.${f}: not allowed on a canary (fixed replicas)`);
      }
      if (p.minReplicas !== undefined && p.minReplicas > (predictor.minReplicas ?? 1)) out.push(`${path}.minReplicas: must be <= stable minReplicas`);
      checkPredictor(p, path, mode, autoscalerClass, out);
      derived.push(`${name}-${p.name}-predictor`);
    });
    if (sum > 100) out.push(`spec.canary: traffic sums to ${sum} > 100`);
  }
  if (mode === 'Knative') derived.push(`${name}-predictor-00001-private`);
  for (const d of derived) if (d.length > 63) out.push(`derived name ${d} is longer than 63 characters`);
  return out;
}

/** Istio VirtualService rules (istio's validation webhook): weights, names, destinations. */
export function virtualServiceProblems(vs: Obj): string[] {
  const out: string[] = [];
  const http: Obj[] = vs.spec?.http ?? [];
  if (!(vs.spec?.hosts?.length > 0)) out.push('spec.hosts: at least one host is required');
  const names = new Set<string>();
  http.forEach((route, i) => {
    if (route.name !== undefined) {
      if (names.has(route.name)) out.push(`spec.http[${i}].name: duplicate route name ${route.name}`);
      names.add(route.name);
    }
    const dests: Obj[] = route.route ?? [];
    if (dests.length === 0) out.push(`spec.http[${i}].route: at least one destination is required`);
    if (dests.length > 1) {
      const sum = dests.reduce((a, d) => a + (d.weight ?? 0), 0);
      if (sum !== 100) out.push(`spec.http[${i}].route: weights sum to ${sum}, not 100`);
    }
    for (const d of dests) if (!d.destination?.host) out.push(`spec.http[${i}].route: destination host is required`);
  });
  // every route after one without a match is unreachable
  const catchAll = http.findIndex((r) => !r.match);
  if (catchAll >= 0 && catchAll < http.length - 1) out.push(`spec.http[${catchAll}]: a route without match before other routes makes them unreachable`);
  return out;
}

/** Gateway API HTTPRoute CEL rules that our routes could break. */
export function httpRouteProblems(route: Obj): string[] {
  const out: string[] = [];
  const rules: Obj[] = route.spec?.rules ?? [];
  let matches = 0;
  rules.forEach((rule, i) => {
    matches += (rule.matches ?? []).length;
    (rule.backendRefs ?? []).forEach((ref: Obj, j: number) => {
      const isService = (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';
      if (isService && ref.port === undefined) out.push(`spec.rules[${i}].backendRefs[${j}]: Must have port for Service reference`);
    });
  });
  if (matches >= 128) out.push(`spec.rules: ${matches} matches; the total must be less than 128`);
  return out;
}

/** A core Service (checked here since no CRD defines it). */
export function serviceProblems(svc: Obj): string[] {
  const out: string[] = [];
  const name: string = svc.metadata?.name ?? '';
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) out.push(`metadata.name: ${name} is not a DNS-1035 label`);
  const ports: Obj[] = svc.spec?.ports ?? [];
  if (ports.length === 0) out.push('spec.ports: at least one port is required');
  for (const p of ports) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) out.push(`spec.ports: invalid port ${p.port}`);
    if (ports.length > 1 && !p.name) out.push('spec.ports: every port needs a name when there are several');
  }
  const allowed = new Set(['ports', 'selector', 'type', 'clusterIP']);
  for (const k of Object.keys(svc.spec ?? {})) if (!allowed.has(k)) out.push(`spec.${k}: not expected in our Services`);
  return out;
}

const SELDON_BUILTINS = ['SIMPLE_MODEL', 'SIMPLE_ROUTER', 'RANDOM_ABTEST', 'AVERAGE_COMBINER'];
/** The prepackaged servers of the default seldon-config `predictor_servers`. */
const SELDON_DEFAULT_SERVERS = ['HUGGINGFACE_SERVER', 'MLFLOW_SERVER', 'SKLEARN_SERVER', 'TENSORFLOW_SERVER', 'XGBOOST_SERVER', 'TEMPO_SERVER', 'TRITON_SERVER'];
const NO_TENSORFLOW_PROTOCOL = ['SKLEARN_SERVER', 'XGBOOST_SERVER', 'MLFLOW_SERVER', 'HUGGINGFACE_SERVER'];

function graphNodes(node: Obj): Obj[] {
  return [node, ...((node.children ?? []) as Obj[]).flatMap(graphNodes)];
}

/** A SeldonDeployment (machinelearning.seldon.io/v1): the validating webhook's rules. */
export function seldonDeploymentProblems(sdep: Obj): string[] {
  const out: string[] = [];
  const spec: Obj = sdep.spec ?? {};
  if (spec.protocol !== undefined && !['seldon', 'tensorflow', 'kfserving', 'v2'].includes(spec.protocol)) out.push(`spec.protocol: invalid ${spec.protocol}`);
  if (spec.transport !== undefined && !['rest', 'grpc'].includes(spec.transport)) out.push(`spec.transport: invalid ${spec.transport}`);
  if (spec.serverType !== undefined && !['rpc', 'kafka'].includes(spec.serverType)) out.push(`spec.serverType: invalid ${spec.serverType}`);
  const predictors: Obj[] = spec.predictors ?? [];
  if (predictors.length === 0) out.push('spec.predictors: Graph contains no predictors');
  const names = predictors.map((p) => p.name);
  if (new Set(names).size !== names.length) out.push(`spec.predictors: duplicate predictor names ${names.join(', ')}`);
  const svcNames = predictors.map((p) => p.annotations?.['seldon.io/svc-name']).filter((n) => n !== undefined);
  if (new Set(svcNames).size !== svcNames.length) out.push('spec.predictors: duplicate seldon.io/svc-name annotations');
  // traffic (checkTraffic, validateShadow)
  const shadows = predictors.filter((p) => p.shadow === true);
  const live = predictors.filter((p) => p.shadow !== true);
  if (shadows.length > 1) out.push('spec.predictors: at most one shadow predictor');
  for (const sh of shadows) {
    const t = sh.traffic ?? 0;
    if (t < 0 || t > 100) out.push(`predictor ${sh.name}: shadow traffic must be in 0..100, got ${t}`);
  }
  if (shadows.length > 0 && live.length === 0) out.push('spec.predictors: a shadow cannot be the only predictor');
  if (predictors.length === 1) {
    const t = predictors[0].traffic ?? 0;
    if (t > 0 && t < 100) out.push(`predictor ${predictors[0].name}: a single predictor must carry traffic 0 or 100, got ${t}`);
  } else if (live.length > 1) {
    const sum = live.reduce((a, p) => a + (p.traffic ?? 0), 0);
    if (sum !== 100) out.push(`spec.predictors: traffic of non-shadow predictors must sum to 100, got ${sum}`);
  }
  const transports = new Set<string>();
  for (const p of predictors) {
    const nodes = graphNodes(p.graph ?? {});
    if (p.annotations?.['seldon.io/no-engine'] !== undefined && nodes.length > 1) out.push(`predictor ${p.name}: seldon.io/no-engine needs a single-node graph`);
    const containers: Obj[] = ((p.componentSpecs ?? []) as Obj[]).flatMap((c) => c.spec?.containers ?? []);
    for (const n of nodes) {
      const impl: string | undefined = n.implementation;
      if (impl === undefined || impl === '' || impl === 'UNKNOWN_IMPLEMENTATION') {
        if (!containers.some((c) => c.name === n.name)) out.push(`predictor ${p.name}: graph node ${n.name} has no container of the same name`);
      } else if (!SELDON_BUILTINS.includes(impl)) {
        if (n.modelUri === undefined && impl !== 'HUGGINGFACE_SERVER') out.push(`predictor ${p.name}: prepackaged server ${impl} needs graph.modelUri`);
        if (spec.protocol === 'tensorflow' && NO_TENSORFLOW_PROTOCOL.includes(impl)) out.push(`predictor ${p.name}: ${impl} does not take protocol tensorflow`);
        const withImage = containers.some((c) => c.name === n.name && c.image);
        if (!withImage && !SELDON_DEFAULT_SERVERS.includes(impl)) out.push(`predictor ${p.name}: ${impl} is not a configured predictor server`);
      }
      if (n.type === 'UNKNOWN_TYPE' && !(n.methods?.length > 0)) out.push(`predictor ${p.name}: node ${n.name} of UNKNOWN_TYPE needs methods`);
      if (n.logger !== undefined && !n.logger.mode) out.push(`predictor ${p.name}: node ${n.name} logger.mode must be set`);
      if (n.endpoint?.type !== undefined) transports.add(String(n.endpoint.type).toLowerCase());
    }
  }
  if (transports.size > 1) out.push(`spec: graph nodes mix endpoint types ${[...transports].join(', ')}`);
  if (spec.transport !== undefined && [...transports].some((t) => t !== spec.transport)) out.push(`spec.transport ${spec.transport} disagrees with node endpoints`);
  return out;
}

/** A Seldon Core v2 Experiment: the scheduler's rules. */
export function experimentProblems(exp: Obj): string[] {
  const out: string[] = [];
  const spec: Obj = exp.spec ?? {};
  const candidates: Obj[] = spec.candidates ?? [];
  if (candidates.length === 0 && spec.mirror === undefined) out.push('spec: needs at least one candidate or a mirror');
  const names = candidates.map((c) => c.name);
  if (spec.default !== undefined && !names.includes(spec.default)) out.push(`spec.default: ${spec.default} is not a candidate`);
  if (new Set(names).size !== names.length) out.push('spec.candidates: duplicate names');
  if (spec.mirror !== undefined && names.includes(spec.mirror.name)) out.push('spec.mirror: the mirror must not be a candidate');
  for (const c of candidates) if (!(c.weight >= 0)) out.push(`candidate ${c.name}: weight must be >= 0 (uint32), got ${c.weight}`);
  if (candidates.length > 0 && candidates.reduce((a, c) => a + c.weight, 0) === 0) out.push('spec.candidates: weights must not all be 0');
  if (spec.mirror !== undefined && !(spec.mirror.percent >= 0 && spec.mirror.percent <= 100)) out.push(`spec.mirror.percent: must be 0..100, got ${spec.mirror.percent}`);
  return out;
}

/** A Seldon Core v2 Model: replicas decode as uint32. */
export function modelProblems(model: Obj): string[] {
  const out: string[] = [];
  const spec: Obj = model.spec ?? {};
  for (const k of ['replicas', 'minReplicas', 'maxReplicas']) if (spec[k] !== undefined && spec[k] < 0) out.push(`spec.${k}: must be >= 0`);
  if (spec.minReplicas !== undefined && spec.maxReplicas !== undefined && spec.minReplicas > spec.maxReplicas) out.push('spec: minReplicas > maxReplicas');
  return out;
}

/** Problems the semantic rules report for any object we emit (kinds without rules give none). */
export function semanticProblems(obj: Obj): string[] {
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case 'serving.kserve.io/v1beta1/InferenceService':
      return kserveProblems(obj);
    case 'networking.istio.io/v1/VirtualService':
      return virtualServiceProblems(obj);
    case 'gateway.networking.k8s.io/v1/HTTPRoute':
      return httpRouteProblems(obj);
    case 'v1/Service':
      return serviceProblems(obj);
    case 'machinelearning.seldon.io/v1/SeldonDeployment':
      return seldonDeploymentProblems(obj);
    case 'mlops.seldon.io/v1alpha1/Experiment':
      return experimentProblems(obj);
    case 'mlops.seldon.io/v1alpha1/Model':
      return modelProblems(obj);
    default:
      return [];
  }
}
