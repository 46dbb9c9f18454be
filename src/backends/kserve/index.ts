/**
 * KServe backend: one InferenceService per service, in Standard mode (raw
 * Deployments, multi-canary `spec.canary[]`) or Knative mode (`canaryTrafficPercent`).
 */
import {
  AUTOSCALER_CLASS_ANNOTATION,
  AutoScalingSpec,
  ContainerFields,
  DEPLOYMENT_MODE_ANNOTATION,
  InferenceService,
  KNATIVE_CLASS_ANNOTATION,
  KNATIVE_HPA_CLASS,
  KNATIVE_SCALE_DOWN_DELAY_ANNOTATION,
  KSERVE_CONTAINER,
  KSERVE_STORAGE_PREFIXES,
  PredictorSpec,
} from './types';
import { allVersions, CanarySpec, deriveName, didYouMean, Issue, MAX_LABEL_LENGTH, Version, versionPath } from '../../spec';
import { DNS1035_LABEL, DNS1123_LABEL } from '../../spec/names';
import { hpaBehavior, hpaMetrics } from '../common/hpa';
import { MetricsEndpoint, versionEndpoints } from '../common/monitoring';
import {
  containerEnv,
  containerSecurityContext,
  objectLabels,
  placement,
  podLabels,
  podSecurityContext,
  resources,
  scratchVolumeMounts,
  scratchVolumes,
} from '../common/pod';
import { artifactProfile, KSERVE_RUNTIME_PROFILE, kserveRuntimeProfile, probes, RuntimeProfile, withProfiles } from '../common/runtime';
import { backendsTaking } from '../router-support';
import { BackendCapabilities, BackendOutput, BackendRenderer, RenderContext } from '../types';

export * from './types';

/** KServe's deployment modes. */
export type KServeModeName = 'standard' | 'knative';

/**
 * How versions become InferenceServices: `canary` = one InferenceService with KServe's own split
 * (`spec.canary[]` or `canaryTrafficPercent`); `per-version` = one InferenceService per version, split by a router.
 */
export type KServeStrategyName = 'canary' | 'per-version';

/** Routers that split traffic between per-version InferenceServices. */
const SPLITTING_ROUTERS = ['istio', 'gateway-api'];

/** Name prefix of KServe's own ClusterServingRuntimes (kserve-sklearnserver, ...), which serve on 8080. */
const KSERVE_RUNTIME_PREFIX = 'kserve-';

/** Port of the Service KServe creates for a predictor in Standard mode. */
const PREDICTOR_SERVICE_PORT = 80;

/** Default HPA target utilization (percent) when a version names none. */
export const DEFAULT_UTILIZATION_TARGET = 80;

/** Longest suffix Knative adds to `{name}-predictor`: a revision's private Service `-00001-private`. */
const KNATIVE_SUFFIX = '-predictor-00001-private';

/** What each way of running KServe can do (README's table). */
export const KSERVE_VARIANTS: readonly { title: string; capabilities: BackendCapabilities }[] = [
  {
    title: 'KServe Standard mode, canary strategy',
    capabilities: {
      canaryAutoscaling: false,
      mainWithoutStorageUri: false,
      splitsTrafficItself: true,
      scaleMetrics: ['cpu', 'memory'],
      routers: ['native'],
      mirror: false,
      runsStages: false,
    },
  },
  {
    title: 'KServe Standard mode, per-version strategy',
    capabilities: {
      canaryAutoscaling: true,
      mainWithoutStorageUri: true,
      splitsTrafficItself: false,
      scaleMetrics: ['cpu', 'memory'],
      routers: SPLITTING_ROUTERS,
      mirror: false,
      runsStages: false,
    },
  },
  {
    title: 'KServe Knative mode',
    capabilities: {
      maxCanaries: 1,
      canaryAutoscaling: true,
      mainWithoutStorageUri: true,
      splitsTrafficItself: true,
      scaleMetrics: ['concurrency', 'rps', 'cpu', 'memory'],
      routers: ['native'],
      mirror: false,
      runsStages: false,
    },
  },
];

/**
 * Formats whose KServe runtime image KServe switches to its `-gpu` build when the container's limits name a GPU
 * resource at all, even at 0 (pkg/utils/utils.go IsGPUEnabled, inferenceservice/utils/utils.go UpdateImageTag).
 */
const GPU_IMAGE_FORMATS = new Set(['huggingface', 'tensorflow', 'pytorch']);

