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

// ---------------------------------------------------------------------------
// Kubernetes built-ins we emit beside the CRDs (no CRD schema checks them)

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Objects of `kind` named `name` in `namespace` (undefined matches undefined). */
function findObjects(objects: readonly Obj[], kind: string, name: string, namespace: string | undefined): Obj[] {
  return objects.filter((o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace);
}

/** A core HorizontalPodAutoscaler (autoscaling/v2): the API server's validation, and its target among `objects`. */
export function hpaProblems(hpa: Obj, objects?: readonly Obj[]): string[] {
  const out: string[] = [];
  const spec: Obj = hpa.spec ?? {};
  const ref: Obj = spec.scaleTargetRef ?? {};
  if (!ref.kind) out.push('spec.scaleTargetRef.kind: is required');
  if (!ref.name) out.push('spec.scaleTargetRef.name: is required');
  // minReplicas 0 needs the HPAScaleToZero feature gate (alpha, off by default)
  if (spec.minReplicas !== undefined && !(Number.isInteger(spec.minReplicas) && spec.minReplicas >= 1)) out.push(`spec.minReplicas: must be >= 1, got ${spec.minReplicas}`);
  if (!(Number.isInteger(spec.maxReplicas) && spec.maxReplicas >= 1)) out.push(`spec.maxReplicas: must be >= 1, got ${spec.maxReplicas}`);
  if (spec.maxReplicas < (spec.minReplicas ?? 1)) out.push(`spec.maxReplicas: must be >= minReplicas (${spec.minReplicas ?? 1}), got ${spec.maxReplicas}`);
  ((spec.metrics ?? []) as Obj[]).forEach((m, i) => {
    const path = `spec.metrics[${i}]`;
    if (m.type === 'Resource') {
      const target: Obj = m.resource?.target ?? {};
      if (!m.resource?.name) out.push(`${path}.resource.name: is required`);
      if (target.type === 'Utilization' && !(Number.isInteger(target.averageUtilization) && target.averageUtilization >= 1)) {
        out.push(`${path}.resource.target.averageUtilization: must be >= 1 for type Utilization, got ${target.averageUtilization}`);
      }
      if (!['Utilization', 'AverageValue'].includes(target.type)) out.push(`${path}.resource.target.type: must be Utilization or AverageValue for a Resource metric`);
    } else if (!['Object', 'Pods', 'External', 'ContainerResource'].includes(m.type)) {
      out.push(`${path}.type: unknown metric source type ${m.type}`);
    }
  });
  for (const dir of ['scaleUp', 'scaleDown']) {
    const w = spec.behavior?.[dir]?.stabilizationWindowSeconds;
    if (w !== undefined && !(Number.isInteger(w) && w >= 0 && w <= 3600)) out.push(`spec.behavior.${dir}.stabilizationWindowSeconds: must be 0..3600, got ${w}`);
  }
  // our backends emit the HPA together with the Rollout it scales; Deployments only when the list has some
  if (objects && ref.name && (ref.kind === 'Rollout' || objects.some((o) => o.kind === ref.kind))) {
    const found = findObjects(objects, ref.kind, ref.name, hpa.metadata?.namespace).filter((o) => o.apiVersion === ref.apiVersion);
    if (found.length === 0) out.push(`spec.scaleTargetRef: no ${ref.apiVersion} ${ref.kind} named ${ref.name} among the objects`);
  }
  return out;
}

/** A core Ingress (networking.k8s.io/v1): the API server's validation. */
export function ingressProblems(ing: Obj): string[] {
  const out: string[] = [];
  const spec: Obj = ing.spec ?? {};
  const rules: Obj[] = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) out.push('spec: either defaultBackend or rules must be specified');
  const backendProblems = (b: Obj, path: string) => {
    if ((b.service === undefined) === (b.resource === undefined)) out.push(`${path}: exactly one of service and resource is required`);
    if (b.service) {
      if (!DNS1123_LABEL.test(b.service.name ?? '')) out.push(`${path}.service.name: ${b.service.name} is not a DNS-1035 label`);
      const port: Obj = b.service.port ?? {};
      if ((port.number === undefined) === (port.name === undefined)) out.push(`${path}.service.port: exactly one of number and name is required`);
      if (port.number !== undefined && !(Number.isInteger(port.number) && port.number >= 1 && port.number <= 65535)) out.push(`${path}.service.port.number: invalid port ${port.number}`);
    }
  };
  if (spec.defaultBackend) backendProblems(spec.defaultBackend, 'spec.defaultBackend');
  rules.forEach((r, i) => {
    const path = `spec.rules[${i}]`;
    if (r.host !== undefined) {
      const host = String(r.host).startsWith('*.') ? String(r.host).slice(2) : String(r.host);
      if (!DNS1123_SUBDOMAIN.test(host) || /^\d+(\.\d+){3}$/.test(host)) out.push(`${path}.host: ${r.host} must be a DNS name, not an IP address`);
    }
    const paths: Obj[] = r.http?.paths ?? [];
    if (r.http !== undefined && paths.length === 0) out.push(`${path}.http.paths: at least one path is required`);
    paths.forEach((p, j) => {
      const pp = `${path}.http.paths[${j}]`;
      if (!['Exact', 'Prefix', 'ImplementationSpecific'].includes(p.pathType)) out.push(`${pp}.pathType: must be Exact, Prefix or ImplementationSpecific, got ${p.pathType}`);
      if (p.pathType !== 'ImplementationSpecific' && !String(p.path ?? '').startsWith('/')) out.push(`${pp}.path: must be an absolute path, got ${p.path}`);
      backendProblems(p.backend ?? {}, `${pp}.backend`);
    });
  });
  return out;
}

