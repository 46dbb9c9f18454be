/**
 * Runtime profiles: what the server of each kind of artifact needs from its
 * pod to start, become Ready and serve: the port it listens on, its health
 * endpoints, the numeric user it runs as and the paths it writes. One table,
 * used by every backend, so a bento serves the same way on KServe, Seldon and
 * Argo Rollouts.
 *
 * Written from the servers' own sources (see the README's "What runs where"):
 * BentoML's container templates and configuration, KServe's runtimes
 * (config/runtimes), Seldon Core's prepackaged servers and ServerConfigs, MLServer.
 */
import { CanarySpec, EnvVar, Version } from '../../spec';
import { ImageArtifact } from '../../spec/model';

/** What a server needs from its pod. */
export interface RuntimeProfile {
  /** The server, for messages, e.g. `BentoML`. */
  readonly server: string;
  /** Port the server listens on for HTTP. */
  readonly port: number;
  /** HTTP path answering once the server is ready; undefined: a TCP check on the port. */
  readonly readinessPath?: string;
  /** HTTP path answering while the server is alive; undefined: a TCP check on the port. */
  readonly livenessPath?: string;
  /**
   * Numeric user (and group) the server runs as. The kubelet verifies
   * `runAsNonRoot` only against a number, so every pod we emit names it
   * unless the version sets its own. Undefined: the image's own user is
   * numeric and non-root, nothing to add.
   */
  readonly user?: number;
  readonly group?: number;
  /** Paths the server writes at run time, each backed by a scratch volume under a read-only root. */
  readonly writablePaths: readonly string[];
  /** Environment that points the server's run-time writes at those paths. */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  /** Defaults assumed because the version did not declare them (shown by `validate`). */
  readonly assumed: readonly string[];
}

/** The scratch volume every pod gets (an emptyDir): the root filesystem is read-only. */
export const SCRATCH = '/tmp';
/** Shared memory, for servers that pass tensors between processes through it (an in-memory emptyDir). */
export const SHARED_MEMORY = '/dev/shm';

/** Port, health endpoints, user and writes of a BentoML bento's image (`bentoml containerize`). */
export const BENTO_PROFILE: RuntimeProfile = {
  server: 'BentoML',
  // api_server.http.port (BentoML's default configuration); EXPOSE 3000 in its Dockerfile template
  port: 3000,
  readinessPath: '/readyz',
  livenessPath: '/livez',
  // `USER bentoml`, created with uid and gid 1034 by BentoML's Dockerfile template
  user: 1034,
  group: 1034,
  writablePaths: [SCRATCH],
  env: [
    // BentoML creates its home's subdirectories, the Prometheus multiprocess directory,
    // the task result store and its client id under BENTOML_HOME at start-up
    { name: 'BENTOML_HOME', value: `${SCRATCH}/bentoml` },
    // the Hugging Face hub and other libraries' caches (the bento's own models stay in the bento)
    { name: 'HF_HOME', value: `${SCRATCH}/huggingface` },
    { name: 'XDG_CACHE_HOME', value: `${SCRATCH}/cache` },
  ],
  assumed: [],
};

/** Port a container image listens on when it declares none. */
export const DEFAULT_IMAGE_PORT = 8080;
/** User (and group) a container image runs as when it declares none. */
export const DEFAULT_IMAGE_USER = 1000;

/** A plain container image: what it declared, the stated defaults for the rest. */
export function imageProfile(a: ImageArtifact, version?: Version): RuntimeProfile {
  const assumed: string[] = [];
  if (a.port === undefined) assumed.push(`port ${DEFAULT_IMAGE_PORT}`);
  if (a.readinessPath === undefined && a.livenessPath === undefined) assumed.push('TCP health checks on that port (no readiness or liveness path)');
  const ownUser = a.user ?? version?.security.runAsUser;
  if (ownUser === undefined) assumed.push(`user ${DEFAULT_IMAGE_USER}`);
  const user = a.user ?? DEFAULT_IMAGE_USER;
  return {
    server: `the image ${a.image}`,
    port: a.port ?? DEFAULT_IMAGE_PORT,
    ...(a.readinessPath !== undefined ? { readinessPath: a.readinessPath } : {}),
    ...(a.livenessPath !== undefined ? { livenessPath: a.livenessPath } : {}),
    user,
    // no group unless declared: images that grant their files to group 0 (the default group) keep working
    ...(a.group !== undefined ? { group: a.group } : {}),
    writablePaths: [SCRATCH],
    env: [],
    assumed,
  };
}

/** MLServer: writes its metrics and environments under its working directory (/opt/mlserver) and caches under .cache. */
const MLSERVER_ENV = [
  { name: 'MLSERVER_METRICS_DIR', value: `${SCRATCH}/mlserver-metrics` },
  { name: 'MLSERVER_ENVIRONMENTS_DIR', value: `${SCRATCH}/mlserver-envs` },
  { name: 'HF_HOME', value: `${SCRATCH}/huggingface` },
  { name: 'NUMBA_CACHE_DIR', value: `${SCRATCH}/numba` },
];

