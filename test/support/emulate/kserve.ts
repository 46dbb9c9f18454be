/**
 * What KServe (and, in Knative mode, Knative Serving) makes of the
 * `serving.kserve.io/v1beta1` InferenceServices we render: the defaulting and
 * validating webhooks, the predictor reconciler (runtime selection, runtime
 * container merge, `spec.canary[]`), the storage-initializer pod webhook, the
 * Deployments/Services of Standard mode, and the Knative Service of Knative mode
 * with Knative's own field masks and limits.
 *
 * Every rule is written in our own words from the upstream source; the comment
 * above each one names the file it comes from. Snapshots read:
 * kserve/kserve aaac4e29 (master, 2026-08), knative/serving 98e5ef90 (v1.23+),
 * dario.cat/mergo v1.0.2 (the version kserve's go.mod pins).
 *
 * Pods and Services are the desired state: they are emitted even when a webhook
 * or the API server would refuse the object that carries them, so a check can
 * still see *why*; `refused` says what would not be admitted or reconciled.
 */
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

// ---------------------------------------------------------------------------------------------
// Small JSON helpers
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function asObj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function asList(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A Go zero value as JSON shows it (what `omitempty`/reflect treat as "not set"). */
function isZeroScalar(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '';
}

/** A field counts as set for Knative's CheckDisallowedFields (knative.dev/pkg apis/field_error.go walks non-zero fields). */
function isSet(v: unknown): boolean {
  if (isZeroScalar(v)) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Quantities (k8s.io/apimachinery pkg/api/resource/quantity.go suffixes)
// ---------------------------------------------------------------------------------------------

/** A Kubernetes quantity as a number of base units (the kubelet emulation's parser). */
export { parseQuantity };

// ---------------------------------------------------------------------------------------------
// The default ClusterServingRuntimes (config/runtimes/*.yaml), restated
// ---------------------------------------------------------------------------------------------

/** A model format a runtime declares (`supportedModelFormats[]`). */
export interface RuntimeFormat {
  readonly name: string;
  readonly version?: string;
  readonly autoSelect?: boolean;
  readonly priority?: number;
}

/** A ServingRuntime/ClusterServingRuntime reduced to what the predictor reconciler reads. */
export interface RuntimeRow {
  readonly name: string;
  /** Upstream file (or the object) it comes from. */
  readonly source: string;
  /** `serving.kserve.io/server-type` annotation (drives SetRuntimeDefaults and UpdateImageTag). */
  readonly serverType?: string;
  readonly formats: readonly RuntimeFormat[];
  readonly protocols: readonly string[];
  /** Has a workerSpec: only picked for multi-node predictors (servingruntime_types.go IsMultiNodeRuntime). */
  readonly multiNode?: boolean;
  readonly disabled?: boolean;
  readonly namespace?: string;
  /** The runtime's containers (the one named `kserve-container` is merged with the predictor's). */
  readonly containers: readonly Obj[];
  /** Pod-level fields the merge reads (utils.go MergePodSpec): nodeSelector, affinity, tolerations, volumes, imagePullSecrets, schedulerName. */
  readonly pod?: Obj;
  readonly labels?: Readonly<Record<string, string>>;
}

// Every default runtime sets the same hardening and sizing on its container; restated once.
const RUNTIME_HARDENING = {
  allowPrivilegeEscalation: false,
  privileged: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};
const RUNTIME_RESOURCES = { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } };
const MODEL_SERVER_ARGS = ['--model_name={{.Name}}', '--model_dir=/mnt/models', '--http_port=8080'];
const DEVSHM_POD = { volumes: [{ name: 'devshm', emptyDir: { medium: 'Memory' } }] };
const DEVSHM_MOUNT = [{ name: 'devshm', mountPath: '/dev/shm' }];

function kserveContainer(image: string, extra: Obj): Obj {
  return {
    name: 'kserve-container',
    image,
    securityContext: RUNTIME_HARDENING,
    resources: RUNTIME_RESOURCES,
    ...extra,
  };
}

/**
 * The ClusterServingRuntimes a default KServe install ships, with the images
 * config/runtimes/kustomization.yaml substitutes for the `:replace` placeholders.
 */
export const KSERVE_RUNTIMES: readonly RuntimeRow[] = [
  // kserve/kserve config/runtimes/kserve-sklearnserver.yaml
  {
    name: 'kserve-sklearnserver',
    source: 'kserve/kserve config/runtimes/kserve-sklearnserver.yaml',
    serverType: 'sklearnserver',
    formats: [{ name: 'sklearn', version: '1', autoSelect: true, priority: 1 }],
    protocols: ['v1', 'v2'],
    containers: [kserveContainer('kserve/sklearnserver:latest', { args: MODEL_SERVER_ARGS })],
  },
  // kserve/kserve config/runtimes/kserve-xgbserver.yaml
  {
    name: 'kserve-xgbserver',
    source: 'kserve/kserve config/runtimes/kserve-xgbserver.yaml',
    serverType: 'xgbserver',
    formats: [{ name: 'xgboost', version: '2', autoSelect: true, priority: 1 }],
    protocols: ['v1', 'v2'],
    containers: [kserveContainer('kserve/xgbserver:latest', { args: [...MODEL_SERVER_ARGS, '--nthread=1'] })],
  },
  // kserve/kserve config/runtimes/kserve-lgbserver.yaml
  {
    name: 'kserve-lgbserver',
    source: 'kserve/kserve config/runtimes/kserve-lgbserver.yaml',
    serverType: 'lgbserver',
    formats: [{ name: 'lightgbm', version: '4', autoSelect: true, priority: 1 }],
    protocols: ['v1', 'v2'],
    containers: [kserveContainer('kserve/lgbserver:latest', { args: [...MODEL_SERVER_ARGS, '--nthread=1'] })],
  },
  // kserve/kserve config/runtimes/kserve-pmmlserver.yaml
  {
    name: 'kserve-pmmlserver',
    source: 'kserve/kserve config/runtimes/kserve-pmmlserver.yaml',
    serverType: 'pmmlserver',
    formats: [
      { name: 'pmml', version: '3', autoSelect: true, priority: 1 },
      { name: 'pmml', version: '4', autoSelect: true, priority: 1 },
    ],
    protocols: ['v1', 'v2'],
    containers: [kserveContainer('kserve/pmmlserver:latest', { args: MODEL_SERVER_ARGS })],
  },
  // kserve/kserve config/runtimes/kserve-paddleserver.yaml
  {
    name: 'kserve-paddleserver',
    source: 'kserve/kserve config/runtimes/kserve-paddleserver.yaml',
    serverType: 'paddleserver',
    formats: [{ name: 'paddle', version: '2', autoSelect: true, priority: 1 }],
    protocols: ['v1', 'v2'],
    containers: [kserveContainer('kserve/paddleserver:latest', { args: MODEL_SERVER_ARGS })],
  },
  // kserve/kserve config/runtimes/kserve-huggingfaceserver.yaml (no --http_port: the server's default 8080)
  {
    name: 'kserve-huggingfaceserver',
    source: 'kserve/kserve config/runtimes/kserve-huggingfaceserver.yaml',
    serverType: 'huggingfaceserver',
    formats: [{ name: 'huggingface', version: '1', autoSelect: true, priority: 1 }],
    protocols: ['v2', 'v1'],
    containers: [
      kserveContainer('kserve/huggingfaceserver:latest', {
        args: ['--model_name={{.Name}}'],
        env: [{ name: 'LMCACHE_USE_EXPERIMENTAL', value: 'True' }],
        volumeMounts: DEVSHM_MOUNT,
      }),
    ],
    pod: DEVSHM_POD,
  },
  // kserve/kserve config/runtimes/kserve-huggingfaceserver-multinode.yaml (has a workerSpec: multi-node predictors only)
  {
    name: 'kserve-huggingfaceserver-multinode',
    source: 'kserve/kserve config/runtimes/kserve-huggingfaceserver-multinode.yaml',
    serverType: 'huggingfaceserver',
    formats: [{ name: 'huggingface', version: '1', autoSelect: true, priority: 2 }],
    protocols: ['v2', 'v1'],
    multiNode: true,
    containers: [
      {
        name: 'kserve-container',
        image: 'kserve/huggingfaceserver:latest-gpu',
        args: ['--model_name={{.Name}}'],
        env: [
          { name: 'VLLM_CONFIG_ROOT', value: '/tmp' },
          { name: 'HF_HUB_CACHE', value: '/tmp' },
        ],
        resources: { requests: { cpu: '2', memory: '6Gi' }, limits: { cpu: '4', memory: '12Gi' } },
      },
    ],
  },
  // kserve/kserve config/runtimes/kserve-vllmserver.yaml (no protocolVersions: any protocol matches; no runAsNonRoot)
  {
    name: 'kserve-vllmserver',
    source: 'kserve/kserve config/runtimes/kserve-vllmserver.yaml',
    serverType: 'vllmserver',
    formats: [{ name: 'vLLM', version: '1', autoSelect: true, priority: 1 }],
    protocols: [],
    containers: [
      {
        name: 'kserve-container',
        image: 'vllm/vllm-openai:latest',
        command: ['python', '-m', 'vllm.entrypoints.openai.api_server'],
        args: ['--port=8080', '--served-model-name={{.Name}}', '--model=/mnt/models'],
        env: [
          { name: 'LMCACHE_USE_EXPERIMENTAL', value: 'True' },
          { name: 'HF_HOME', value: '/tmp' },
          { name: 'VLLM_CONFIG_ROOT', value: '/tmp' },
          { name: 'VLLM_WORKER_MULTIPROC_METHOD', value: 'spawn' },
        ],
        securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } },
        resources: RUNTIME_RESOURCES,
        readinessProbe: { httpGet: { path: '/v1/models', port: 8080 } },
        startupProbe: { httpGet: { path: '/v1/models', port: 8080 } },
        volumeMounts: DEVSHM_MOUNT,
      },
    ],
    pod: DEVSHM_POD,
  },
  // kserve/kserve config/runtimes/kserve-tensorflow-serving.yaml (runAsUser 1000: the image has no USER)
  {
    name: 'kserve-tensorflow-serving',
    source: 'kserve/kserve config/runtimes/kserve-tensorflow-serving.yaml',
    serverType: 'tensorflow-serving',
    formats: [
      { name: 'tensorflow', version: '1', autoSelect: true, priority: 2 },
      { name: 'tensorflow', version: '2', autoSelect: true, priority: 2 },
    ],
    protocols: ['v1', 'grpc-v1'],
    containers: [
      kserveContainer('tensorflow/serving:2.6.2', {
        command: ['/usr/bin/tensorflow_model_server'],
        args: [
          '--model_name={{.Name}}',
          '--port=9000',
          '--rest_api_port=8080',
          '--model_base_path=/mnt/models',
          '--rest_api_timeout_in_ms=60000',
        ],
        securityContext: { ...RUNTIME_HARDENING, runAsUser: 1000 },
      }),
    ],
  },
  // kserve/kserve config/runtimes/kserve-torchserve.yaml (runAsUser 1000; metrics on 8082)
  {
    name: 'kserve-torchserve',
    source: 'kserve/kserve config/runtimes/kserve-torchserve.yaml',
    serverType: 'torchserve',
    formats: [{ name: 'pytorch', version: '1', autoSelect: true, priority: 2 }],
    protocols: ['v1', 'v2', 'grpc-v2'],
    containers: [
      kserveContainer('pytorch/torchserve-kfs:0.9.0', {
        args: [
          'torchserve',
          '--start',
          '--model-store=/mnt/models/model-store',
          '--ts-config=/mnt/models/config/config.properties',
        ],
        env: [{ name: 'TS_SERVICE_ENVELOPE', value: '{{.Labels.serviceEnvelope}}' }],
        securityContext: { ...RUNTIME_HARDENING, runAsUser: 1000 },
      }),
    ],
  },
  // kserve/kserve config/runtimes/kserve-tritonserver.yaml (pytorch listed without autoSelect; runAsUser 1000)
  {
    name: 'kserve-tritonserver',
    source: 'kserve/kserve config/runtimes/kserve-tritonserver.yaml',
    serverType: 'tritonserver',
    formats: [
      { name: 'tensorrt', version: '8', autoSelect: true, priority: 1 },
      { name: 'tensorflow', version: '1', autoSelect: true, priority: 1 },
      { name: 'tensorflow', version: '2', autoSelect: true, priority: 1 },
      { name: 'onnx', version: '1', autoSelect: true, priority: 1 },
      { name: 'pytorch', version: '1' },
      { name: 'triton', version: '2', autoSelect: true, priority: 1 },
    ],
    protocols: ['v2', 'grpc-v2'],
    containers: [
      kserveContainer('nvcr.io/nvidia/tritonserver:23.05-py3', {
        args: [
          'tritonserver',
          '--model-store=/mnt/models',
          '--grpc-port=9000',
          '--http-port=8080',
          '--allow-grpc=true',
          '--allow-http=true',
        ],
        securityContext: { ...RUNTIME_HARDENING, runAsUser: 1000 },
      }),
    ],
  },
  // kserve/kserve config/runtimes/kserve-mlserver.yaml (v2 only; priority 2 beats the KServe servers for v2)
  {
    name: 'kserve-mlserver',
    source: 'kserve/kserve config/runtimes/kserve-mlserver.yaml',
    serverType: 'mlserver',
    formats: [
      { name: 'sklearn', version: '0', autoSelect: true, priority: 2 },
      { name: 'sklearn', version: '1', autoSelect: true, priority: 2 },
      { name: 'xgboost', version: '1', autoSelect: true, priority: 2 },
      { name: 'xgboost', version: '2', autoSelect: true, priority: 2 },
      { name: 'lightgbm', version: '3', autoSelect: true, priority: 2 },
      { name: 'lightgbm', version: '4', autoSelect: true, priority: 2 },
      { name: 'mlflow', version: '1', autoSelect: true, priority: 1 },
      { name: 'mlflow', version: '2', autoSelect: true, priority: 1 },
    ],
    protocols: ['v2'],
    containers: [
      kserveContainer('docker.io/seldonio/mlserver:1.7.1', {
        env: [
          { name: 'MLSERVER_MODEL_IMPLEMENTATION', value: '{{.Labels.modelClass}}' },
          { name: 'MLSERVER_HTTP_PORT', value: '8080' },
          { name: 'MLSERVER_GRPC_PORT', value: '9000' },
        ],
      }),
    ],
  },
];