/** An Istio DestinationRule: host and unique subset names. */
export function destinationRuleProblems(dr: Obj): string[] {
  const out: string[] = [];
  if (!dr.spec?.host) out.push('spec.host: is required');
  const names = new Set<string>();
  ((dr.spec?.subsets ?? []) as Obj[]).forEach((s, i) => {
    if (!s.name) out.push(`spec.subsets[${i}].name: is required`);
    if (names.has(s.name)) out.push(`spec.subsets[${i}].name: duplicate subset name ${s.name}`);
    names.add(s.name);
  });
  return out;
}

// ---------------------------------------------------------------------------
// Argo Rollouts (argoproj.io/v1alpha1)

const GO_DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;

/** Seconds of a Go duration string (time.ParseDuration), or undefined when Go cannot parse it. */
export function goDurationSeconds(text: string): number | undefined {
  if (/^[-+]?0$/.test(text)) return 0;
  if (!GO_DURATION.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(m[1]) * GO_DURATION_UNITS[m[2]];
  return sign * total;
}

/** An int-or-string as Argo resolves it after argument substitution: a number, 'templated', or undefined when invalid. */
function intOrString(value: unknown): number | 'templated' | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (/\{\{.*\}\}/.test(value)) return 'templated';
  return /^[-+]?\d+$/.test(value) ? Number(value) : undefined;
}

/** maxSurge / maxUnavailable: an int or "N%"; the value compared with 0. */
function surgeValue(value: unknown): number | undefined {
  if (value === undefined) return 25;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(String(value));
  return m ? Number(m[1]) : undefined;
}

/** Names Argo sets as `rollouts-pod-template-hash` on Services and subsets; excluded from selector comparisons. */
const POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';
const PROVIDERS = ['prometheus', 'job', 'web', 'wavefront', 'kayenta', 'datadog', 'newRelic', 'cloudWatch', 'graphite', 'influxdb', 'skywalking'];
const DOWNWARD_PATH = /^metadata\.(name|namespace|uid|(labels|annotations)\['[^']+'\])$/;

/** Whether `labels` satisfy a label selector (matchLabels and matchExpressions). */
function selectorMatches(selector: Obj, labels: Obj): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of (selector.matchExpressions ?? []) as Obj[]) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = e.values ?? [];
    const ok = e.operator === 'In' ? has && values.includes(labels[e.key])
      : e.operator === 'NotIn' ? !has || !values.includes(labels[e.key])
        : e.operator === 'Exists' ? has
          : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

function trafficRouters(tr: Obj | undefined): string[] {
  return tr ? ['alb', 'ambassador', 'apisix', 'appMesh', 'istio', 'nginx', 'plugins', 'smi', 'traefik'].filter((k) => tr[k] !== undefined) : [];
}

/** A string match of setHeaderRoute / setMirrorRoute: exactly one of exact, regex, prefix. */
function matchValueProblem(value: Obj | undefined, path: string): string | undefined {
  const set = ['exact', 'regex', 'prefix'].filter((k) => value?.[k] !== undefined && value?.[k] !== '');
  return set.length === 1 ? undefined : `${path}: set exactly one of exact, regex or prefix, got ${set.join(', ') || 'none'}`;
}

function analysisArgProblems(args: readonly Obj[], path: string, out: string[]): void {
  args.forEach((a, i) => {
    const fieldPath: string | undefined = a.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath !== undefined && fieldPath.startsWith('metadata') && !DOWNWARD_PATH.test(fieldPath)) {
      out.push(`${path}.args[${i}].valueFrom.fieldRef.fieldPath: ${fieldPath} is not a valid metadata path`);
    }
    const hash = a.valueFrom?.podTemplateHashValue;
    if (hash !== undefined && hash !== 'Stable' && hash !== 'Latest') out.push(`${path}.args[${i}].valueFrom.podTemplateHashValue: must be Stable or Latest, got ${hash}`);
  });
}