/**
 * KServe's model servers (the default ClusterServingRuntimes, port 8080,
 * `USER 1000` in their images): KServe supplies the container, adds a TCP
 * readiness check on 8080, and the Hugging Face and vLLM runtimes keep their
 * caches under /tmp (HF_HOME, VLLM_CONFIG_ROOT in the runtimes).
 */
export const KSERVE_RUNTIME_PROFILE: RuntimeProfile = {
  server: "KServe's model server",
  port: 8080,
  writablePaths: [SCRATCH],
  env: [],
  assumed: [],
};

/** Formats KServe's default runtimes serve with Triton, which passes tensors through shared memory. */
const KSERVE_TRITON_FORMATS = new Set(['onnx', 'tensorrt', 'triton']);

/**
 * The KServe runtime profile for a model format: Triton's formats also write shared memory; mlflow runs on
 * MLServer (kserve-mlserver), whose writes go to the scratch volume.
 */
export function kserveRuntimeProfile(format: string): RuntimeProfile {
  if (KSERVE_TRITON_FORMATS.has(format)) return { ...KSERVE_RUNTIME_PROFILE, server: "KServe's Triton runtime", writablePaths: [SCRATCH, SHARED_MEMORY] };
  if (format === 'mlflow') return { ...KSERVE_RUNTIME_PROFILE, server: "KServe's MLServer runtime", env: MLSERVER_ENV };
  if (format === 'huggingface') return { ...KSERVE_RUNTIME_PROFILE, server: "KServe's Hugging Face runtime", env: HUGGINGFACE_ENV };
  return KSERVE_RUNTIME_PROFILE;
}

/**
 * The Hugging Face runtime sets HF_HOME under /tmp, but vLLM (in its GPU image) and the Triton and
 * flashinfer kernels cache under ~/.cache and vLLM's config root: both on the scratch volume, as KServe's
 * own vLLM runtime does (config/runtimes/kserve-vllmserver.yaml).
 */
const HUGGINGFACE_ENV = [
  { name: 'XDG_CACHE_HOME', value: `${SCRATCH}/cache` },
  { name: 'VLLM_CONFIG_ROOT', value: `${SCRATCH}/vllm-config` },
];


/**
 * Seldon Core v1's prepackaged servers. The Python wrappers' images run as
 * `USER 8888`, which is also the operator's default pod user (only while the
 * pod has no security context of its own, so ours names it); the TensorFlow
 * Serving and Triton images run as root. No group: MLServer's image grants
 * /opt/mlserver to group 0, the default group. With the v2 protocol the
 * servers are MLServer's images, whose writes go to the scratch volume.
 */
export function seldonServerProfile(implementation: string, mlserver: boolean): RuntimeProfile {
  return {
    server: mlserver ? 'MLServer (Seldon Core v1)' : `Seldon Core's ${implementation}`,
    // the Python wrapper's PREDICTIVE_UNIT_HTTP_SERVICE_PORT default; behind the engine on 8000
    port: 9000,
    user: 8888,
    writablePaths: [SCRATCH, ...(SELDON_SERVER_WRITES[implementation] ?? [])],
    env: mlserver ? MLSERVER_ENV : [],
    assumed: [],
  };
}

/**
 * What Seldon Core v1's prepackaged servers write beyond /tmp: Triton its shared memory (/dev/shm), the
 * MLflow server the conda environments it builds for a model (its image opens /.conda and /.cache/conda).
 * @see seldon-core (v1) servers/mlflowserver and wrappers/s2i/python Dockerfiles
 */
const SELDON_SERVER_WRITES: Readonly<Record<string, readonly string[]>> = {
  TRITON_SERVER: [SHARED_MEMORY],
  MLFLOW_SERVER: ['/.conda', '/.cache/conda'],
};

/** Seldon Core v2's server configurations: their servers listen on 9000 and run as the ServerConfig's user 1000. */
export const SELDON_V2_SERVER_PROFILES: Readonly<Record<'mlserver' | 'triton', RuntimeProfile>> = {
  mlserver: { server: 'MLServer', port: 9000, readinessPath: '/v2/health/live', livenessPath: '/v2/health/live', user: 1000, group: 1000, writablePaths: [SCRATCH], env: MLSERVER_ENV, assumed: [] },
  triton: { server: 'Triton', port: 9000, readinessPath: '/v2/health/live', livenessPath: '/v2/health/live', user: 1000, group: 1000, writablePaths: [SCRATCH, SHARED_MEMORY], env: [], assumed: [] },
};