/** A ServingRuntime / ClusterServingRuntime object from the input, as a runtime row. */
function runtimeFromObject(o: KubeObject): RuntimeRow {
  const spec = asObj(o.spec);
  const formats = asList(spec.supportedModelFormats).map((f) => ({
    name: String(f.name),
    version: typeof f.version === 'string' ? f.version : undefined,
    autoSelect: f.autoSelect === true,
    priority: typeof f.priority === 'number' ? f.priority : undefined,
  }));
  return {
    name: o.metadata.name,
    source: `${o.kind} ${o.metadata.name}`,
    serverType: o.metadata.annotations?.['serving.kserve.io/server-type'],
    formats,
    protocols: asStrings(spec.protocolVersions),
    multiNode: spec.workerSpec !== undefined,
    disabled: spec.disabled === true,
    namespace: o.kind === 'ServingRuntime' ? (o.metadata.namespace ?? 'default') : undefined,
    containers: asList(spec.containers),
    pod: {
      nodeSelector: spec.nodeSelector,
      affinity: spec.affinity,
      tolerations: spec.tolerations,
      volumes: spec.volumes,
      imagePullSecrets: spec.imagePullSecrets,
      schedulerName: spec.schedulerName,
    },
    labels: isObj(spec.labels) ? (spec.labels as Record<string, string>) : undefined,
  };
}

// kserve/kserve pkg/constants/constants.go GetProtocolVersionInt (v1 < v2 < grpc-v1 < grpc-v2 < unknown)
const PROTOCOL_RANK: Record<string, number> = { 'v1': 1, 'v2': 2, 'grpc-v1': 3, 'grpc-v2': 4 };
function protocolRank(protocols: readonly string[]): number {
  if (protocols.length === 0) return 5;
  return Math.min(...protocols.map((p) => PROTOCOL_RANK[p] ?? 5));
}

/**
 * The runtime the controller picks for a `model` predictor, or undefined.
 * kserve/kserve pkg/apis/serving/v1beta1/predictor_model.go GetSupportingRuntimes, RuntimeSupportsModel,
 * sortSupportedRuntimeByPriority; pkg/apis/serving/v1alpha1/servingruntime_types.go IsProtocolVersionSupported.
 */
export function selectRuntime(
  model: {
    readonly modelFormat?: { readonly name?: string; readonly version?: string };
    readonly runtime?: string;
    readonly protocolVersion?: string;
  },
  namespace: string,
  runtimes: readonly RuntimeRow[],
  multiNode = false,
): RuntimeRow | undefined {
  const format = model.modelFormat?.name ?? '';
  const wanted = model.modelFormat?.version !== undefined ? `${format}:${model.modelFormat.version}` : format;
  const named = model.runtime;
  // Format labels: every declared format when the runtime is named, else only autoSelect ones.
  const supports = (rt: RuntimeRow): boolean =>
    rt.formats.some(
      (f) => (named !== undefined || f.autoSelect === true) && (f.name === wanted || `${f.name}:${f.version}` === wanted),
    );
  if (named !== undefined) {
    const rt =
      runtimes.find((r) => r.name === named && r.namespace === namespace) ??
      runtimes.find((r) => r.name === named && r.namespace === undefined);
    return rt;
  }
  // GetProtocol: a model without protocolVersion is v1.
  const protocol = model.protocolVersion ?? 'v1';
  const fits = (rt: RuntimeRow): boolean =>
    !rt.disabled &&
    supports(rt) &&
    (rt.protocols.length === 0 || rt.protocols.includes(protocol)) &&
    (rt.multiNode === true) === multiNode;
  const priority = (rt: RuntimeRow): number | undefined => rt.formats.find((f) => f.name === format)?.priority;
  const order = (list: RuntimeRow[]): RuntimeRow[] =>
    list
      .sort((a, b) => protocolRank(a.protocols) - protocolRank(b.protocols) || a.name.localeCompare(b.name))
      // stable sort: a runtime with a priority beats one without; higher priority first
      .sort((a, b) => {
        const pa = priority(a);
        const pb = priority(b);
        if (pa === undefined && pb === undefined) return 0;
        if (pa === undefined) return 1;
        if (pb === undefined) return -1;
        return pb - pa;
      });
  const local = order(runtimes.filter((r) => r.namespace === namespace && fits(r)));
  const cluster = order(runtimes.filter((r) => r.namespace === undefined && fits(r)));
  return [...local, ...cluster][0];
}

// ---------------------------------------------------------------------------------------------
// Merges
// ---------------------------------------------------------------------------------------------

// The list fields strategic merge patch merges by key (k8s.io/api core/v1 types.go patchMergeKey tags).
const MERGE_KEYS: Record<string, string> = {
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  volumes: 'name',
  imagePullSecrets: 'name',
  containers: 'name',
  initContainers: 'name',
};

/** Strategic merge patch of JSON `patch` onto `base` for core/v1 types (k8s.io/apimachinery strategicpatch). */
export function strategicMerge(base: unknown, patch: unknown, field = ''): unknown {
  if (patch === undefined) return clone(base);
  if (isObj(base) && isObj(patch)) {
    const out: Obj = clone(base);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = strategicMerge(out[k], v, k);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && MERGE_KEYS[field] !== undefined) {
    const key = MERGE_KEYS[field];
    const out: unknown[] = clone(base);
    for (const item of patch) {
      const i = isObj(item) ? out.findIndex((b) => isObj(b) && b[key] === item[key]) : -1;
      if (i >= 0) out[i] = strategicMerge(out[i], item);
      else out.push(clone(item));
    }
    return out;
  }
  return clone(patch);
}