/** The single-object rules of a Rollout (pkg/apis/rollouts/validation/validation.go). */
function rolloutSpecProblems(ro: Obj): string[] {
  const out: string[] = [];
  const spec: Obj = ro.spec ?? {};
  for (const k of ['replicas', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds']) {
    if (spec[k] !== undefined && !(spec[k] >= 0)) out.push(`spec.${k}: must be >= 0, got ${spec[k]}`);
  }
  if ((spec.progressDeadlineSeconds ?? 600) <= (spec.minReadySeconds ?? 0)) out.push('spec.progressDeadlineSeconds: must be greater than minReadySeconds');
  const template: Obj | undefined = spec.template;
  const hasTemplate = template !== undefined && Object.keys(template).length > 0;
  if (spec.workloadRef !== undefined && hasTemplate) out.push('spec: workloadRef and template are mutually exclusive');
  if (spec.workloadRef === undefined) {
    const selector: Obj | undefined = spec.selector;
    const empty = !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
    if (empty) out.push('spec.selector: is required and must not be empty');
    const labels: Obj = template?.metadata?.labels ?? {};
    if (!empty && !selectorMatches(selector!, labels)) out.push('spec.template.metadata.labels: `selector` does not match template `labels`');
    const podSpec: Obj = template?.spec ?? {};
    if (podSpec.restartPolicy !== undefined && podSpec.restartPolicy !== 'Always') out.push(`spec.template.spec.restartPolicy: must be Always, got ${podSpec.restartPolicy}`);
    const containers: Obj[] = podSpec.containers ?? [];
    if (containers.length === 0) out.push('spec.template.spec.containers: at least one container is required');
    const names = new Set<string>();
    containers.forEach((c, i) => {
      const path = `spec.template.spec.containers[${i}]`;
      if (!DNS1123_LABEL.test(c.name ?? '') || c.name.length > 63) out.push(`${path}.name: ${c.name} is not a DNS-1123 label`);
      if (names.has(c.name)) out.push(`${path}.name: duplicate container name ${c.name}`);
      names.add(c.name);
      if (!c.image) out.push(`${path}.image: is required`);
      const portNames = new Set<string>();
      ((c.ports ?? []) as Obj[]).forEach((p, j) => {
        if (!(Number.isInteger(p.containerPort) && p.containerPort >= 1 && p.containerPort <= 65535)) out.push(`${path}.ports[${j}].containerPort: invalid port ${p.containerPort}`);
        if (p.name !== undefined) {
          if (p.name.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name) || !/[a-z]/.test(p.name)) out.push(`${path}.ports[${j}].name: ${p.name} is not an IANA service name`);
          if (portNames.has(p.name)) out.push(`${path}.ports[${j}].name: duplicate port name ${p.name}`);
          portNames.add(p.name);
        }
      });
    });
  }

  const strategy: Obj = spec.strategy ?? {};
  if ((strategy.canary === undefined) === (strategy.blueGreen === undefined)) out.push('spec.strategy: exactly one of canary and blueGreen is required');
  for (const [name, s] of [['canary', strategy.canary], ['blueGreen', strategy.blueGreen]] as const) {
    const aa: Obj | undefined = s?.antiAffinity;
    if (aa === undefined) continue;
    const set = ['preferredDuringSchedulingIgnoredDuringExecution', 'requiredDuringSchedulingIgnoredDuringExecution'].filter((k) => aa[k] !== undefined);
    if (set.length !== 1) out.push(`spec.strategy.${name}.antiAffinity: set exactly one of preferred… and required…`);
    const w = aa.preferredDuringSchedulingIgnoredDuringExecution?.weight;
    if (w !== undefined && !(w >= 1 && w <= 100)) out.push(`spec.strategy.${name}.antiAffinity: preferred weight must be 1..100, got ${w}`);
  }
  const bg: Obj | undefined = strategy.blueGreen;
  if (bg?.previewService !== undefined && bg.previewService === bg.activeService) out.push('spec.strategy.blueGreen: previewService must differ from activeService');
  const canary: Obj | undefined = strategy.canary;
  if (canary) out.push(...canaryProblems(canary));
  return out;
}