/** Knative's feature flags (ConfigMap config-features) that allow pod fields its webhook refuses by default. */
export const KNATIVE_FLAGS = {
  nodeSelector: 'kubernetes.podspec-nodeselector',
  tolerations: 'kubernetes.podspec-tolerations',
  securityContext: 'kubernetes.podspec-securitycontext',
  addCapabilities: 'kubernetes.containerspec-addcapabilities',
} as const;
/** Every Knative feature flag this backend knows. */
export const KNATIVE_FEATURE_NAMES: readonly string[] = Object.values(KNATIVE_FLAGS);
/** Knative's default `max-revision-timeout-seconds` (ConfigMap config-defaults). */
export const KNATIVE_MAX_REVISION_TIMEOUT_SECONDS = 600;
/** KServe's default CPU limit (inferenceservice-config `resource.cpuLimit`, and its runtimes' limits). */
export const KSERVE_DEFAULT_CPU_LIMIT = '1';

/** What the cluster's Knative allows beyond its defaults. */
export interface KnativeSettings {
  /** Feature flags set to `enabled` in config-features. */
  readonly features: readonly string[];
  /** `max-revision-timeout-seconds` in config-defaults. */
  readonly maxRevisionTimeoutSeconds: number;
}

/** Routers a mode takes (Standard: its own split, or a router in front of per-version InferenceServices). */
const MODE_ROUTERS: Record<KServeModeName, readonly string[]> = {
  standard: ['native', ...SPLITTING_ROUTERS],
  knative: ['native'],
};

/** The KServe renderer for one mode and strategy. */
export class KServeBackend implements BackendRenderer {
  public readonly name = 'kserve';
  public readonly title: string;
  public readonly mirrors = false;

  constructor(
    public readonly mode: KServeModeName,
    /** Explicit strategy; undefined = `per-version` with a splitting router, else `canary`. */
    public readonly strategy?: KServeStrategyName,
    /** Knative mode: what the cluster's Knative allows. */
    public readonly knative: KnativeSettings = { features: [], maxRevisionTimeoutSeconds: KNATIVE_MAX_REVISION_TIMEOUT_SECONDS },
  ) {
    this.title = `KServe ${mode === 'standard' ? 'Standard' : 'Knative'} mode`;
  }

  /** Routers this mode takes. */
  public get routers(): readonly string[] {
    return MODE_ROUTERS[this.mode];
  }

  /** The strategy used with `router`. */
  public strategyFor(router: string): KServeStrategyName {
    return this.strategy ?? (router === 'native' ? 'canary' : 'per-version');
  }

  public check(spec: CanarySpec, context: RenderContext): Issue[] {
    const issues: Issue[] = [];
    const strategy = this.strategyFor(context.router);
    if (!this.routers.includes(context.router)) {
      issues.push({
        path: ['router'],
        message: `${this.title} takes router ${this.routers.map((r) => `"${r}"`).join(' or ')}, got "${context.router}"; ` +
          (this.mode === 'knative' && SPLITTING_ROUTERS.includes(context.router)
            ? 'use KServe Standard mode (per-version InferenceServices behind the router), or router "native"'
            : `use router "native"${backendsTaking(context.router, 'kserve') ? `, or ${backendsTaking(context.router, 'kserve')} with router "${context.router}"` : ''}`),
      });
      return issues;
    }
    if (strategy === 'per-version' && context.router === 'native') {
      issues.push({
        path: ['kserveStrategy'],
        message: `the per-version strategy needs a router to split traffic between the versions' InferenceServices; use router ${SPLITTING_ROUTERS.map((r) => `"${r}"`).join(' or ')}, or strategy "canary"`,
      });
    }
    if (strategy === 'canary' && context.router !== 'native') {
      issues.push({
        path: ['kserveStrategy'],
        message: `router "${context.router}" splits traffic between per-version InferenceServices, and strategy "canary" renders one InferenceService; use strategy "per-version" (the default with a router), or router "native"`,
      });
    }
    checkNames(spec, this.mode, issues);
    for (const version of allVersions(spec)) checkVersion(version, issues);
    if (this.mode === 'knative') checkKnative(spec, this.knative, issues);
    else if (strategy === 'canary') checkStandard(spec, issues);
    else checkPerVersion(spec, issues);
    return issues;
  }

  /** Each version's own server: a bento's or image's port, or the serving runtime's (8080) for a model. */
  public metricsEndpoints(spec: CanarySpec): MetricsEndpoint[] {
    return versionEndpoints(spec, KSERVE_RUNTIME_PROFILE.port);
  }

  public render(input: CanarySpec, context: RenderContext): BackendOutput {
    const spec = withProfiles(input, profileOf);
    if (this.mode === 'knative') return renderKnative(spec, this.knative);
    return this.strategyFor(context.router) === 'canary' ? renderStandard(spec) : renderPerVersion(spec);
  }
}

// ---------------------------------------------------------------- checks