/**
 * The runtime container with the predictor's container laid over it.
 * kserve/kserve pkg/controller/v1beta1/inferenceservice/utils/utils.go MergeRuntimeContainers and
 * pkg/utils/container_merge.go MergeContainerWithPatch: strategic merge (the predictor wins field by field,
 * resources key by key, env by name), then args concatenated runtime-first, and an env entry left with both
 * value and valueFrom keeps the one the predictor set.
 */
export function mergeRuntimeContainer(runtime: Obj, isvc: Obj): Obj {
  const merged = asObj(strategicMerge(runtime, isvc));
  const args = [...asStrings(runtime.args), ...asStrings(isvc.args)];
  if (args.length > 0) merged.args = args;
  else delete merged.args;
  const overlayEnv = new Map(asList(isvc.env).map((e) => [e.name, e]));
  for (const e of asList(merged.env)) {
    const o = overlayEnv.get(e.name);
    if (!o || e.value === undefined || e.valueFrom === undefined) continue;
    if (o.valueFrom !== undefined) delete e.value;
    else if (o.value !== undefined) delete e.valueFrom;
  }
  if (merged.name === undefined || merged.name === '') merged.name = runtime.name;
  return merged;
}

// Go map-typed fields of PredictorSpec (mergo merges them key by key; everything else is a struct, slice or scalar).
const GO_MAPS = new Set(['nodeSelector', 'labels', 'annotations', 'limits', 'requests', 'parameters']);

/**
 * `mergo.Merge(&dst, src, mergo.WithOverride)` on JSON (dario.cat/mergo v1.0.2 merge.go deepMerge):
 * structs and pointers to structs merge field by field; Go maps merge key by key (src keys win, keys are
 * never removed); a non-empty slice replaces, an empty or absent one inherits; a scalar overrides only when
 * it is not its zero value (false, 0, "") — unless the destination pointer was nil, then src is taken as is.
 */
export function mergoOverride(dst: unknown, src: unknown, field = ''): unknown {
  if (src === undefined || src === null) return clone(dst);
  if (dst === undefined || dst === null) return clone(src);
  if (Array.isArray(src)) return src.length > 0 ? clone(src) : clone(dst);
  if (isObj(src) && isObj(dst)) {
    const out: Obj = clone(dst);
    for (const [k, v] of Object.entries(src)) {
      if (GO_MAPS.has(field)) {
        out[k] = clone(v); // map element: set whenever present in src
      } else {
        out[k] = mergoOverride(out[k], v, k);
      }
    }
    return out;
  }
  if (isObj(src) || isObj(dst)) return clone(src);
  return isZeroScalar(src) ? dst : src;
}

// ---------------------------------------------------------------------------------------------
// InferenceService defaulting (the mutating webhook)
// ---------------------------------------------------------------------------------------------

const FRAMEWORKS: Record<string, string> = {
  sklearn: 'sklearn',
  xgboost: 'xgboost',
  tensorflow: 'tensorflow',
  pytorch: 'pytorch',
  triton: 'triton',
  onnx: 'onnx',
  huggingface: 'huggingface',
  pmml: 'pmml',
  lightgbm: 'lightgbm',
  paddle: 'paddle',
};
// These shorthand specs get protocol v2 when none is set (inference_service_defaults.go assignTriton/ONNX/HuggingFaceRuntime).
const SHORTHAND_V2 = new Set(['triton', 'onnx', 'huggingface']);

// PredictorSpec keys that are not inline PodSpec fields (pkg/apis/serving/v1beta1/predictor.go, component.go).
const NON_POD_KEYS = new Set([
  'name',
  ...Object.keys(FRAMEWORKS),
  'model',
  'storageUris',
  'storageContainerName',
  'workerSpec',
  'minReplicas',
  'maxReplicas',
  'scaleTarget',
  'scaleMetric',
  'scaleMetricType',
  'autoScaling',
  'containerConcurrency',
  'timeout',
  'canaryTrafficPercent',
  'logger',
  'batcher',
  'labels',
  'annotations',
  'deploymentStrategy',
  'metrics',
  'behavior',
]);

/** Implementations a predictor spec carries (predictor.go GetImplementations). */
function implementations(p: Obj): string[] {
  const found = [...Object.keys(FRAMEWORKS), 'model'].filter((k) => isObj(p[k]));
  const containers = asList(p.containers);
  if (containers.length > 0 && (containers.some((c) => c.name === 'kserve-container') || found.length === 0)) {
    found.push('containers');
  }
  return found;
}

/** `resource` defaults of inferenceservice-config (config/configmap/inferenceservice.yaml `inferenceService`). */
export const KSERVE_RESOURCE_DEFAULTS = { cpuRequest: '1', memoryRequest: '2Gi', cpuLimit: '1', memoryLimit: '2Gi' };

/**
 * kserve/kserve pkg/apis/serving/v1beta1/inference_service_defaults.go setResourceRequirementDefaults:
 * each of requests.cpu/memory and limits.cpu/memory is filled independently, only when that key is absent.
 */
export function setResourceDefaults(resources: Obj | undefined): Obj {
  const r = clone(resources ?? {});
  const requests = asObj(r.requests);
  const limits = asObj(r.limits);
  if (requests.cpu === undefined) requests.cpu = KSERVE_RESOURCE_DEFAULTS.cpuRequest;
  if (requests.memory === undefined) requests.memory = KSERVE_RESOURCE_DEFAULTS.memoryRequest;
  if (limits.cpu === undefined) limits.cpu = KSERVE_RESOURCE_DEFAULTS.cpuLimit;
  if (limits.memory === undefined) limits.memory = KSERVE_RESOURCE_DEFAULTS.memoryLimit;
  return { ...r, requests, limits };
}

/**
 * The defaulting webhook on the stable predictor (it never touches spec.canary[]).
 * kserve/kserve pkg/apis/serving/v1beta1/inference_service_defaults.go DefaultInferenceService,
 * setPredictorModelDefaults, assign*Runtime; predictor_model.go Default (a no-op); predictor_custom.go Default.
 */
function defaultPredictor(p: Obj): void {
  for (const key of Object.keys(FRAMEWORKS)) {
    if (!isObj(p[key])) continue;
    const ext = clone(p[key] as Obj);
    if (SHORTHAND_V2.has(key) && ext.protocolVersion === undefined) ext.protocolVersion = 'v2';
    p.model = { ...ext, modelFormat: { name: FRAMEWORKS[key] } };
    delete p[key];
    break; // the switch takes the first framework set
  }
  const model = p.model;
  if (isObj(model)) {
    const format = asObj(model.modelFormat).name;
    if (model.protocolVersion === undefined && (format === 'triton' || format === 'vLLM')) model.protocolVersion = 'v2';
    return; // ModelSpec.Default sets nothing: resources come from the runtime container
  }
  const containers = asList(p.containers);
  if (containers.length > 0 && implementations(p).length === 1) {
    if (containers.length === 1 || !containers[0].name) containers[0].name = 'kserve-container';
    containers[0].resources = setResourceDefaults(asObj(containers[0].resources));
  }
}

// ---------------------------------------------------------------------------------------------
// The predictor reconciler: one pod spec per predictor
// ---------------------------------------------------------------------------------------------

interface BuiltPredictor {
  readonly spec: PodSpec;
  readonly runtime?: RuntimeRow;
  /** The predictor after the reconciler set runtime/protocol/env defaults (what a canary inherits). */
  readonly resolved: Obj;
}

/** Go text/template on ObjectMeta as ReplacePlaceholders runs it (a missing map key prints `<no value>`). */
function replacePlaceholders(
  container: Obj,
  meta: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> },
): Obj {
  const text = JSON.stringify(container).replace(/\{\{\s*\.(\w+)(?:\.(\w+))?\s*\}\}/g, (_m, field: string, key?: string) => {
    if (field === 'Name') return meta.name;
    if (field === 'Namespace') return meta.namespace;
    if (field === 'Labels' && key) return meta.labels[key] ?? '<no value>';
    if (field === 'Annotations' && key) return meta.annotations[key] ?? '<no value>';
    return '<no value>';
  });
  return JSON.parse(text) as Obj;
}

/** kserve/kserve pkg/utils/utils.go IsGPUEnabled: a limit on nvidia.com/gpu or an nvidia.com/mig-* resource. */
function gpuEnabled(resources: unknown): boolean {
  return Object.keys(asObj(asObj(resources).limits)).some((k) => k === 'nvidia.com/gpu' || k.startsWith('nvidia.com/mig'));
}

/** kserve/kserve pkg/controller/v1beta1/inferenceservice/utils/utils.go UpdateImageTag. */
function updateImageTag(container: Obj, runtimeVersion: string | undefined, serverType: string | undefined): void {
  const image = typeof container.image === 'string' ? container.image : '';
  if (image.includes('@sha256:')) return;
  const tagMatch = /(:[\w.\-_]*)$/.exec(image);
  if (runtimeVersion !== undefined) {
    container.image = tagMatch ? image.slice(0, tagMatch.index) + ':' + runtimeVersion : `${image}:${runtimeVersion}`;
    return;
  }
  if (!serverType || !tagMatch) return;
  const repo = image.slice(0, tagMatch.index);
  if (gpuEnabled(container.resources)) {
    if (['tensorflow-serving', 'torchserve', 'huggingfaceserver'].includes(serverType) && !image.endsWith('-gpu')) {
      container.image = `${image}-gpu`;
    }
  } else if (serverType === 'vllmserver' && !repo.endsWith('-cpu')) {
    container.image = `${repo}-cpu${tagMatch[1]}`;
  }
}

function upsertEnv(container: Obj, name: string, value: string, overwrite: boolean): void {
  const env = asList(container.env);
  const hit = env.find((e) => e.name === name);
  if (hit) {
    if (overwrite) {
      hit.value = value;
      delete hit.valueFrom;
    }
  } else {env.push({ name, value });}
  container.env = env;
}