/**
 * The profile of a version whose container we write (a bento or an image).
 * Model artifacts run in the serving stack's own server: each backend names its profile.
 */
export function artifactProfile(version: Version): RuntimeProfile | undefined {
  const a = version.artifact;
  if (a.kind === 'bento') return BENTO_PROFILE;
  if (a.kind === 'image') return imageProfile(a, version);
  return undefined;
}

/** Where a probe asks: an HTTP path on the port, or a TCP connection to it. */
function probe(port: number | string, path: string | undefined): Record<string, unknown> {
  return path !== undefined ? { httpGet: { path, port } } : { tcpSocket: { port } };
}

/**
 * Readiness and liveness probes of a server. `port`: the port's name or number as the container declares it.
 * Liveness only where the server has a liveness endpoint: a TCP or readiness check would restart a server still loading its model.
 */
export function probes(profile: RuntimeProfile, port: number | string = profile.port): Record<string, unknown> {
  const liveness = profile.livenessPath !== undefined ? { ...probe(port, profile.livenessPath), periodSeconds: 10, failureThreshold: 6 } : undefined;
  return { readinessProbe: probe(port, profile.readinessPath), ...(liveness ? { livenessProbe: liveness } : {}) };
}

/** The version's own env over the profile's (the version's entries win by name). */
export function profileEnv(profile: RuntimeProfile | undefined, env: readonly EnvVar[]): EnvVar[] {
  const own = new Set(env.map((e) => e.name));
  return [...(profile?.env ?? []).filter((e) => !own.has(e.name)), ...env];
}

/**
 * The version with the profile applied to its security: the profile's
 * numeric user and group unless the version set its own (only while it runs
 * as non-root), and the profile's writable paths beside its own.
 */
export function withProfile(version: Version, profile: RuntimeProfile | undefined): Version {
  if (!profile) return version;
  const s = version.security;
  const nonRoot = s.runAsNonRoot;
  const paths = [...s.writablePaths];
  if (s.readOnlyRootFilesystem) for (const p of profile.writablePaths) if (!paths.some((q) => p === q || p.startsWith(`${q}/`))) paths.push(p);
  return {
    ...version,
    env: profileEnv(profile, version.env),
    security: {
      ...s,
      ...(nonRoot && s.runAsUser === undefined && profile.user !== undefined ? { runAsUser: profile.user } : {}),
      ...(nonRoot && s.runAsGroup === undefined && profile.group !== undefined ? { runAsGroup: profile.group } : {}),
      writablePaths: paths,
    },
  };
}

/** The spec with each version's profile applied (see {@link withProfile}). */
export function withProfiles(spec: CanarySpec, profileOf: (v: Version) => RuntimeProfile | undefined): CanarySpec {
  const apply = (v: Version) => withProfile(v, profileOf(v));
  return { ...spec, main: apply(spec.main), canaries: spec.canaries.map(apply), ...(spec.mirror ? { mirror: apply(spec.mirror) } : {}) };
}

/** What `validate` says about the runtime: defaults assumed for images, bentos that would pull from Docker Hub. */
export function runtimeNotes(spec: CanarySpec, versions: readonly Version[]): string[] {
  const notes: string[] = [];
  // one note per image and set of assumptions, naming every version that runs it (a canary inherits main's image)
  const assumedBy = new Map<string, { image: string; assumed: readonly string[]; versions: string[] }>();
  for (const v of versions) {
    const a = v.artifact;
    if (a.kind !== 'image') continue;
    const assumed = imageProfile(a, v).assumed;
    if (assumed.length === 0) continue;
    const key = JSON.stringify([a.image, assumed]);
    const entry = assumedBy.get(key) ?? { image: a.image, assumed, versions: [] };
    entry.versions.push(v.name);
    assumedBy.set(key, entry);
  }
  for (const { image, assumed, versions: names } of assumedBy.values()) {
    notes.push(
      `version${names.length > 1 ? 's' : ''} ${names.join(', ')}: the image ${image} does not declare all of its port, health paths and user, so these are assumed: ${assumed.join('; ')}; ` +
        'declare port, readiness_path, liveness_path and user with the image (in code: Artifact.image(ref, { port, readinessPath, livenessPath, user }))',
    );
  }
  const bentos = versions.filter((v) => v.artifact.kind === 'bento' && !v.artifact.image.includes('/'));
  if (bentos.length > 0) {
    notes.push(
      `the bento image${bentos.length > 1 ? 's' : ''} ${bentos.map((v) => (v.artifact as { image: string }).image).join(', ')} name${bentos.length > 1 ? '' : 's'} no registry, so the cluster pulls from Docker Hub; ` +
        `set the registry the bentos were pushed to: kubernetes.image_repository in the file, --image-repository on the CLI, or imageRepository in code (service ${spec.name})`,
    );
  }
  return notes;
}