function checkNames(spec: CanarySpec, mode: KServeModeName, issues: Issue[]): void {
  const derived =
    mode === 'standard'
      ? allVersions(spec).map((v) => ({ name: deriveName(spec.name, v.name, 'predictor'), suffix: `-${v.name}-predictor` }))
      : [{ name: `${spec.name}${KNATIVE_SUFFIX}`, suffix: KNATIVE_SUFFIX }];
  const longest = derived.reduce((a, b) => (b.name.length > a.name.length ? b : a));
  if (longest.name.length > MAX_LABEL_LENGTH) {
    issues.push({
      path: ['name'],
      message: `service name ${JSON.stringify(spec.name)} is too long: KServe derives "${longest.name}" (${longest.name.length} characters) and Kubernetes allows ${MAX_LABEL_LENGTH}; shorten the name to at most ${MAX_LABEL_LENGTH - longest.suffix.length} characters${mode === 'standard' ? ' or the version names' : ''}`,
    });
  }
  if (mode === 'standard') {
    for (const v of allVersions(spec)) {
      // a name that is no DNS-1123 label at all is the spec's problem, reported there
      if (DNS1123_LABEL.test(v.name) && !DNS1035_LABEL.test(v.name)) {
        issues.push({
          path: versionPath(v),
          message: `KServe predictor names must start with a letter, got ${JSON.stringify(v.name)}; rename the version, e.g. "v${v.name}"`,
        });
      }
    }
  }
}

/** A bento's or image's own server, else KServe's runtime for the model's format. */
function profileOf(version: Version): RuntimeProfile {
  const a = version.artifact;
  return a.kind === 'model' ? kserveRuntimeProfile(a.format) : artifactProfile(version)!;
}

/**
 * Formats KServe's default runtimes serve over the Open Inference (v2) protocol only (Triton, MLServer):
 * without `protocolVersion: v2` the model asks for v1 and no runtime is found. KServe's defaulting sets it
 * for triton alone, and never inside spec.canary[].
 * @see kserve config/runtimes (protocolVersions), pkg/apis/serving/v1beta1/inference_service_defaults.go
 */
const V2_ONLY_FORMATS = new Set(['onnx', 'tensorrt', 'triton', 'mlflow']);