function canaryProblems(canary: Obj): string[] {
  const out: string[] = [];
  const path = 'spec.strategy.canary';
  const surge = surgeValue(canary.maxSurge);
  const unavailable = surgeValue(canary.maxUnavailable);
  if (surge === undefined) out.push(`${path}.maxSurge: must be an int or a percent, got ${canary.maxSurge}`);
  if (unavailable === undefined) out.push(`${path}.maxUnavailable: must be an int or a percent, got ${canary.maxUnavailable}`);
  if (surge === 0 && unavailable === 0) out.push(`${path}: maxSurge and maxUnavailable cannot both be 0`);
  if (canary.stableService && canary.stableService === canary.canaryService) out.push(`${path}: stableService and canaryService must be different Services, both are ${canary.stableService}`);

  const tr: Obj | undefined = canary.trafficRouting;
  const routers = trafficRouters(tr);
  const pingPong: Obj | undefined = canary.pingPong;
  if (pingPong !== undefined) {
    if (!pingPong.pingService || !pingPong.pongService) out.push(`${path}.pingPong: pingService and pongService are both required`);
    else if (pingPong.pingService === pingPong.pongService) out.push(`${path}.pingPong: pingService and pongService must differ`);
    if (!routers.some((r) => ['alb', 'istio', 'plugins'].includes(r))) out.push(`${path}.pingPong: only works with ALB, Istio or plugins`);
    if (tr?.alb !== undefined && !tr.alb.rootService) out.push(`${path}.trafficRouting.alb.rootService: is required with pingPong`);
  }
  const istioHostSplit = tr?.istio !== undefined && tr.istio.destinationRule === undefined;
  const needServices = pingPong === undefined && (
    routers.some((r) => ['alb', 'smi', 'apisix', 'ambassador', 'nginx', 'appMesh', 'traefik'].includes(r)) || istioHostSplit);
  if (needServices && (!canary.stableService || !canary.canaryService)) {
    out.push(`${path}: stableService and canaryService are required with trafficRouting ${routers.join(', ')}${istioHostSplit ? ' (Istio host-level split)' : ''}`);
  }
  if ((canary.scaleDownDelaySeconds !== undefined || canary.dynamicStableScale) && tr === undefined) out.push(`${path}: scaleDownDelaySeconds and dynamicStableScale need trafficRouting`);
  if (canary.scaleDownDelaySeconds !== undefined && canary.dynamicStableScale) out.push(`${path}: scaleDownDelaySeconds and dynamicStableScale cannot be used together`);
  if (tr?.maxTrafficWeight !== undefined && !(tr.nginx !== undefined || tr.plugins !== undefined)) out.push(`${path}.trafficRouting.maxTrafficWeight: only allowed with Nginx or plugins`);
  if (tr?.istio !== undefined && (tr.istio.virtualService === undefined) === (tr.istio.virtualServices === undefined)) {
    out.push(`${path}.trafficRouting.istio: set exactly one of virtualService and virtualServices`);
  }
  if (tr?.nginx !== undefined && (tr.nginx.stableIngress === undefined) === (tr.nginx.stableIngresses === undefined)) {
    out.push(`${path}.trafficRouting.nginx: set exactly one of stableIngress and stableIngresses`);
  }
  if (tr?.alb !== undefined && (tr.alb.ingress === undefined) === (tr.alb.ingresses === undefined)) out.push(`${path}.trafficRouting.alb: set exactly one of ingress and ingresses`);

  const maxWeight = tr?.maxTrafficWeight ?? 100;
  const managed = new Set(((tr?.managedRoutes ?? []) as Obj[]).map((r) => r.name));
  ((canary.steps ?? []) as Obj[]).forEach((step, i) => {
    const sp = `${path}.steps[${i}]`;
    const actions = ['setWeight', 'pause', 'experiment', 'analysis', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute', 'plugin'].filter((k) => step[k] !== undefined);
    if (actions.length === 0) out.push(`${sp}: a step must set one of setWeight, pause, experiment, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute or plugin`);
    const exclusive = ['setWeight', 'pause', 'experiment', 'analysis'].filter((k) => step[k] !== undefined);
    if (exclusive.length > 1) out.push(`${sp}: at most one of setWeight, pause, experiment and analysis per step, got ${exclusive.join(', ')}`);
    if (step.setWeight !== undefined && !(step.setWeight >= 0 && step.setWeight <= maxWeight)) out.push(`${sp}.setWeight: must be 0..${maxWeight}, got ${step.setWeight}`);
    if (step.pause !== undefined && step.pause.duration !== undefined) {
      const d = step.pause.duration;
      const seconds = typeof d === 'number' ? d : /^[-+]?\d+$/.test(String(d)) ? Number(d) : goDurationSeconds(String(d));
      if (seconds === undefined || !Number.isFinite(seconds)) {
        out.push(`${sp}.pause.duration: ${JSON.stringify(d)} is neither an integer nor a Go duration (units ns, us, ms, s, m, h)`);
      } else if (seconds < 0) {
        out.push(`${sp}.pause.duration: must not be negative, got ${JSON.stringify(d)}`);
      }
    }
    if (step.setCanaryScale !== undefined && tr === undefined) out.push(`${sp}.setCanaryScale: requires trafficRouting`);
    if (step.setHeaderRoute !== undefined) {
      if (!routers.some((r) => ['istio', 'alb', 'apisix', 'plugins'].includes(r))) out.push(`${sp}.setHeaderRoute: requires trafficRouting with Istio, ALB, Apisix or a plugin`);
      ((step.setHeaderRoute.match ?? []) as Obj[]).forEach((m, j) => {
        const problem = matchValueProblem(m.headerValue, `${sp}.setHeaderRoute.match[${j}].headerValue`);
        if (problem) out.push(problem);
        if (tr?.alb !== undefined && (m.headerValue?.regex !== undefined || m.headerValue?.prefix !== undefined)) out.push(`${sp}.setHeaderRoute.match[${j}]: ALB takes exact only`);
      });
    }
    if (step.setMirrorRoute !== undefined) {
      if (!routers.some((r) => ['istio', 'plugins'].includes(r))) out.push(`${sp}.setMirrorRoute: requires trafficRouting with Istio or a plugin`);
      ((step.setMirrorRoute.match ?? []) as Obj[]).forEach((m, j) => {
        for (const k of ['method', 'path']) {
          const problem = m[k] !== undefined ? matchValueProblem(m[k], `${sp}.setMirrorRoute.match[${j}].${k}`) : undefined;
          if (problem) out.push(problem);
        }
      });
    }
    for (const k of ['setHeaderRoute', 'setMirrorRoute']) {
      if (step[k] !== undefined && tr !== undefined && !managed.has(step[k].name)) {
        out.push(`${sp}.${k}.name: ${step[k].name} must be listed in trafficRouting.managedRoutes${managed.size === 0 ? ' (none are)' : ''}`);
      }
    }
    const templates: Obj[] = step.experiment?.templates ?? [];
    if (templates.some((t) => t.weight !== undefined) && !routers.some((r) => ['smi', 'alb', 'istio', 'plugins'].includes(r))) {
      out.push(`${sp}.experiment.templates: weight requires trafficRouting with SMI, ALB, Istio or plugins`);
    }
    if (step.analysis !== undefined) analysisArgProblems(step.analysis.args ?? [], `${sp}.analysis`, out);
    ((step.experiment?.analyses ?? []) as Obj[]).forEach((a, j) => analysisArgProblems(a.args ?? [], `${sp}.experiment.analyses[${j}]`, out));
  });
  return out;
}

/** The Services a Rollout references, by the field naming each. */
function referencedServices(ro: Obj): Array<[string, string]> {
  const s: Obj = ro.spec?.strategy ?? {};
  const c: Obj = s.canary ?? {};
  const b: Obj = s.blueGreen ?? {};
  const refs: Array<[string, string | undefined]> = [
    ['spec.strategy.canary.stableService', c.stableService],
    ['spec.strategy.canary.canaryService', c.canaryService],
    ['spec.strategy.canary.pingPong.pingService', c.pingPong?.pingService],
    ['spec.strategy.canary.pingPong.pongService', c.pingPong?.pongService],
    ['spec.strategy.blueGreen.activeService', b.activeService],
    ['spec.strategy.blueGreen.previewService', b.previewService],
  ];
  return refs.filter((r): r is [string, string] => !!r[1]);
}

/** An Istio route's destinations cover both sides: subsets (with a DestinationRule) or the stable and canary Services. */
function routeCoversBoth(route: Obj, canary: Obj): boolean {
  const dr: Obj | undefined = canary.trafficRouting?.istio?.destinationRule;
  const dests: Obj[] = ((route.route ?? []) as Obj[]).map((d) => d.destination ?? {});
  const short = (host: string | undefined) => String(host ?? '').split('.')[0];
  if (dr) return dests.some((d) => d.subset === dr.stableSubsetName) && dests.some((d) => d.subset === dr.canarySubsetName);
  return dests.some((d) => short(d.host) === canary.stableService) && dests.some((d) => short(d.host) === canary.canaryService);
}

function istioReferenceProblems(ro: Obj, objects: readonly Obj[], out: string[]): void {
  const canary: Obj = ro.spec.strategy.canary;
  const istio: Obj = canary.trafficRouting.istio;
  const ns = ro.metadata?.namespace;
  const managed = new Set(((canary.trafficRouting.managedRoutes ?? []) as Obj[]).map((r) => r.name));
  const refs: Obj[] = istio.virtualServices ?? (istio.virtualService ? [istio.virtualService] : []);
  refs.forEach((ref, i) => {
    const path = istio.virtualServices ? `spec.strategy.canary.trafficRouting.istio.virtualServices[${i}]` : 'spec.strategy.canary.trafficRouting.istio.virtualService';
    const [name, refNs] = String(ref.name ?? '').split('.');
    const vs = findObjects(objects, 'VirtualService', name, refNs ?? ns)[0];
    if (!vs) {
      out.push(`${path}.name: no VirtualService named ${ref.name} among the objects`);
      return;
    }
    const http: Obj[] = vs.spec?.http ?? [];
    if (ref.routes === undefined) {
      const unmanaged = http.filter((r) => !managed.has(r.name));
      if (unmanaged.length !== 1 && (ref.tlsRoutes === undefined && ref.tcpRoutes === undefined)) {
        out.push(`${path}.routes: omitted, so VirtualService ${name} must have exactly one HTTP route outside managedRoutes, got ${unmanaged.length}`);
      } else if (unmanaged.length === 1 && !routeCoversBoth(unmanaged[0], canary)) {
        out.push(`${path}: the HTTP route of VirtualService ${name} lacks a destination for the stable or the canary`);
      }
    }
    for (const routeName of (ref.routes ?? []) as string[]) {
      const route = http.find((r) => r.name === routeName);
      if (!route) out.push(`${path}.routes: HTTP route ${routeName} is not found in VirtualService ${name}`);
      else if (!routeCoversBoth(route, canary)) out.push(`${path}.routes: HTTP route ${routeName} of VirtualService ${name} needs destinations for both the stable and the canary`);
    }
  });
  const dr: Obj | undefined = istio.destinationRule;
  if (dr) {
    const [name, refNs] = String(dr.name ?? '').split('.');
    const found = findObjects(objects, 'DestinationRule', name, refNs ?? ns)[0];
    if (!found) {
      out.push(`spec.strategy.canary.trafficRouting.istio.destinationRule.name: no DestinationRule named ${dr.name} among the objects`);
    } else {
      const subsets = new Set(((found.spec?.subsets ?? []) as Obj[]).map((s) => s.name));
      for (const k of ['stableSubsetName', 'canarySubsetName']) {
        if (!subsets.has(dr[k])) out.push(`spec.strategy.canary.trafficRouting.istio.destinationRule.${k}: DestinationRule ${name} has no subset ${dr[k]}`);
      }
    }
  }
}

function ingressReferenceProblems(ro: Obj, objects: readonly Obj[], out: string[]): void {
  const canary: Obj = ro.spec.strategy.canary;
  const tr: Obj = canary.trafficRouting;
  const ns = ro.metadata?.namespace;
  const checks: Array<[string, string[], string]> = [];
  if (tr.nginx) checks.push(['spec.strategy.canary.trafficRouting.nginx', tr.nginx.stableIngresses ?? [tr.nginx.stableIngress], canary.stableService]);
  if (tr.alb) checks.push(['spec.strategy.canary.trafficRouting.alb', tr.alb.ingresses ?? [tr.alb.ingress], tr.alb.rootService ?? canary.stableService]);
  for (const [path, names, backend] of checks) {
    for (const name of names.filter((n) => n !== undefined)) {
      const ing = findObjects(objects, 'Ingress', name, ns)[0];
      if (!ing) {
        out.push(`${path}: no Ingress named ${name} among the objects`);
        continue;
      }
      const backends = ((ing.spec?.rules ?? []) as Obj[]).flatMap((r) => ((r.http?.paths ?? []) as Obj[]).map((p) => p.backend?.service?.name));
      if (!backends.includes(backend)) out.push(`${path}: Ingress ${name} has no rule whose backend is ${backend}`);
    }
  }
}

/** The referenced templates found among `objects`; problems for missing ones, duplicate metrics and conflicting arg values. */
function mergedTemplates(refs: readonly Obj[], objects: readonly Obj[], ns: string | undefined, path: string, out: string[]): Obj[] {
  const templates: Obj[] = [];
  refs.forEach((ref, i) => {
    const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    // cluster templates are shared and may be installed elsewhere: checked only when the list has some
    if (kind === 'ClusterAnalysisTemplate' && !objects.some((o) => o.kind === kind)) return;
    const found = findObjects(objects, kind, ref.templateName, kind === 'ClusterAnalysisTemplate' ? undefined : ns)[0];
    if (found) templates.push(found);
    else out.push(`${path}.templates[${i}].templateName: no ${kind} named ${ref.templateName} among the objects`);
  });
  const metricNames = new Set<string>();
  const argValues = new Map<string, string>();
  for (const t of templates) {
    for (const m of (t.spec?.metrics ?? []) as Obj[]) {
      if (metricNames.has(m.name)) out.push(`${path}: metric ${m.name} is defined in more than one referenced template`);
      metricNames.add(m.name);
    }
    for (const a of (t.spec?.args ?? []) as Obj[]) {
      if (a.value === undefined) continue;
      if (argValues.has(a.name) && argValues.get(a.name) !== a.value) out.push(`${path}: arg ${a.name} has different values in the referenced templates`);
      argValues.set(a.name, a.value);
    }
  }
  return templates;
}

function analysisReferenceProblems(ro: Obj, objects: readonly Obj[], out: string[]): void {
  const canary: Obj = ro.spec.strategy.canary;
  const ns = ro.metadata?.namespace;
  const uses: Array<[string, Obj, boolean]> = [];
  if (canary.analysis) uses.push(['spec.strategy.canary.analysis', canary.analysis, false]);
  ((canary.steps ?? []) as Obj[]).forEach((s, i) => {
    if (s.analysis) uses.push([`spec.strategy.canary.steps[${i}].analysis`, s.analysis, true]);
  });
  for (const [path, ref, terminating] of uses) {
    const templates = mergedTemplates(ref.templates ?? [], objects, ns, path, out);
    const supplied = new Set(((ref.args ?? []) as Obj[]).filter((a) => a.value !== undefined || a.valueFrom !== undefined).map((a) => a.name));
    for (const t of templates) {
      for (const a of (t.spec?.args ?? []) as Obj[]) {
        if (a.value === undefined && a.valueFrom === undefined && !supplied.has(a.name)) {
          out.push(`${path}.args: args.${a.name} of ${t.kind} ${t.metadata?.name} was not resolved (no value, and the Rollout supplies none)`);
        }
      }
      if (!terminating) continue;
      for (const m of (t.spec?.metrics ?? []) as Obj[]) {
        const count = intOrString(m.count);
        if (m.interval !== undefined && (m.count === undefined || count === 0)) {
          out.push(`${path}: metric ${m.name} of ${t.kind} ${t.metadata?.name} has an interval but no count, so the inline analysis would never end`);
        }
      }
    }
  }
}

/** A Rollout: its own rules, and with `objects` the references Argo validates at reconcile. */
export function rolloutProblems(ro: Obj, objects?: readonly Obj[]): string[] {
  const out = rolloutSpecProblems(ro);
  if (!objects) return out;
  const ns = ro.metadata?.namespace;
  const labels: Obj = ro.spec?.template?.metadata?.labels ?? {};
  // our backends emit a Rollout with the Services it names, so a missing one is a problem
  for (const [path, name] of referencedServices(ro)) {
    const svc = findObjects(objects, 'Service', name, ns)[0];
    if (!svc) {
      out.push(`${path}: no Service named ${name} among the objects`);
      continue;
    }
    for (const [k, v] of Object.entries(svc.spec?.selector ?? {})) {
      if (k !== POD_TEMPLATE_HASH && labels[k] !== v) out.push(`${path}: Service ${name} selects ${k}=${v}, which the pod template's labels do not carry`);
    }
    if (Object.keys(svc.spec?.selector ?? {}).length === 0) out.push(`${path}: Service ${name} has no selector`);
    const managedBy = svc.metadata?.annotations?.['argo-rollouts.argoproj.io/managed-by-rollouts'];
    if (managedBy !== undefined && managedBy !== ro.metadata?.name) out.push(`${path}: Service ${name} is managed by Rollout ${managedBy}`);
  }
  const canary: Obj | undefined = ro.spec?.strategy?.canary;
  if (canary?.trafficRouting?.istio) istioReferenceProblems(ro, objects, out);
  if (canary?.trafficRouting?.nginx || canary?.trafficRouting?.alb) ingressReferenceProblems(ro, objects, out);
  if (canary) analysisReferenceProblems(ro, objects, out);
  return out;
}

/** An AnalysisTemplate or ClusterAnalysisTemplate: the metric rules the AnalysisRun applies (utils/analysis/factory.go, helpers.go). */
export function analysisTemplateProblems(t: Obj): string[] {
  const out: string[] = [];
  const spec: Obj = t.spec ?? {};
  const metrics: Obj[] = spec.metrics ?? [];
  if (metrics.length === 0 && (spec.templates ?? []).length === 0) out.push('spec.metrics: at least one metric is required');
  const names = new Set<string>();
  const argNames = new Set<string>();
  ((spec.args ?? []) as Obj[]).forEach((a, i) => {
    if (a.value !== undefined && a.valueFrom !== undefined) out.push(`spec.args[${i}]: ${a.name} sets both value and valueFrom`);
    argNames.add(a.name);
  });
  metrics.forEach((m, i) => {
    const path = `spec.metrics[${i}]`;
    if (!m.name) out.push(`${path}.name: is required`);
    if (names.has(m.name)) out.push(`${path}.name: duplicate metric name ${m.name}`);
    names.add(m.name);
    const provider: Obj = m.provider ?? {};
    const set = PROVIDERS.filter((p) => provider[p] !== undefined);
    const plugins = Object.keys(provider.plugin ?? {});
    set.push(...plugins.map((p) => `plugin ${p}`));
    if (set.length === 0) out.push(`${path}.provider: no provider specified`);
    if (set.length > 1) out.push(`${path}.provider: multiple providers specified (${set.join(', ')})`);

    const limits: Record<string, number | 'templated' | undefined> = {};
    for (const k of ['count', 'failureLimit', 'inconclusiveLimit', 'consecutiveSuccessLimit', 'consecutiveErrorLimit']) {
      limits[k] = m[k] === undefined ? 0 : intOrString(m[k]);
      if (limits[k] === undefined) out.push(`${path}.${k}: ${JSON.stringify(m[k])} is not an integer`);
    }
    const n = (k: string) => (typeof limits[k] === 'number' ? (limits[k] as number) : undefined);
    const count = n('count');
    const failureLimit = n('failureLimit');
    const success = n('consecutiveSuccessLimit');
    const inconclusive = n('inconclusiveLimit');
    if (count !== undefined && count < 0) out.push(`${path}.count: must be >= 0, got ${count}`);
    if (success !== undefined && success < 0) out.push(`${path}.consecutiveSuccessLimit: must be >= 0, got ${success}`);
    if (failureLimit !== undefined && failureLimit < -1) out.push(`${path}.failureLimit: must be >= -1, got ${failureLimit}`);
    if (failureLimit === -1 && success === 0) out.push(`${path}: failureLimit -1 needs a consecutiveSuccessLimit above 0`);
    if (inconclusive !== undefined && inconclusive < 0) out.push(`${path}.inconclusiveLimit: must be >= 0, got ${inconclusive}`);
    if (n('consecutiveErrorLimit') !== undefined && n('consecutiveErrorLimit')! < 0) out.push(`${path}.consecutiveErrorLimit: must be >= 0`);
    if (count !== undefined && count > 0) {
      if (failureLimit !== undefined && success !== undefined && failureLimit >= 0 && success >= 0 && count < failureLimit + success) {
        out.push(`${path}.count: ${count} must be >= failureLimit + consecutiveSuccessLimit (${failureLimit + success})`);
      }
      if (failureLimit === -1 && success !== undefined && count < success) out.push(`${path}.count: ${count} must be >= consecutiveSuccessLimit (${success})`);
      if (inconclusive !== undefined && count < inconclusive) out.push(`${path}.count: ${count} must be >= inconclusiveLimit (${inconclusive})`);
    }
    if (count !== undefined && count > 1 && m.interval === undefined) out.push(`${path}.interval: is required when count > 1`);
    for (const k of ['interval', 'initialDelay']) {
      const v = m[k];
      if (v !== undefined && !/\{\{.*\}\}/.test(String(v)) && goDurationSeconds(String(v)) === undefined) out.push(`${path}.${k}: ${JSON.stringify(v)} is not a Go duration`);
    }
    // every {{args.x}} placeholder must name a declared arg, or the run fails with "Unable to resolve metric arguments"
    for (const match of JSON.stringify(m).matchAll(/\{\{\s*args\.([^}\s]+)\s*\}\}/g)) {
      if (!argNames.has(match[1])) out.push(`${path}: {{args.${match[1]}}} names no declared arg`);
    }
  });
  for (const k of ['dryRun', 'measurementRetention']) {
    const seen = new Set<string>();
    ((spec[k] ?? []) as Obj[]).forEach((d, i) => {
      const p = `spec.${k}[${i}].metricName`;
      if (seen.has(d.metricName)) out.push(`${p}: duplicate metricName ${d.metricName}`);
      seen.add(d.metricName);
      if (d.metricName === '*') return;
      let re: RegExp;
      try {
        re = new RegExp(d.metricName);
      } catch {
        out.push(`${p}: ${d.metricName} is not a regular expression`);
        return;
      }
      if (![...names].some((name) => re.test(name))) out.push(`${p}: ${d.metricName} matches no metric`);
    });
  }
  return out;
}

/**
 * Problems the semantic rules report for any object we emit (kinds without rules give none).
 * With `objects` (everything rendered together), the rules that follow references between objects run too.
 */
export function semanticProblems(obj: Obj, objects?: readonly Obj[]): string[] {
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case 'argoproj.io/v1alpha1/Rollout':
      return rolloutProblems(obj, objects);
    case 'argoproj.io/v1alpha1/AnalysisTemplate':
    case 'argoproj.io/v1alpha1/ClusterAnalysisTemplate':
      return analysisTemplateProblems(obj);
    case 'autoscaling/v2/HorizontalPodAutoscaler':
      return hpaProblems(obj, objects);
    case 'networking.k8s.io/v1/Ingress':
      return ingressProblems(obj);
    case 'networking.istio.io/v1/DestinationRule':
      return destinationRuleProblems(obj);
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