/**
 * kserve/kserve pkg/apis/serving/v1beta1/inference_service_defaults.go SetRuntimeDefaults / SetMlServerDefaults /
 * SetTorchServeDefaults / SetTritonDefaults, run by the reconciler once the runtime is known.
 */
function setRuntimeDefaults(model: Obj, labels: Record<string, string>, isvcName: string, serverType: string | undefined): void {
  const hasStorage = model.storageUri !== undefined || model.storage !== undefined;
  const format = asObj(model.modelFormat).name;
  if (serverType === 'mlserver') {
    if (model.protocolVersion === undefined) model.protocolVersion = 'v2';
    if (!hasStorage) {upsertEnv(model, 'MLSERVER_LOAD_MODELS_AT_STARTUP', 'false', false);} else {
      upsertEnv(model, 'MLSERVER_MODEL_NAME', isvcName, false);
      upsertEnv(model, 'MLSERVER_MODEL_URI', '/mnt/models', false);
    }
    labels.modelClass =
      format === 'xgboost'
        ? 'mlserver_xgboost.XGBoostModel'
        : format === 'lightgbm'
          ? 'mlserver_lightgbm.LightGBMModel'
          : format === 'mlflow'
            ? 'mlserver_mlflow.MLflowRuntime'
            : 'mlserver_sklearn.SKLearnModel';
  } else if (serverType === 'torchserve') {
    if (model.protocolVersion === undefined) model.protocolVersion = 'v1';
    const v2 = model.protocolVersion === 'v2' || model.protocolVersion === 'grpc-v2';
    labels.serviceEnvelope = v2 ? 'kservev2' : 'kserve';
    model.env = [...asList(model.env), { name: 'PROTOCOL_VERSION', value: String(model.protocolVersion) }];
  } else if (serverType === 'tritonserver') {
    if (model.protocolVersion === undefined) model.protocolVersion = 'v2';
    if (!hasStorage) model.args = [...asStrings(model.args), '--model-control-mode=explicit'];
  }
}

// ModelSpec keys that are not container fields (predictor_model.go ModelSpec, predictor.go PredictorExtensionSpec).
const MODEL_NON_CONTAINER = new Set(['modelFormat', 'runtime', 'storageUri', 'runtimeVersion', 'protocolVersion', 'storage', 'confidential']);

interface IsvcMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * Builds one predictor's pod spec as the reconciler does before any Deployment/ksvc.
 * kserve/kserve pkg/controller/v1beta1/inferenceservice/components/predictor.go buildPredictorResources,
 * reconcileModel, buildPodSpec; utils/utils.go MergeServingRuntimeAndInferenceServiceSpecs, MergePodSpec.
 */
function buildPredictor(
  predictorIn: Obj,
  meta: IsvcMeta,
  runtimes: readonly RuntimeRow[],
  refuse: (line: string) => void,
): BuiltPredictor | undefined {
  const predictor = clone(predictorIn);
  const labels = { ...meta.labels };
  const podFields: Obj = {};
  for (const [k, v] of Object.entries(predictor)) if (!NON_POD_KEYS.has(k)) podFields[k] = v;

  let spec: Obj;
  let runtime: RuntimeRow | undefined;
  const model = predictor.model;
  if (isObj(model)) {
    const modelFormat = asObj(model.modelFormat);
    runtime = selectRuntime(
      {
        modelFormat: { name: modelFormat.name as string | undefined, version: modelFormat.version as string | undefined },
        runtime: model.runtime as string | undefined,
        protocolVersion: model.protocolVersion as string | undefined,
      },
      meta.namespace,
      runtimes,
      predictor.workerSpec !== undefined,
    );
    if (!runtime) {
      // predictor.go reconcileModel: "no runtime found to support predictor with model type" / GetServingRuntime not found.
      refuse(
        model.runtime !== undefined
          ? `controller: no ServingRuntime or ClusterServingRuntime named "${String(model.runtime)}" (kserve/kserve pkg/controller/v1beta1/inferenceservice/utils/utils.go GetServingRuntime)`
          : `controller: no runtime found to support model format ${JSON.stringify(modelFormat)} with protocol ${String(model.protocolVersion ?? 'v1')} (kserve/kserve pkg/controller/v1beta1/inferenceservice/components/predictor.go reconcileModel)`,
      );
      return undefined;
    }
    if (runtime.disabled) {
      refuse(`controller: runtime ${runtime.name} is disabled (kserve/kserve components/predictor.go reconcileModel)`);
      return undefined;
    }
    const protocol = model.protocolVersion === undefined ? undefined : String(model.protocolVersion);
    if (model.runtime !== undefined && protocol !== undefined && runtime.protocols.length > 0 && !runtime.protocols.includes(protocol)) {
      refuse(`controller: runtime ${runtime.name} does not support protocol ${String(model.protocolVersion)} (kserve/kserve components/predictor.go reconcileModel)`);
      return undefined;
    }
    model.runtime = runtime.name;
    setRuntimeDefaults(model, labels, meta.name, runtime.serverType);
    if (model.protocolVersion === undefined) {
      // reconcileModel: the runtime's lowest protocol version
      const rank = protocolRank(runtime.protocols);
      model.protocolVersion = Object.keys(PROTOCOL_RANK).find((p) => PROTOCOL_RANK[p] === rank);
    }
    const base = runtime.containers.find((c) => c.name === 'kserve-container');
    if (!base) {
      refuse(`controller: failed to find kserve-container in ServingRuntime ${runtime.name} containers (kserve/kserve utils/utils.go MergeServingRuntimeAndInferenceServiceSpecs)`);
      return undefined;
    }
    const isvcContainer: Obj = {};
    for (const [k, v] of Object.entries(model)) if (!MODEL_NON_CONTAINER.has(k)) isvcContainer[k] = v;
    let main = mergeRuntimeContainer(base, isvcContainer);
    main = replacePlaceholders(main, { ...meta, labels });
    updateImageTag(main, model.runtimeVersion as string | undefined, runtime.serverType);
    // MergePodSpec: the runtime's pod-level fields under the predictor's PodSpec.
    const runtimePod: Obj = {};
    for (const [k, v] of Object.entries(runtime.pod ?? {})) if (v !== undefined) runtimePod[k] = v;
    spec = asObj(strategicMerge(runtimePod, podFields));
    const containers: Obj[] = [main];
    // buildPodSpec: the runtime's other containers, then the predictor's (a transformer container merges instead).
    for (const c of runtime.containers) if (c.name !== 'kserve-container' && c.name !== 'transformer-container') containers.push(clone(c));
    const isvcTransformer = asList(predictor.containers).find((c) => c.name === 'transformer-container');
    if (isvcTransformer) containers.splice(1, 0, clone(isvcTransformer));
    for (const c of asList(predictor.containers)) if (c.name !== 'transformer-container') containers.push(clone(c));
    spec.containers = containers;
    Object.assign(labels, runtime.labels ?? {});
  } else {
    // Custom predictor: predictor.containers as given (predictor_custom.go GetContainer: the kserve-container).
    spec = clone(podFields);
  }
  Object.assign(labels, asObj(predictor.labels) as Record<string, string>);

  const containers = asList(spec.containers);
  // buildPredictorResources: INFERENCE_SERVICE_NAME on every container.
  for (const c of containers) upsertEnv(c, 'INFERENCE_SERVICE_NAME', meta.name, true);

  // Storage: the controller annotates the workload with the source URI and the pod webhook injects the
  // initializer (kserve/kserve pkg/webhook/admission/pod/storage_initializer_injector.go CommonStorageInitialization,
  // InjectStorageInitializer; pkg/utils/storage.go CreateInitContainerWithConfig, AddModelMount).
  const storageUri = isObj(model)
    ? (model.storageUri as string | undefined)
    : (asList(containers.find((c) => c.name === 'kserve-container')?.env).find((e) => e.name === 'STORAGE_URI')?.value as string | undefined);
  if (storageUri !== undefined) injectStorage(spec, storageUri, meta.annotations['storage.kserve.io/readonly'] !== 'false');

  return {
    spec: spec as unknown as PodSpec,
    runtime,
    resolved: { ...predictor, ...(isObj(model) ? { model } : {}), labels: { ...asObj(predictor.labels) }, _labels: labels },
  };
}

/** The storage-initializer image and sizing of inferenceservice-config `storageInitializer`. */
export const STORAGE_INITIALIZER = {
  image: 'kserve/storage-initializer:latest',
  resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '1', memory: '1Gi' } },
};

function injectStorage(spec: Obj, uri: string, readOnly: boolean): void {
  const containers = asList(spec.containers);
  const user = containers.find((c) => c.name === 'kserve-container') ?? containers[0];
  if (!user) return;
  const initContainers = asList(spec.initContainers);
  // The webhook skips a pod that already has the initializer, and oci:// (modelcar, not emulated here).
  if (initContainers.some((c) => c.name === 'storage-initializer') || uri.startsWith('oci')) return;
  const volumes = asList(spec.volumes);
  const mounts = (c: Obj): Obj[] => {
    c.volumeMounts = asList(c.volumeMounts);
    return c.volumeMounts as Obj[];
  };
  const transformer = containers.find((c) => c.name === 'transformer-container');
  if (uri.startsWith('pvc://')) {
    // pvc://<claim>/<path>: the claim mounted at /mnt/models with the path as subPath, no init container.
    const rest = uri.slice('pvc://'.length);
    const slash = rest.indexOf('/');
    const claim = slash < 0 ? rest : rest.slice(0, slash);
    const subPath = slash < 0 ? '' : rest.slice(slash + 1);
    for (const c of [user, transformer]) if (c) mounts(c).push({ name: 'kserve-pvc-source', mountPath: '/mnt/models', subPath, readOnly });
    volumes.push({ name: 'kserve-pvc-source', persistentVolumeClaim: { claimName: claim } });
  } else {
    initContainers.push({
      name: 'storage-initializer',
      image: STORAGE_INITIALIZER.image,
      args: [uri, '/mnt/models'],
      resources: clone(STORAGE_INITIALIZER.resources),
      volumeMounts: [{ name: 'kserve-provision-location', mountPath: '/mnt/models', readOnly: false }],
    });
    for (const c of [user, transformer]) if (c) mounts(c).push({ name: 'kserve-provision-location', mountPath: '/mnt/models', readOnly });
    volumes.push({ name: 'kserve-provision-location', emptyDir: {} });
    spec.initContainers = initContainers;
  }
  spec.volumes = volumes;
  for (const e of asList(user.env)) if (e.name === 'STORAGE_URI' && e.value) e.value = '/mnt/models';
}