/** CPU in millicores, from a Kubernetes quantity (`2`, `500m`, `1.5`). */
function millicores(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

/**
 * The model formats KServe's default ClusterServingRuntimes serve (config/runtimes: supportedModelFormats with
 * autoSelect), as KServe compares them: by exact name.
 */
export const KSERVE_FORMATS: readonly string[] = [
  'sklearn', 'xgboost', 'lightgbm', 'pmml', 'paddle', 'huggingface', 'tensorflow', 'pytorch', 'onnx', 'triton', 'tensorrt', 'mlflow', 'vLLM',
];

function checkVersion(version: Version, issues: Issue[]): void {
  const path = versionPath(version);
  const a = version.artifact;
  // a runtime named explicitly may serve a format of its own; otherwise a default runtime must pick the model up
  if (a.kind === 'model' && a.runtime === undefined && !KSERVE_FORMATS.includes(a.format)) {
    const hint = didYouMean(a.format, KSERVE_FORMATS);
    issues.push({
      path: [...path, 'artifact', 'format'],
      message: `no runtime of KServe's serves format ${JSON.stringify(a.format)}${hint ? `; did you mean "${hint}"?` : ''} KServe's runtimes serve ${KSERVE_FORMATS.join(', ')}; or name a runtime of your cluster that serves it (runtime)`,
    });
  }
  const cpu = version.instanceType.requests.cpu;
  if (version.instanceType.limits.cpu === undefined && cpu !== undefined && millicores(cpu) > millicores(KSERVE_DEFAULT_CPU_LIMIT)) {
    issues.push({
      path: [...path, 'instanceType'],
      message: `instance type "${version.instanceType.name}" sets no CPU limit, so KServe fills in its default limit of ${KSERVE_DEFAULT_CPU_LIMIT} CPU, below the request of ${cpu}, and the API server refuses the pod; give the type a CPU limit (cpuLimit, or leave unboundedCpu off)`,
    });
  }
  const uri = storageUriOf(version);
  if (uri !== undefined && !KSERVE_STORAGE_PREFIXES.some((p) => uri.startsWith(p))) {
    issues.push({
      path: [...path, 'artifact', 'storageUri'],
      message: `KServe cannot load ${JSON.stringify(uri)}: its storage initializer accepts ${KSERVE_STORAGE_PREFIXES.join(', ')}; use one of those schemes`,
    });
  }
  version.env.forEach((e, i) => {
    if (e.name === 'PYTHONPATH') {
      issues.push({ path: [...path, 'env', i, 'name'], message: 'KServe refuses the PYTHONPATH environment variable in predictor containers; remove it and set the path in the image' });
    }
    if (e.name === 'STORAGE_URI' && version.artifact.kind !== 'bento' && version.artifact.kind !== 'image') {
      issues.push({ path: [...path, 'env', i, 'name'], message: 'STORAGE_URI is set by the model artifact; remove it from env' });
    } else if (e.name === 'STORAGE_URI' && e.value !== undefined && e.value.includes('://') && !KSERVE_STORAGE_PREFIXES.some((p) => e.value!.startsWith(p))) {
      // a custom container's STORAGE_URI goes through the same storage initializer
      issues.push({
        path: [...path, 'env', i, 'value'],
        message: `KServe cannot load ${JSON.stringify(e.value)}: its storage initializer accepts ${KSERVE_STORAGE_PREFIXES.join(', ')} (or a local path); use one of those`,
      });
    }
    if (e.name === 'PROTOCOL' && version.artifact.kind !== 'model' && e.value !== undefined && e.value !== 'v1' && e.value !== 'v2') {
      issues.push({ path: [...path, 'env', i, 'value'], message: `KServe accepts PROTOCOL "v1" or "v2" on custom predictors, got ${JSON.stringify(e.value)}` });
    }
  });
}

/** What Standard mode forbids of every version, whatever the strategy. */
function checkPerVersion(spec: CanarySpec, issues: Issue[]): void {
  for (const v of allVersions(spec)) {
    const s = v.scaling;
    const path = versionPath(v);
    if (s.minReplicas === 0) {
      issues.push({
        path: [...path, 'scaling', 'minReplicas'],
        message: 'KServe Standard mode cannot scale to zero (its HPA keeps at least one replica), got min replicas 0; set min replicas to 1 or more, or use KServe Knative mode',
      });
    }
    if (s.metric === 'concurrency' || s.metric === 'rps') {
      issues.push({
        path: [...path, 'scaling', 'metric'],
        message: `KServe Standard mode scales on "cpu" or "memory" (HPA), got ${JSON.stringify(s.metric)}; use metric "cpu" or "memory", or KServe Knative mode for ${s.metric}`,
      });
    }
    if (s.target !== undefined && (s.metric ?? 'cpu') !== 'concurrency' && (s.metric ?? 'cpu') !== 'rps' && s.target > 100) {
      issues.push({
        path: [...path, 'scaling', 'target'],
        message: `KServe Standard mode takes a ${s.metric ?? 'cpu'} utilization target from 1 to 100 percent, got ${s.target}; lower the target`,
      });
    }
  }
}

const PER_VERSION_HINT = 'or the per-version strategy (one InferenceService per version, split by router "istio" or "gateway-api")';

function checkStandard(spec: CanarySpec, issues: Issue[]): void {
  const main = spec.main;
  checkPerVersion(spec, issues);
  if (spec.canaries.length === 0) return;

  // spec.canary[] rules (KServe admission webhook)
  if (storageUriOf(main) === undefined) {
    const what = main.artifact.kind === 'bento' ? `a bento (${main.artifact.tag})` : `a container image (${main.artifact.kind === 'image' ? main.artifact.image : ''}) without a storage URI`;
    issues.push({
      path: ['main', 'artifact'],
      message:
        `KServe Standard mode runs canaries through spec.canary, which needs the main (stable) predictor to load its model from a storage URI, and main is ${what}; ` +
        'give main a model artifact (storage URI and format) or an image with a storage URI, use KServe Knative mode (one canary, split against the previous revision), ' +
        PER_VERSION_HINT,
    });
  }
  for (const c of spec.canaries) {
    const path = versionPath(c);
    const s = c.scaling;
    if (s.maxReplicas !== s.minReplicas) {
      const inherited = !c.explicit.has('scaling.maxReplicas');
      issues.push({
        path: [...path, 'scaling', 'maxReplicas'],
        message:
          `KServe Standard canaries run a fixed number of replicas (no maxReplicas, no autoscaling), got min ${s.minReplicas} and max ${s.maxReplicas}${inherited ? ' (max inherited from main)' : ''}; ` +
          `set max replicas equal to min replicas (${s.minReplicas}), use KServe Knative mode to autoscale a single canary, ${PER_VERSION_HINT}`,
      });
    }
    for (const field of ['metric', 'target'] as const) {
      if (c.explicit.has(`scaling.${field}`)) {
        issues.push({
          path: [...path, 'scaling', field],
          message: `KServe Standard canaries do not autoscale, so a scale ${field} cannot apply; remove it from this version, ${PER_VERSION_HINT}`,
        });
      }
    }
    if (s.minReplicas > main.scaling.minReplicas) {
      issues.push({
        path: [...path, 'scaling', 'minReplicas'],
        message: `KServe requires a canary's min replicas to be at most main's (${main.scaling.minReplicas}), got ${s.minReplicas}; lower this version's replicas, raise main's min replicas, ${PER_VERSION_HINT}`,
      });
    }
    checkCanaryMerge(main, c, issues);
  }
}

/**
 * KServe builds each spec.canary[] Deployment by merging the canary's predictor
 * onto a copy of the stable one (mergo with override: maps key by key, a
 * non-empty list replaces, an empty value never overrides). What that merge
 * cannot express is refused here, with the reason.
 * @see kserve pkg/controller/v1beta1/inferenceservice/components/predictor.go (buildCanaryPredictor)
 */
function checkCanaryMerge(main: Version, c: Version, issues: Issue[]): void {
  const path = versionPath(c);
  const impl = (v: Version) => (v.artifact.kind === 'model' ? 'a model (predictor.model)' : 'a container (predictor.containers)');
  if ((main.artifact.kind === 'model') !== (c.artifact.kind === 'model')) {
    issues.push({
      path: [...path, 'artifact'],
      message: `KServe merges a canary's predictor onto main's, so a canary serving ${impl(c)} beside main serving ${impl(main)} would carry both and KServe could not tell which to run; give both the same kind of artifact, ${PER_VERSION_HINT}`,
    });
  }
  const inherited = Object.keys(main.instanceType.nodeSelector).filter((k) => !(k in c.instanceType.nodeSelector));
  if (inherited.length > 0) {
    issues.push({
      path: [...path, 'instanceType'],
      message: `KServe merges a canary's node selector onto main's key by key, so instance type "${c.instanceType.name}" would keep main's ${inherited.map((k) => `${k}=${main.instanceType.nodeSelector[k]}`).join(', ')} (from "${main.instanceType.name}") and land on main's nodes; use an instance type with the same node-selector keys, ${PER_VERSION_HINT}`,
    });
  }
  const clearedGpu = Object.keys(main.instanceType.requests).filter((k) => k !== 'cpu' && k !== 'memory' && !(k in c.instanceType.requests));
  // (one message per canary: with main's node selector kept, that is the reason to give)
  if (inherited.length === 0 && clearedGpu.length > 0 && c.artifact.kind === 'model' && GPU_IMAGE_FORMATS.has(c.artifact.format)) {
    issues.push({
      path: [...path, 'instanceType'],
      message: `KServe merges a canary's resources onto main's, so instance type "${c.instanceType.name}" would keep main's ${clearedGpu.join(', ')} key (set to 0), and KServe picks the GPU image of the ${c.artifact.format} runtime by that key's presence: the canary would run a GPU build without a GPU; give it a GPU type too, ${PER_VERSION_HINT}`,
    });
  }
  const ms = main.security;
  const cs = c.security;
  const relaxed = (['runAsNonRoot', 'readOnlyRootFilesystem'] as const).filter((k) => ms[k] && !cs[k]);
  if (relaxed.length > 0) {
    issues.push({
      path: [...path, 'security', relaxed[0]],
      message: `KServe merges a canary's predictor onto main's and a false setting never overrides a true one, so ${relaxed.join(' and ')}: false on this version would stay true; set the same on main, ${PER_VERSION_HINT}`,
    });
  }
}

/** What Knative's webhook refuses by default, unless the cluster turned the matching flag on. */
function checkKnativeFields(v: Version, knative: KnativeSettings, issues: Issue[]): void {
  const path = versionPath(v);
  const off = (flag: string) => !knative.features.includes(flag);
  const t = v.instanceType;
  const fields = [
    ...(Object.keys(t.nodeSelector).length > 0 ? [['a node selector', KNATIVE_FLAGS.nodeSelector]] : []),
    ...(t.tolerations.length > 0 ? [['tolerations', KNATIVE_FLAGS.tolerations]] : []),
  ].filter(([, flag]) => off(flag));
  if (fields.length > 0) {
    issues.push({
      path: [...path, 'instanceType'],
      message: `instance type "${t.name}" places pods with ${fields.map((f) => f[0]).join(' and ')}, which Knative refuses unless its feature flag${fields.length > 1 ? 's' : ''} ${fields.map((f) => f[1]).join(' and ')} ${fields.length > 1 ? 'are' : 'is'} enabled (ConfigMap config-features in knative-serving); enable ${fields.length > 1 ? 'them' : 'it'} and declare ${fields.length > 1 ? 'them' : 'it'} (kubernetes.knative_features in the file, knativeFeatures in code), or use KServe Standard mode`,
    });
  }
  if (v.security.addCapabilities.length > 0 && off(KNATIVE_FLAGS.addCapabilities)) {
    issues.push({
      path: [...path, 'security', 'addCapabilities'],
      message: `Knative refuses added capabilities (${v.security.addCapabilities.join(', ')}) unless its feature flag ${KNATIVE_FLAGS.addCapabilities} is enabled; enable and declare it (kubernetes.knative_features), remove them, or use KServe Standard mode`,
    });
  }
  if (v.timeoutSeconds !== undefined && v.timeoutSeconds > knative.maxRevisionTimeoutSeconds) {
    issues.push({
      path: [...path, 'timeoutSeconds'],
      message: `Knative refuses a request timeout above its max-revision-timeout-seconds (${knative.maxRevisionTimeoutSeconds}${knative.maxRevisionTimeoutSeconds === KNATIVE_MAX_REVISION_TIMEOUT_SECONDS ? ', the default' : ''}), got ${v.timeoutSeconds}; lower the timeout, or raise the cluster's limit (config-defaults) and declare it (kubernetes.knative_max_revision_timeout_seconds in the file, knativeMaxRevisionTimeoutSeconds in code)`,
    });
  }
}

function checkKnative(spec: CanarySpec, knative: KnativeSettings, issues: Issue[]): void {
  // only the version this manifest rolls out is rendered (the canary, else main)
  checkKnativeFields(spec.canaries[0] ?? spec.main, knative, issues);
  if (spec.canaries.length > 1) {
    issues.push({
      path: ['versions'],
      message: `KServe Knative mode splits traffic between the latest revision and the previous one, so it runs one canary, got ${spec.canaries.length} (${spec.canaries.map((c) => c.name).join(', ')}); keep one canary, or use KServe Standard mode for several`,
    });
  }
  for (const v of allVersions(spec)) {
    const path = versionPath(v);
    const s = v.scaling;
    const hpa = s.metric === 'cpu' || s.metric === 'memory';
    if (v.deploymentStrategy === 'Recreate') {
      issues.push({
        path: [...path, 'deploymentStrategy'],
        message: 'KServe Knative mode rolls out revisions itself and refuses a deployment strategy, got "Recreate"; remove it or use KServe Standard mode',
      });
    }
    if ((s.scaleUpStabilizationWindowSeconds ?? 0) > 0) {
      issues.push({
        path: [...path, 'scaling', 'scaleUpStabilizationWindowSeconds'],
        message: `KServe Knative mode has no scale-up stabilization window, got ${s.scaleUpStabilizationWindowSeconds}; set it to 0, or use KServe Standard mode (HPA behavior)`,
      });
    }
    if (hpa && s.scaleDownStabilizationWindowSeconds !== undefined && s.scaleDownStabilizationWindowSeconds > 0) {
      issues.push({
        path: [...path, 'scaling', 'scaleDownStabilizationWindowSeconds'],
        message: `KServe Knative mode with metric "${s.metric}" uses Knative's HPA class, which takes no scale-down window, got ${s.scaleDownStabilizationWindowSeconds}; use metric "concurrency" or "rps" (scale-down delay), or KServe Standard mode`,
      });
    }
    if (hpa && s.target !== undefined && s.target > 100) {
      issues.push({
        path: [...path, 'scaling', 'target'],
        message: `a ${s.metric} utilization target is a percent from 1 to 100, got ${s.target}; lower the target`,
      });
    }
  }
}

// ---------------------------------------------------------------- rendering

function storageUriOf(version: Version): string | undefined {
  const a = version.artifact;
  return a.kind === 'model' || a.kind === 'image' ? a.storageUri : undefined;
}

function metadata(spec: CanarySpec, mode: KServeModeName, extra: Record<string, string> = {}) {
  return {
    name: spec.name,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    labels: objectLabels(spec),
    annotations: { [DEPLOYMENT_MODE_ANNOTATION]: mode === 'standard' ? 'Standard' : 'Knative', ...extra },
  };
}

/** The implementation part of a predictor: `model`, or one custom container. */
function implementation(version: Version, inCanaryList: boolean): Pick<PredictorSpec, 'model' | 'containers'> {
  // The CRD requires a container name in spec.canary[].predictor.model (not in spec.predictor.model,
  // where the webhook refuses one): canaries name it as KServe names every predictor container.
  const modelName = inCanaryList ? { name: KSERVE_CONTAINER } : {};
  const base: ContainerFields = {
    env: containerEnv(version.env),
    resources: resources(version),
    securityContext: containerSecurityContext(version),
    volumeMounts: scratchVolumeMounts(version),
  };
  const a = version.artifact;
  if (a.kind === 'model') {
    const modelFormat = { name: a.format, ...(a.formatVersion ? { version: a.formatVersion } : {}) };
    const { env, ...rest } = base;
    // KServe's runtimes serve HTTP on 8080 and declare no port: declaring it makes the Service's target and the
    // readiness check explicit (a runtime named by the user declares its own)
    const ports = a.runtime && !a.runtime.startsWith(KSERVE_RUNTIME_PREFIX) ? {} : { ports: [{ containerPort: KSERVE_RUNTIME_PROFILE.port, protocol: 'TCP' as const }] };
    return {
      model: {
        ...modelName,
        modelFormat,
        ...(a.runtime ? { runtime: a.runtime } : {}),
        ...(V2_ONLY_FORMATS.has(a.format) ? { protocolVersion: 'v2' } : {}),
        storageUri: a.storageUri,
        ...ports,
        ...(env && env.length > 0 ? { env } : {}),
        ...rest,
      },
    };
  }
  const profile = profileOf(version);
  const env = [...(base.env ?? [])];
  if (a.kind === 'image' && a.storageUri) env.push({ name: 'STORAGE_URI', value: a.storageUri });
  // KServe's Service sends port 80 to the first container port; Knative routes to it and sets PORT
  const container: ContainerFields = {
    name: KSERVE_CONTAINER,
    image: a.image,
    ports: [{ containerPort: profile.port, protocol: 'TCP' as const }],
    ...(env.length > 0 ? { env } : {}),
    resources: base.resources,
    securityContext: base.securityContext,
    volumeMounts: base.volumeMounts,
    ...probes(profile),
  };
  return { containers: [container] };
}

/**
 * Pod-level predictor fields shared by both modes. Knative refuses a pod-level
 * security context, node selector and tolerations by default (its container-level
 * security context carries the same settings): `knative` says what its cluster allows.
 */
function podFields(spec: CanarySpec, version: Version, knative?: KnativeSettings): Partial<PredictorSpec> {
  const allows = (flag: string) => knative === undefined || knative.features.includes(flag);
  const place = placement(version) as Pick<PredictorSpec, 'nodeSelector' | 'tolerations'>;
  return {
    ...(version.timeoutSeconds !== undefined ? { timeout: version.timeoutSeconds } : {}),
    ...(version.serviceAccountName !== undefined ? { serviceAccountName: version.serviceAccountName } : {}),
    labels: podLabels(spec, version),
    ...(Object.keys(version.annotations).length > 0 ? { annotations: { ...version.annotations } } : {}),
    ...(place.nodeSelector && allows(KNATIVE_FLAGS.nodeSelector) ? { nodeSelector: place.nodeSelector } : {}),
    ...(place.tolerations && allows(KNATIVE_FLAGS.tolerations) ? { tolerations: place.tolerations } : {}),
    ...(allows(KNATIVE_FLAGS.securityContext) ? { securityContext: podSecurityContext(version) } : {}),
    volumes: scratchVolumes(version),
  };
}

function hpaAutoScaling(version: Version): AutoScalingSpec {
  const behavior = hpaBehavior(version);
  return { metrics: hpaMetrics(version), ...(behavior ? { behavior } : {}) } as unknown as AutoScalingSpec;
}

/**
 * A Standard-mode predictor. `fixedReplicas`: a spec.canary[] entry (no maxReplicas, no autoscaling).
 * `named`: carries the version's name (inside a multi-canary InferenceService).
 */
function standardPredictor(spec: CanarySpec, version: Version, fixedReplicas: boolean, named: boolean): PredictorSpec {
  const s = version.scaling;
  const autoscales = !fixedReplicas && s.maxReplicas > s.minReplicas;
  return {
    ...(named ? { name: version.name } : {}),
    minReplicas: s.minReplicas,
    ...(fixedReplicas ? {} : { maxReplicas: s.maxReplicas }),
    ...(autoscales ? { autoScaling: hpaAutoScaling(version) } : {}),
    ...(version.deploymentStrategy ? { deploymentStrategy: { type: version.deploymentStrategy } } : {}),
    ...podFields(spec, version),
    ...implementation(version, fixedReplicas),
  } as PredictorSpec;
}

/**
 * A spec.canary[] predictor: KServe merges it onto main's, map keys included, so
 * every GPU resource main requests and the canary does not is set to 0 explicitly.
 */
function canaryPredictor(spec: CanarySpec, c: Version): PredictorSpec {
  const predictor = standardPredictor(spec, c, true, true);
  const cleared = Object.keys(spec.main.instanceType.requests).filter((k) => k !== 'cpu' && k !== 'memory' && !(k in c.instanceType.requests));
  if (cleared.length === 0) return predictor;
  const zero = Object.fromEntries(cleared.map((k) => [k, '0']));
  const clear = <T extends ContainerFields>(container: T): T => ({
    ...container,
    resources: { requests: { ...container.resources.requests, ...zero }, limits: { ...container.resources.limits, ...zero } },
  });
  return predictor.model ? { ...predictor, model: clear(predictor.model) } : { ...predictor, containers: predictor.containers!.map(clear) };
}

function renderStandard(spec: CanarySpec): BackendOutput {
  const main = spec.main;
  const autoscales = main.scaling.maxReplicas > main.scaling.minReplicas;
  const isvc: InferenceService = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: metadata(spec, 'standard', autoscales ? { [AUTOSCALER_CLASS_ANNOTATION]: 'hpa' } : {}),
    spec: {
      predictor: standardPredictor(spec, main, false, true),
      ...(spec.canaries.length > 0
        ? { canary: spec.canaries.map((c) => ({ trafficPercent: c.weight, predictor: canaryPredictor(spec, c) })) }
        : {}),
    },
  };
  const warnings: string[] = [];
  if (spec.canaries.length > 0) {
    warnings.push(
      `KServe Standard mode applies the spec.canary split (${spec.canaries.map((c) => `${c.name} ${c.weight}%`).join(', ')}) only in the Gateway API route KServe writes itself (inferenceservice-config ingress.enableGatewayApi: true); ` +
        `callers of the Service ${spec.name}-predictor inside the cluster reach main alone. To split in-mesh traffic, use the per-version strategy with router "istio" or "gateway-api"`,
    );
    const tolerating = spec.canaries.filter((c) => spec.main.instanceType.tolerations.length > 0 && c.instanceType.tolerations.length === 0);
    if (tolerating.length > 0) {
      warnings.push(
        `KServe merges a canary's tolerations onto main's, so ${tolerating.map((c) => c.name).join(', ')} keep${tolerating.length > 1 ? '' : 's'} main's tolerations (from "${spec.main.instanceType.name}"): they may also schedule on those nodes`,
      );
    }
  }
  return { objects: [isvc], warnings };
}