// ---------------------------------------------------------------------------------------------
// API-server checks on the pod template (what the Deployment create would be refused for)
// ---------------------------------------------------------------------------------------------

/**
 * kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateResourceRequirements (runs on every
 * Deployment pod template): a request above its limit; an extended resource (e.g. nvidia.com/gpu) requested
 * without a limit, or with a request different from its limit.
 */
export function resourceViolations(container: Container): string[] {
  const out: string[] = [];
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  const standard = (k: string): boolean => ['cpu', 'memory', 'ephemeral-storage'].includes(k) || k.startsWith('hugepages-');
  for (const [k, rv] of Object.entries(requests)) {
    const lv = limits[k];
    const r = parseQuantity(rv);
    const l = parseQuantity(lv);
    if (standard(k)) {
      if (lv !== undefined && r !== undefined && l !== undefined && r > l) {
        out.push(`container ${container.name}: requests.${k} ${rv} must be less than or equal to the ${k} limit ${lv}`);
      }
    } else if (lv === undefined) {
      out.push(`container ${container.name}: requests.${k} ${rv} needs a limit (extended resources are not overcommitted)`);
    } else if (r !== l) {
      out.push(`container ${container.name}: requests.${k} ${rv} must equal limits.${k} ${lv}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Knative Serving: feature flags and field masks
// ---------------------------------------------------------------------------------------------

/** knative/serving config/core/configmaps/features.yaml and pkg/apis/config/features.go defaultFeaturesConfig. */
export const KNATIVE_DEFAULT_FEATURES: Readonly<Record<string, 'enabled' | 'disabled' | 'allowed'>> = {
  'multi-container': 'enabled',
  'secure-pod-defaults': 'disabled',
  'kubernetes.podspec-affinity': 'disabled',
  'kubernetes.podspec-topologyspreadconstraints': 'disabled',
  'kubernetes.podspec-hostaliases': 'disabled',
  'kubernetes.podspec-fieldref': 'disabled',
  'kubernetes.podspec-nodeselector': 'disabled',
  'kubernetes.podspec-runtimeclassname': 'disabled',
  'kubernetes.podspec-securitycontext': 'disabled',
  'kubernetes.podspec-shareprocessnamespace': 'disabled',
  'kubernetes.podspec-hostipc': 'disabled',
  'kubernetes.podspec-hostpid': 'disabled',
  'kubernetes.podspec-hostnetwork': 'disabled',
  'kubernetes.podspec-priorityclassname': 'disabled',
  'kubernetes.podspec-schedulername': 'disabled',
  'kubernetes.containerspec-addcapabilities': 'disabled',
  'kubernetes.podspec-tolerations': 'disabled',
  'kubernetes.podspec-volumes-emptydir': 'enabled',
  'kubernetes.podspec-volumes-hostpath': 'disabled',
  'kubernetes.podspec-volumes-mount-propagation': 'disabled',
  'kubernetes.podspec-volumes-csi': 'disabled',
  'kubernetes.podspec-volumes-ephemeral': 'disabled',
  'kubernetes.podspec-volumes-image': 'disabled',
  'kubernetes.podspec-persistent-volume-claim': 'disabled',
  'kubernetes.podspec-init-containers': 'disabled',
  'kubernetes.podspec-dnspolicy': 'disabled',
  'kubernetes.podspec-dnsconfig': 'disabled',
};

/** knative/serving pkg/apis/config/defaults.go DefaultMaxRevisionTimeoutSeconds (config-defaults max-revision-timeout-seconds). */
export const KNATIVE_MAX_REVISION_TIMEOUT_SECONDS = 600;

// knative/serving pkg/apis/serving/fieldmask.go PodSpecMask: pod fields and the flag that lets them through.
const POD_FIELD_FLAGS: Record<string, string | null> = {
  serviceAccountName: null,
  containers: null,
  volumes: null,
  imagePullSecrets: null,
  enableServiceLinks: null,
  affinity: 'kubernetes.podspec-affinity',
  topologySpreadConstraints: 'kubernetes.podspec-topologyspreadconstraints',
  hostAliases: 'kubernetes.podspec-hostaliases',
  nodeSelector: 'kubernetes.podspec-nodeselector',
  runtimeClassName: 'kubernetes.podspec-runtimeclassname',
  tolerations: 'kubernetes.podspec-tolerations',
  securityContext: 'kubernetes.podspec-securitycontext',
  shareProcessNamespace: 'kubernetes.podspec-shareprocessnamespace',
  priorityClassName: 'kubernetes.podspec-priorityclassname',
  schedulerName: 'kubernetes.podspec-schedulername',
  initContainers: 'kubernetes.podspec-init-containers',
  dnsPolicy: 'kubernetes.podspec-dnspolicy',
  dnsConfig: 'kubernetes.podspec-dnsconfig',
  hostIPC: 'kubernetes.podspec-hostipc',
  hostPID: 'kubernetes.podspec-hostpid',
  hostNetwork: 'kubernetes.podspec-hostnetwork',
};

// fieldmask.go ContainerMask: container fields always allowed (the rest are refused).
const CONTAINER_FIELDS = new Set([
  'name',
  'args',
  'command',
  'env',
  'workingDir',
  'envFrom',
  'image',
  'imagePullPolicy',
  'livenessProbe',
  'ports',
  'readinessProbe',
  'resources',
  'securityContext',
  'startupProbe',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'volumeMounts',
]);

// fieldmask.go VolumeSourceMask: volume sources and their flags (null: always allowed).
const VOLUME_FLAGS: Record<string, string | null> = {
  secret: null,
  configMap: null,
  projected: null,
  emptyDir: 'kubernetes.podspec-volumes-emptydir',
  persistentVolumeClaim: 'kubernetes.podspec-persistent-volume-claim',
  hostPath: 'kubernetes.podspec-volumes-hostpath',
  csi: 'kubernetes.podspec-volumes-csi',
  ephemeral: 'kubernetes.podspec-volumes-ephemeral',
  image: 'kubernetes.podspec-volumes-image',
};

// knative/serving pkg/apis/serving/k8s_validation.go reservedPorts (pkg/networking/constants.go; pprof 8008).
const KNATIVE_RESERVED_PORTS = new Set([8012, 8013, 8022, 9090, 9091, 8008]);
// k8s_validation.go reservedEnvVars.
const KNATIVE_RESERVED_ENV = new Set(['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION']);

/**
 * What Knative's webhook refuses in a Service's template pod spec, with the given feature flags.
 * knative/serving pkg/apis/serving/k8s_validation.go ValidatePodSpec (and what it calls) with the masks of
 * pkg/apis/serving/fieldmask.go; pkg/apis/serving/v1/revision_validation.go validateTimeoutSeconds.
 */
export function knativePodSpecViolations(
  spec: Obj,
  timeoutSeconds: number | undefined,
  features: Readonly<Record<string, string>> = KNATIVE_DEFAULT_FEATURES,
  maxTimeout = KNATIVE_MAX_REVISION_TIMEOUT_SECONDS,
): string[] {
  const flag = (k: string): string => features[k] ?? KNATIVE_DEFAULT_FEATURES[k] ?? 'disabled';
  const on = (k: string): boolean => flag(k) !== 'disabled';
  const out: string[] = [];
  const need = (field: string, f: string): string => `must not set the field(s): ${field} (needs config-features ${f}: enabled)`;

  for (const [k, v] of Object.entries(spec)) {
    if (!isSet(v)) continue;
    if (k === 'automountServiceAccountToken') {
      if (v !== false) out.push('must not set the field(s): automountServiceAccountToken (only false is allowed)');
      continue;
    }
    if (!(k in POD_FIELD_FLAGS)) {
      out.push(`must not set the field(s): ${k}`);
      continue;
    }
    const f = POD_FIELD_FLAGS[k];
    if (k === 'securityContext') continue; // field by field below
    if (f !== null && !on(f)) out.push(need(k, f));
  }

  // PodSpecMask + PodSecurityContextMask: with podspec-securitycontext disabled every field but seccompProfile
  // (kept only under secure-pod-defaults) is refused; seLinuxOptions, windowsOptions, sysctls, fsGroupChangePolicy always are.
  const psc = asObj(spec.securityContext);
  const secure = ['enabled', 'allowrootbounded'].includes(flag('secure-pod-defaults').toLowerCase());
  for (const [k, v] of Object.entries(psc)) {
    if (!isSet(v)) continue;
    if (['seLinuxOptions', 'windowsOptions', 'sysctls', 'fsGroupChangePolicy'].includes(k)) {
      out.push(`must not set the field(s): securityContext.${k}`);
    } else if (!on('kubernetes.podspec-securitycontext') && !(k === 'seccompProfile' && secure)) {
      out.push(need(`securityContext.${k}`, 'kubernetes.podspec-securitycontext'));
    }
  }

  // Volumes (validateVolume: emptyDir needs the flag to be exactly Enabled).
  for (const v of asList(spec.volumes)) {
    for (const [k, src] of Object.entries(v)) {
      if (k === 'name' || !isSet(src)) continue;
      if (!(k in VOLUME_FLAGS)) {out.push(`volume ${String(v.name)}: must not set the field(s): ${k}`);} else {
        const f = VOLUME_FLAGS[k];
        if (f === null) continue;
        if (k === 'emptyDir' ? flag(f) !== 'enabled' : !on(f)) {
          out.push(`volume ${String(v.name)}: ${k} volume support is disabled (needs config-features ${f}: enabled)`);
        }
      }
    }
  }

  // Ports across containers (validateContainersPorts).
  const containers = asList(spec.containers);
  const portCount = containers.reduce((n, c) => n + asList(c.ports).length, 0);
  if (portCount === 0 && containers.length > 1) out.push('containers[*]: missing field(s): ports (several containers and none names the serving port)');
  if (portCount > 1) out.push('containers[*].ports: more than one container port is set (only a single port is allowed across all containers)');
  if (containers.length > 1 && flag('multi-container') !== 'enabled') out.push(`multi-container is off, but found ${containers.length} containers`);

  for (const c of containers) {
    const where = `containers[${String(c.name)}]`;
    for (const [k, v] of Object.entries(c)) {
      if (isSet(v) && !CONTAINER_FIELDS.has(k)) out.push(`${where}: must not set the field(s): ${k}`);
    }
    if (c.name === 'queue-proxy') out.push(`${where}: "queue-proxy" is a reserved container name`);
    const ports = asList(c.ports);
    if (ports.length > 0) {
      const p = ports[0];
      if (KNATIVE_RESERVED_PORTS.has(Number(p.containerPort))) out.push(`${where}.ports: ${String(p.containerPort)} is a reserved port`);
      if (p.name !== undefined && !['', 'h2c', 'http1'].includes(String(p.name))) {
        out.push(`${where}.ports: Port name ${String(p.name)} is not allowed (must be empty, h2c or http1)`);
      }
      if (p.protocol !== undefined && p.protocol !== 'TCP') out.push(`${where}.ports: invalid protocol ${String(p.protocol)}`);
      for (const e of asList(c.env)) if (KNATIVE_RESERVED_ENV.has(String(e.name))) out.push(`${where}.env: ${String(e.name)} is a reserved environment variable`);
    }
    for (const e of asList(c.env)) {
      const from = asObj(e.valueFrom);
      if ((isSet(from.fieldRef) || isSet(from.resourceFieldRef)) && !on('kubernetes.podspec-fieldref')) {
        out.push(`${where}.env[${String(e.name)}]: ${need('valueFrom.fieldRef', 'kubernetes.podspec-fieldref')}`);
      }
    }
    // SecurityContextMask / CapabilitiesMask.
    const sc = asObj(c.securityContext);
    for (const [k, v] of Object.entries(sc)) {
      if (!isSet(v)) continue;
      if (k === 'privileged') {out.push(`${where}: must not set the field(s): securityContext.privileged (only false is allowed)`);} else if (!['capabilities', 'readOnlyRootFilesystem', 'runAsUser', 'runAsGroup', 'runAsNonRoot', 'allowPrivilegeEscalation', 'seccompProfile'].includes(k)) {
        out.push(`${where}: must not set the field(s): securityContext.${k}`);
      }
    }
    const add = asStrings(asObj(sc.capabilities).add);
    if (add.length > 0 && flag('kubernetes.containerspec-addcapabilities') !== 'enabled' && !(secure && add.length === 1 && add[0] === 'NET_BIND_SERVICE')) {
      out.push(`${where}: ${need('securityContext.capabilities.add', 'kubernetes.containerspec-addcapabilities')}`);
    }
    // VolumeMountMask: mountPropagation needs its flag.
    for (const m of asList(c.volumeMounts)) {
      if (isSet(m.mountPropagation) && !on('kubernetes.podspec-volumes-mount-propagation')) {
        out.push(`${where}.volumeMounts[${String(m.name)}]: ${need('mountPropagation', 'kubernetes.podspec-volumes-mount-propagation')}`);
      }
    }
  }

  if (timeoutSeconds !== undefined && (timeoutSeconds > maxTimeout || timeoutSeconds < 0)) {
    out.push(`expected 0 <= ${timeoutSeconds} <= ${maxTimeout}: spec.template.spec.timeoutSeconds (config-defaults max-revision-timeout-seconds)`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The emulation
// ---------------------------------------------------------------------------------------------

export interface KServeEmulationOptions {
  /** config-features of Knative Serving (missing keys take Knative's defaults). */
  readonly knativeFeatures?: Record<string, 'enabled' | 'disabled' | 'allowed'>;
  /** config-defaults max-revision-timeout-seconds (default 600). */
  readonly maxRevisionTimeoutSeconds?: number;
  /**
   * inferenceservice-config `deploy.defaultDeploymentMode` for InferenceServices without the annotation.
   * The shipped config/configmap/inferenceservice.yaml says "Serverless" (= Knative).
   */
  readonly defaultDeploymentMode?: 'Standard' | 'Knative';
}

const DEPLOYMENT_MODE = 'serving.kserve.io/deploymentMode';

/** kserve/kserve pkg/constants/constants.go PredictorServiceName. */
export function predictorServiceName(isvc: string, predictorName?: string): string {
  return predictorName ? `${isvc}-${predictorName}-predictor` : `${isvc}-predictor`;
}

/**
 * kserve/kserve pkg/controller/v1beta1/inferenceservice/reconcilers/deployment/deployment_reconciler.go
 * setDefaultPodSpec: an empty pod securityContext, and a tcpSocket readiness probe on the first declared
 * port (else 8080) for kserve-container / transformer-container when they have none.
 */
function rawPodDefaults(spec: Obj): void {
  if (spec.securityContext === undefined) spec.securityContext = {};
  for (const c of asList(spec.containers)) {
    if ((c.name === 'kserve-container' || c.name === 'transformer-container') && c.readinessProbe === undefined) {
      const port = asList(c.ports)[0]?.containerPort ?? 8080;
      c.readinessProbe = { tcpSocket: { port } };
    }
  }
}

/**
 * kserve/kserve pkg/controller/v1beta1/inferenceservice/reconcilers/service/service_reconciler.go createDefaultSvc:
 * the first port of the (transformer, else first) container becomes port 80 → that containerPort; further ports
 * keep their number; with no declared ports, one port named after the component, 80 → 8080. A logger or batcher
 * points the first port at the agent (9081).
 */
function rawService(name: string, owner: string, spec: Obj, predictor: Obj): EmulatedService {
  const containers = asList(spec.containers);
  const c = containers.find((x) => x.name === 'transformer-container') ?? containers[0] ?? {};
  const ports = asList(c.ports);
  const out: { name?: string; port: number; targetPort?: number | string }[] =
    ports.length > 0
      ? ports.map((p, i) => ({
        name: p.name as string | undefined,
        port: i === 0 ? 80 : Number(p.containerPort),
        targetPort: Number(p.containerPort),
      }))
      : [{ name, port: 80, targetPort: 8080 }];
  if (predictor.logger !== undefined || predictor.batcher !== undefined) out[0] = { ...out[0], targetPort: 9081 };
  return { owner, name, selector: { app: `isvc.${name}` }, ports: out };
}

/** kserve/kserve pkg/apis/serving/v1beta1/inference_service_validation.go validateCanarySpecs. */
function canaryViolations(spec: Obj, modeAnnotation: string | undefined): string[] {
  const canaries = asList(spec.canary);
  if (canaries.length === 0) return [];
  const src = '(kserve/kserve pkg/apis/serving/v1beta1/inference_service_validation.go validateCanarySpecs)';
  if (modeAnnotation !== 'Standard') return [`webhook: canary is only supported in Standard deployment mode ${src}`];
  const stable = asObj(spec.predictor);
  const out: string[] = [];
  // After defaulting every framework shorthand is a `model`; a custom container needs a STORAGE_URI env.
  const customUri = asList(asList(stable.containers).find((c) => c.name === 'kserve-container')?.env).some((e) => e.name === 'STORAGE_URI');
  if (!isObj(stable.model) && !customUri) {
    out.push(`webhook: canary requires a stable predictor with a model ${src}`);
  }
  const names = new Set<string>();
  let total = 0;
  canaries.forEach((c, i) => {
    const p = asObj(c.predictor);
    const n = typeof p.name === 'string' ? p.name : '';
    if (!n) out.push(`webhook: canary[${i}] predictor.name is required ${src}`);
    else if (names.has(n)) out.push(`webhook: canary predictor.name "${n}" is duplicated ${src}`);
    else if (n === stable.name) out.push(`webhook: canary predictor.name "${n}" conflicts with stable predictor name ${src}`);
    names.add(n);
    const t = Number(c.trafficPercent ?? 0);
    if (t < 0 || t > 100) out.push(`webhook: canary "${n}" trafficPercent must be between 0 and 100 ${src}`);
    total += t;
    if (implementations(p).length !== 1) out.push(`webhook: canary "${n}" predictor: exactly one of [model, sklearn, ..., containers] must be specified ${src}`);
    if (p.workerSpec !== undefined) out.push(`webhook: canary "${n}" must not set workerSpec ${src}`);
    for (const k of ['maxReplicas', 'scaleTarget', 'scaleMetric', 'autoScaling']) {
      if (isSet(p[k])) out.push(`webhook: canary "${n}" must not set ${k} (canary uses fixed replicas) ${src}`);
    }
    const stableMin = typeof stable.minReplicas === 'number' ? stable.minReplicas : 1;
    if (typeof p.minReplicas === 'number' && p.minReplicas > stableMin) {
      out.push(`webhook: canary "${n}" minReplicas (${p.minReplicas}) must not exceed stable predictor minReplicas (${stableMin}) ${src}`);
    }
  });
  if (total > 100) out.push(`webhook: sum of canary trafficPercent values (${total}) must be <= 100 ${src}`);
  return out;
}

/**
 * kserve/kserve components/predictor.go buildCanaryPredictor: the stable predictor (as the reconciler left it,
 * runtime resolved) with the canary's predictor merged over it by mergo WithOverride; autoscaling cleared.
 */
export function canaryPredictor(stableResolved: Obj, canary: Obj, replicas: number): Obj {
  const merged = asObj(mergoOverride(stableResolved, asObj(canary.predictor)));
  delete merged.maxReplicas;
  delete merged.scaleTarget;
  delete merged.scaleMetric;
  delete merged.autoScaling;
  merged.minReplicas = replicas;
  return merged;
}

function pod(owner: string, labels: Record<string, string>, spec: Obj): EmulatedPod {
  return { owner, version: labels.version, labels, spec: spec as unknown as PodSpec };
}

/** Emulates KServe (and Knative Serving in Knative mode) on the InferenceServices in `objects`. */
export function emulateKServe(objects: readonly KubeObject[], options: KServeEmulationOptions = {}): Emulation {
  const pods: EmulatedPod[] = [];
  const services: EmulatedService[] = [];
  const routes: EmulatedRoute[] = [];
  const refused: string[] = [];
  const runtimes: RuntimeRow[] = [
    ...objects.filter((o) => o.apiVersion.startsWith('serving.kserve.io/') && (o.kind === 'ServingRuntime' || o.kind === 'ClusterServingRuntime')).map(runtimeFromObject),
  ];
  for (const rt of KSERVE_RUNTIMES) if (!runtimes.some((r) => r.namespace === undefined && r.name === rt.name)) runtimes.push(rt);
  const features = { ...KNATIVE_DEFAULT_FEATURES, ...(options.knativeFeatures ?? {}) };

  for (const isvc of objects) {
    if (isvc.apiVersion !== 'serving.kserve.io/v1beta1' || isvc.kind !== 'InferenceService') continue;
    const name = isvc.metadata.name;
    const namespace = isvc.metadata.namespace ?? 'default';
    const id = `InferenceService ${name}`;
    const refuse = (line: string): void => {
      refused.push(`${id}: ${line}`);
    };
    const annotations: Record<string, string> = { ...(isvc.metadata.annotations ?? {}) };
    const labels: Record<string, string> = { ...(isvc.metadata.labels ?? {}) };
    const spec = clone(asObj(isvc.spec));
    const predictor = asObj(spec.predictor);
    spec.predictor = predictor;

    // Deployment mode. Defaulter (inference_service_defaults.go DefaultInferenceService) rewrites the legacy
    // values and writes the annotation only when the configured default is Standard/ModelMesh; the controller
    // (utils/utils.go GetDeploymentMode) falls back to the configured default.
    const defaultMode = options.defaultDeploymentMode ?? 'Knative';
    const rawMode = annotations[DEPLOYMENT_MODE];
    let modeAnnotation = rawMode === 'RawDeployment' ? 'Standard' : rawMode === 'Serverless' ? 'Knative' : rawMode;
    if (rawMode === undefined && defaultMode === 'Standard') modeAnnotation = 'Standard';
    if (modeAnnotation !== undefined) annotations[DEPLOYMENT_MODE] = modeAnnotation;
    const mode = modeAnnotation === 'Standard' || modeAnnotation === 'Knative' ? modeAnnotation : defaultMode;

    // Mutating webhook, then validating webhook (inference_service_validation.go validateInferenceService).
    defaultPredictor(predictor);
    const impls = implementations(predictor);
    if (impls.length !== 1) {
      refuse(`webhook: exactly one of [sklearn, xgboost, tensorflow, pytorch, triton, onnx, huggingface, pmml, lightgbm, paddle, model, containers] must be specified in the predictor, found ${impls.length} (kserve/kserve pkg/apis/serving/v1beta1/component.go validateExactlyOneImplementation)`);
      continue;
    }
    if (isObj(predictor.model) && typeof predictor.model.name === 'string' && predictor.model.name !== '') {
      refuse('webhook: the \'name\' field is not allowed in standard predictor (model.name; use predictor.name) (kserve/kserve pkg/apis/serving/v1beta1/inference_service_validation.go validatePredictor)');
      continue;
    }
    const canaryErrors = canaryViolations(spec, modeAnnotation);
    if (canaryErrors.length > 0) {
      canaryErrors.forEach(refuse);
      continue;
    }

    const meta: IsvcMeta = { name, namespace, labels, annotations };
    const stable = buildPredictor(predictor, meta, runtimes, refuse);
    if (!stable) continue;
    const baseLabels = (built: BuiltPredictor): Record<string, string> => ({
      ...(built.resolved._labels as Record<string, string>),
      'serving.kserve.io/inferenceservice': name,
      'component': 'predictor',
    });

    if (mode === 'Standard') {
      const emit = (built: BuiltPredictor, predictorSpec: Obj, deployName: string, what: string): void => {
        const podSpec = clone(asObj(built.spec as unknown));
        rawPodDefaults(podSpec);
        const owner = `${id} (${what})`;
        pods.push(pod(owner, { ...baseLabels(built), app: `isvc.${deployName}` }, podSpec));
        services.push(rawService(deployName, owner, podSpec, predictorSpec));
        for (const c of [...asList(podSpec.initContainers), ...asList(podSpec.containers)]) {
          for (const v of resourceViolations(c as unknown as Container)) {
            refuse(`API server refuses Deployment ${deployName}: ${v} (kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateResourceRequirements)`);
          }
        }
      };
      const stableName = predictorServiceName(name, predictor.name as string | undefined);
      // Canaries first (predictor.go Reconcile → reconcileCanaryDeployments), each from the resolved stable predictor.
      let canaryTotal = 0;
      const stableResolved = { ...stable.resolved };
      delete stableResolved._labels;
      for (const c of asList(spec.canary)) {
        const p = asObj(c.predictor);
        const stableMin = typeof predictor.minReplicas === 'number' ? predictor.minReplicas : 1;
        // predictor.go canaryReplicaCount
        const replicas = typeof p.minReplicas === 'number' ? p.minReplicas : Math.ceil((stableMin * Number(c.trafficPercent ?? 0)) / 100);
        const merged = canaryPredictor(stableResolved, c, replicas);
        const built = buildPredictor(merged, meta, runtimes, refuse);
        const canaryName = predictorServiceName(name, String(p.name));
        canaryTotal += Number(c.trafficPercent ?? 0);
        if (built) emit(built, merged, canaryName, `canary ${String(p.name)}`);
        // httproute_reconciler.go applyCanaryWeights (Gateway API; weights once the canary Deployment is Ready).
        routes.push({ owner: `HTTPRoute ${name}`, service: canaryName, port: 80, weight: Number(c.trafficPercent ?? 0) });
      }
      emit(stable, predictor, stableName, `predictor ${String(predictor.name ?? 'default')}`);
      routes.unshift({ owner: `HTTPRoute ${name}`, service: stableName, port: 80, weight: 100 - canaryTotal });
    } else {
      // Knative mode (reconcilers/knative/ksvc_reconciler.go createKnativeService): the merged pod spec goes into
      // the ksvc template with timeoutSeconds = predictor.timeout; Knative's webhook validates it.
      const ksvc = predictorServiceName(name);
      const podSpec = clone(asObj(stable.spec as unknown));
      // The storage initializer is added by KServe's pod webhook at pod creation, after Knative validated the ksvc.
      const initContainers = podSpec.initContainers;
      const initVolumes = asList(podSpec.volumes).filter((v) => v.name === 'kserve-provision-location' || v.name === 'kserve-pvc-source');
      const templateSpec = clone(podSpec);
      delete templateSpec.initContainers;
      templateSpec.volumes = asList(templateSpec.volumes).filter((v) => !initVolumes.some((iv) => iv.name === v.name));
      if ((templateSpec.volumes as Obj[]).length === 0) delete templateSpec.volumes;
      for (const c of asList(templateSpec.containers)) {
        c.volumeMounts = asList(c.volumeMounts).filter((m) => !initVolumes.some((iv) => iv.name === m.name));
        if ((c.volumeMounts as Obj[]).length === 0) delete c.volumeMounts;
      }
      const timeout = typeof predictor.timeout === 'number' ? predictor.timeout : undefined;
      const maxTimeout = options.maxRevisionTimeoutSeconds ?? KNATIVE_MAX_REVISION_TIMEOUT_SECONDS;
      for (const v of knativePodSpecViolations(templateSpec, timeout, features, maxTimeout)) {
        refuse(`Knative webhook refuses Service ${ksvc}: ${v} (knative/serving pkg/apis/serving/k8s_validation.go, fieldmask.go)`);
      }
      // The revision's pod (knative/serving pkg/reconciler/revision/resources/deploy.go makeServingContainer,
      // getUserPort; pkg/apis/serving/v1/revision_defaults.go): the serving container gets port user-port (its
      // first declared port, else 8080) and env PORT; its readiness probe (default tcpSocket) is run by queue-proxy
      // against that port, so it is shown here with the port filled in.
      const containers = asList(podSpec.containers);
      const serving = containers.find((c) => asList(c.ports).length > 0) ?? containers[0];
      if (serving) {
        const userPort = Number(asList(serving.ports)[0]?.containerPort ?? 8080) || 8080;
        serving.ports = [{ name: 'user-port', containerPort: userPort }];
        upsertEnv(serving, 'PORT', String(userPort), false);
        const probe = asObj(serving.readinessProbe);
        const handler = asObj(probe.httpGet ?? probe.tcpSocket ?? probe.grpc);
        if (probe.httpGet === undefined && probe.tcpSocket === undefined && probe.grpc === undefined && probe.exec === undefined) {
          serving.readinessProbe = { tcpSocket: { port: userPort } };
        } else if (handler.port === undefined || handler.port === 0) {
          handler.port = userPort;
        }
      }
      if (initContainers !== undefined) podSpec.initContainers = initContainers;
      // knative/serving pkg/reconciler/revision/resources/queue.go makeQueueContainer: the queue-proxy sidecar
      // receives the revision's traffic on 8012 (8112 TLS) and forwards it to the user port, probing readiness
      // with the user container's probe; restricted security context (secure-pod-defaults)
      podSpec.containers = [
        ...asList(podSpec.containers),
        {
          name: 'queue-proxy',
          image: KNATIVE_QUEUE_IMAGE,
          ports: [
            { name: 'http-queueadm', containerPort: 8022 },
            { name: 'http-autometric', containerPort: 9090 },
            { name: 'http-usermetric', containerPort: 9091 },
            { name: 'queue-port', containerPort: 8012 },
            { name: 'https-port', containerPort: 8112 },
          ],
          resources: { requests: { cpu: '25m' } },
          readinessProbe: { httpGet: { port: 8012, path: '/' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ];
      const revision = `${ksvc}-00001`;
      const podLabels = {
        ...baseLabels(stable),
        'serving.knative.dev/service': ksvc,
        'serving.knative.dev/configuration': ksvc,
        'serving.knative.dev/revision': revision,
      };
      const owner = `${id} (Knative revision ${revision})`;
      pods.push(pod(owner, podLabels, podSpec));
      for (const c of [...asList(podSpec.initContainers), ...containers]) {
        for (const v of resourceViolations(c as unknown as Container)) {
          refuse(`API server refuses the revision's Deployment ${revision}-deployment: ${v} (kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateResourceRequirements)`);
        }
      }
      // knative/serving pkg/reconciler/serverlessservice/resources/services.go: public and private revision
      // Services, port 80 → queue-proxy 8012 (which forwards to the user port).
      services.push({ owner, name: revision, ports: [{ name: 'http', port: 80, targetPort: 8012 }, { name: 'https', port: 443, targetPort: 8112 }] });
      services.push({
        owner,
        name: `${revision}-private`,
        selector: { 'serving.knative.dev/revision': revision },
        ports: [{ name: 'http', port: 80, targetPort: 8012 }, { name: 'https', port: 443, targetPort: 8112 }],
      });
      routes.push({ owner: `Knative Route ${ksvc}`, service: revision, port: 80, weight: 100 });
    }
  }
  return { pods, services, routes, refused };
}