/** Name of a version's InferenceService under the per-version strategy. */
export function perVersionName(spec: CanarySpec, version: Version): string {
  return deriveName(spec.name, version.name);
}

/** One InferenceService per version, each with its full autoscaling; a router splits traffic between their Services. */
function renderPerVersion(spec: CanarySpec): BackendOutput {
  const versions = allVersions(spec);
  const objects = versions.map((v): InferenceService => {
    const autoscales = v.scaling.maxReplicas > v.scaling.minReplicas;
    return {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: {
        ...metadata(spec, 'standard', autoscales ? { [AUTOSCALER_CLASS_ANNOTATION]: 'hpa' } : {}),
        name: perVersionName(spec, v),
      },
      spec: { predictor: standardPredictor(spec, v, false, false) },
    };
  });
  const targets = versions.map((v) => ({
    version: v.name,
    service: deriveName(perVersionName(spec, v), 'predictor'),
    port: PREDICTOR_SERVICE_PORT,
  }));
  return { objects, warnings: [], targets };
}

function knativePredictor(spec: CanarySpec, version: Version, canaryTrafficPercent: number | undefined, knative: KnativeSettings): PredictorSpec {
  const s = version.scaling;
  const hpa = s.metric === 'cpu' || s.metric === 'memory';
  const annotations: Record<string, string> = { ...version.annotations };
  const delay = s.scaleDownStabilizationWindowSeconds ?? 0;
  if (hpa) {
    annotations[KNATIVE_CLASS_ANNOTATION] = KNATIVE_HPA_CLASS;
  } else if (delay > 0) {
    annotations[KNATIVE_SCALE_DOWN_DELAY_ANNOTATION] = `${s.scaleDownStabilizationWindowSeconds}s`;
  }
  const pod = podFields(spec, version, knative);
  return {
    minReplicas: s.minReplicas,
    maxReplicas: s.maxReplicas,
    ...(s.metric ? { scaleMetric: s.metric as 'concurrency' | 'rps' } : {}),
    ...(s.target !== undefined ? { scaleTarget: s.target } : hpa ? { scaleTarget: DEFAULT_UTILIZATION_TARGET } : {}),
    ...(canaryTrafficPercent !== undefined ? { canaryTrafficPercent } : {}),
    ...pod,
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...implementation(version, false),
  } as PredictorSpec;
}

function renderKnative(spec: CanarySpec, knative: KnativeSettings): BackendOutput {
  const canary = spec.canaries[0];
  const predictor = canary ? knativePredictor(spec, canary, canary.weight, knative) : knativePredictor(spec, spec.main, undefined, knative);
  const isvc: InferenceService = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: metadata(spec, 'knative'),
    spec: { predictor },
  };
  const warnings = canary
    ? [
      `KServe Knative mode: canaryTrafficPercent ${canary.weight} sends ${canary.weight}% to the revision this manifest creates (version "${canary.name}") and ${100 - canary.weight}% to the previously rolled-out revision; ` +
          `apply the main version ("${spec.main.name}") first (synthesize without canaries), then this manifest`,
    ]
    : [];
  return { objects: [isvc], warnings };
}