// ---------------------------------------------------------------------------------------------
// What the default runtime images do
// ---------------------------------------------------------------------------------------------

function envOf(container: Container, name: string): string | undefined {
  let value: string | undefined;
  for (const e of container.env ?? []) if (e.name === name && e.value !== undefined) value = e.value;
  return value;
}

function flagOf(container: Container, flag: string): string | undefined {
  const args = [...(container.command ?? []), ...(container.args ?? [])];
  let value: string | undefined;
  args.forEach((a, i) => {
    if (a === flag && i + 1 < args.length) value = args[i + 1];
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  });
  return value;
}

function portOr(raw: string | undefined, fallback: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

// python/kserve/kserve/protocol/rest/server.py, v1_endpoints.py, v2_endpoints.py: routes that answer once the
// server is up ("/" is the liveness route; per-model readiness is `/v1/models/<name>` and `/v2/models/<name>/ready`,
// see kserveModelReadyPaths).
const KSERVE_SERVER_PATHS = ['/v2/health/ready', '/v2/health/live', '/v1/models', '/v2/models', '/'];

/** The per-model readiness routes of the KServe model server for the container's `--model_name`. */
export function kserveModelReadyPaths(container: Container): string[] {
  const name = flagOf(container, '--model_name') ?? 'model';
  return [`/v1/models/${name}`, `/v2/models/${name}/ready`];
}

/**
 * A KServe Python model server image (python/<x>.Dockerfile: `USER <uid>`, ENTRYPOINT `python -m <server>`).
 * Ports: python/kserve/kserve/model_server.py `--http_port` (default 8080) and `--grpc_port` (default 8081)
 * (kserve/constants/constants.py DEFAULT_HTTP_PORT / DEFAULT_GRPC_PORT); gRPC is on unless `--enable_grpc=false`.
 */
function kserveServer(source: string, user: number, writes: (c: Container) => readonly string[] = () => []): ImageBehaviour {
  return {
    source,
    user,
    listens(container: Container): readonly number[] {
      const http = portOr(flagOf(container, '--http_port'), 8080);
      const grpcOff = (flagOf(container, '--enable_grpc') ?? '').toLowerCase() === 'false';
      return grpcOff ? [http] : [http, portOr(flagOf(container, '--grpc_port'), 8081)];
    },
    readyPaths: KSERVE_SERVER_PATHS,
    writes,
  };
}

/** Knative's queue-proxy image (ko-built on distroless `static:nonroot`, USER 65532). */
const KNATIVE_QUEUE_IMAGE = 'gcr.io/knative-releases/knative.dev/serving/cmd/queue';

const KSERVE_BEHAVIOURS: Record<string, ImageBehaviour> = {
  // knative/serving cmd/queue/main.go, pkg/queue/sharedmain: serves 8012 (traffic and the K-Network-Probe
  // readiness on "/"), 8112 TLS, 8022 admin, 9090/9091 metrics; .ko.yaml builds on distroless static:nonroot
  [KNATIVE_QUEUE_IMAGE]: {
    source: 'knative/serving cmd/queue/main.go, pkg/reconciler/revision/resources/queue.go, .ko.yaml',
    user: 65532,
    readyPaths: ['/'],
    listens: () => [8012, 8112, 8022, 9090, 9091],
    writes: () => [],
  },
  // kserve/kserve python/sklearn.Dockerfile (USER 1000)
  'kserve/sklearnserver': kserveServer('kserve/kserve python/sklearn.Dockerfile, python/kserve/kserve/model_server.py', 1000),
  // kserve/kserve python/xgb.Dockerfile (USER 1000)
  'kserve/xgbserver': kserveServer('kserve/kserve python/xgb.Dockerfile, python/kserve/kserve/model_server.py', 1000),
  // kserve/kserve python/lgb.Dockerfile (USER 1000)
  'kserve/lgbserver': kserveServer('kserve/kserve python/lgb.Dockerfile, python/kserve/kserve/model_server.py', 1000),
  // kserve/kserve python/pmml.Dockerfile (USER 1001)
  'kserve/pmmlserver': kserveServer('kserve/kserve python/pmml.Dockerfile, python/kserve/kserve/model_server.py', 1001),
  // kserve/kserve python/paddle.Dockerfile (USER 1000)
  'kserve/paddleserver': kserveServer('kserve/kserve python/paddle.Dockerfile, python/kserve/kserve/model_server.py', 1000),
  // kserve/kserve python/huggingface_server.Dockerfile and huggingface_server_cpu.Dockerfile: USER 1000,
  // ENV HF_HOME=/tmp/huggingface (the pod's env overrides it; HF_HUB_CACHE and VLLM_CONFIG_ROOT redirect the hub
  // cache and vLLM's config, as the multinode and vLLM runtimes do).
  'kserve/huggingfaceserver': kserveServer(
    'kserve/kserve python/huggingface_server.Dockerfile, python/huggingface_server_cpu.Dockerfile, config/runtimes/kserve-huggingfaceserver*.yaml',
    1000,
    (c) => {
      const paths = [envOf(c, 'HF_HOME') ?? '/tmp/huggingface'];
      for (const k of ['HF_HUB_CACHE', 'VLLM_CONFIG_ROOT']) {
        const v = envOf(c, k);
        if (v !== undefined && !paths.includes(v)) paths.push(v);
      }
      return paths;
    },
  ),
  // kserve/kserve python/storage-initializer.Dockerfile: USER 1000 (it chowns /mnt), entrypoint downloads
  // args[0] to args[1] (pkg/utils/storage.go CreateInitContainerWithConfig passes [uri, /mnt/models]).
  'kserve/storage-initializer': {
    source: 'kserve/kserve python/storage-initializer.Dockerfile, pkg/utils/storage.go',
    user: 1000,
    listens: () => [],
    readyPaths: [],
    writes: (c) => [c.args?.[1] ?? '/mnt/models'],
  },
  // kserve/kserve config/runtimes/kserve-tensorflow-serving.yaml: "User is not defined in the Dockerfile"
  // (root unless runAsUser); listens on the --port (gRPC) and --rest_api_port values it is given.
  'tensorflow/serving': {
    source: 'kserve/kserve config/runtimes/kserve-tensorflow-serving.yaml',
    user: undefined,
    // the REST port first: it is the one KServe routes HTTP to (the runtime's --rest_api_port=8080)
    listens: (c) =>
      [flagOf(c, '--rest_api_port'), flagOf(c, '--port')].filter((p): p is string => p !== undefined).map(Number).filter((n) => n > 0),
    readyPaths: [],
    writes: () => [],
  },
};

/** Repository path of an image reference: registry docker.io dropped, tag and digest dropped, `-gpu`/`-cpu` tag suffixes ignored. */
function repositoryOf(image: string): string {
  let ref = image.split('@')[0];
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > lastSlash) ref = ref.slice(0, colon);
  return ref.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
}

/** Whether a container's limits give it a GPU (a GPU resource above 0). */
function hasGpu(c: Container): boolean {
  return Object.entries(c.resources?.limits ?? {}).some(([k, v]) => (k === 'nvidia.com/gpu' || k.startsWith('nvidia.com/mig-')) && (parseQuantity(v) ?? 0) > 0);
}

/**
 * What the default KServe runtime images (and the storage initializer) do; undefined for other images.
 * A `-gpu` build (UpdateImageTag picks it when the limits name a GPU resource, even at 0: pkg/utils/utils.go
 * IsGPUEnabled) started without a GPU does not serve: the Hugging Face server picks vLLM when it imports
 * (python/huggingfaceserver/huggingfaceserver/__main__.py), and vLLM needs the device; so it listens on nothing.
 */
export const KSERVE_IMAGES: ImageResolver = (image: string) => {
  const behaviour = KSERVE_BEHAVIOURS[repositoryOf(image)];
  if (!behaviour || !/-gpu$/.test(image.split('@')[0])) return behaviour;
  return { ...behaviour, source: `${behaviour.source}; the -gpu build`, listens: (c) => (hasGpu(c) ? behaviour.listens(c) : []) };
};
