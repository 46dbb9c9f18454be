/**
 * fast-check generators of service definitions (the camelCase input of
 * `synthesize`), written from the input schema (src/spec/schema.ts), the
 * spec's cross-field rules and what each backend documents it refuses
 * (README, "What each backend can do", and its sections).
 *
 * `specFor(profile)` generates specs one backend and router accept; `BROAD`
 * is a profile that allows everything the spec itself allows, so its specs
 * are valid specs that a given backend may refuse.
 *
 * Environment variable names never look like credentials (the spec refuses a
 * plain value for those); service names start with a letter except in the
 * property of the known bug about names starting with a digit.
 */
import * as fc from 'fast-check';
import { Backend, KServeMode, KServeStrategy } from '../../src/backends';
import { KSERVE_FORMATS } from '../../src/backends/kserve';
import { Router, RouterOptions } from '../../src/routers';
import { InstanceTypeCatalog, RESERVED_LABELS } from '../../src/spec';

export type Json = Record<string, any>;
export type ArtifactKind = 'bento' | 'image' | 'imageUri' | 'model';
export type RouterName = 'native' | 'istio' | 'gateway-api' | 'nginx' | 'smi';
type Metric = 'cpu' | 'memory' | 'concurrency' | 'rps';

// ------------------------------------------------------------------ atoms

const LOWER = [...'abcdefghijklmnopqrstuvwxyz'];
const UPPER = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const DIGITS = [...'0123456789'];
const ALNUM = [...LOWER, ...DIGITS];

function chars(alphabet: readonly string[], minLength: number, maxLength: number): fc.Arbitrary<string> {
  const unit = fc.constantFrom(...alphabet);
  if (maxLength <= 12) return fc.string({ unit, minLength, maxLength });
  // mostly short, sometimes up to the limit, so length limits are exercised
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit, minLength, maxLength: Math.max(minLength, 12) }) },
    { weight: 1, arbitrary: fc.string({ unit, minLength, maxLength, size: 'max' }) },
  );
}

/** Cuts a DNS label to `max` characters, without a trailing '-'. */
export function fitLabel(label: string, max: number): string {
  return label.slice(0, Math.max(1, max)).replace(/-+$/, '');
}

/** A DNS-1123 label of at most `max` characters; `first` picks the alphabet of its first character. */
export function dnsLabel(max = 63, first: 'letter' | 'digit' | 'any' = 'any'): fc.Arbitrary<string> {
  const start = first === 'letter' ? LOWER : first === 'digit' ? DIGITS : ALNUM;
  return fc
    .tuple(fc.constantFrom(...start), chars([...ALNUM, '-'], 0, max - 1))
    .map(([f, rest]) => (f + rest).replace(/-+$/, ''));
}

/** Realistic names now and then, random ones otherwise. */
function named(words: readonly string[], random: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...words) }, { weight: 3, arbitrary: random });
}

const SERVICE_WORDS = ['fraud', 'summarization', 'ranker', 'iris', 'churn-model', 'llm-gateway'];
const VERSION_WORDS = ['v2', 'v3', 'canary', 'shadow', 'candidate', 'b', 'blue', 'green'];

/** A DNS subdomain (label prefixes, host names). */
function dnsSubdomain(maxLabels = 3): fc.Arbitrary<string> {
  return fc.array(dnsLabel(12), { minLength: 1, maxLength: maxLabels }).map((labels) => labels.join('.'));
}

/** The name part of a label or annotation key: alphanumerics, '-', '_', '.', starting and ending alphanumeric, at most 63. */
const qualifiedName = fc
  .tuple(fc.constantFrom(...ALNUM, ...UPPER), chars([...ALNUM, ...UPPER, '-', '_', '.'], 0, 61), fc.constantFrom(...ALNUM, ...UPPER))
  .map(([a, mid, z]) => (mid === '' ? a : a + mid + z));

// the keys the library sets on every pod are refused (RESERVED_LABELS): never generated as valid
const labelKey = fc.oneof(
  fc.constantFrom('team', 'app.kubernetes.io/part-of', 'example.com/owner', 'tier'),
  qualifiedName,
  fc.tuple(dnsSubdomain(), qualifiedName).map(([prefix, name]) => `${prefix}/${name}`),
).filter((k) => !RESERVED_LABELS.includes(k));
const labelValue = fc.oneof(fc.constant(''), qualifiedName);
const annotationKey = fc.oneof(
  fc.constantFrom('example.com/owner', 'note', 'prometheus.io/scrape', 'cost-center'),
  qualifiedName,
  fc.tuple(dnsSubdomain(), qualifiedName).map(([prefix, name]) => `${prefix}/${name}`),
);
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('true', '8', 'null', '~', '- a', 'a: b', '"q"'));

/**
 * Environment variable names that never look like credentials (the spec refuses
 * plain values of names ending in TOKEN, PASSWORD, SECRET, KEY, CREDENTIALS...):
 * a fixed vocabulary, or any valid name ending in a digit.
 */
const SAFE_ENV_WORDS = ['LOG_LEVEL', 'MODEL_NAME', 'WORKERS', 'BATCH_SIZE', 'FEATURE_FLAGS', 'TZ', 'OMP_NUM_THREADS', 'CACHE_DIR', 'HF_HOME', 'app.mode', 'my-var', '_PRIVATE_FLAG'];
const safeEnvName = fc.oneof(
  fc.constantFrom(...SAFE_ENV_WORDS),
  fc
    .tuple(fc.constantFrom(...LOWER, ...UPPER, '_', '-', '.'), chars([...ALNUM, ...UPPER, '_', '-', '.'], 0, 20), fc.constantFrom(...DIGITS))
    .map(([a, mid, digit]) => a + mid + digit),
);
const keyRef = fc.record(
  {
    name: dnsLabel(30),
    key: chars([...ALNUM, ...UPPER, '-', '_', '.'], 1, 20),
    optional: fc.boolean(),
  },
  { requiredKeys: ['name', 'key'] },
);

function envVar(name: fc.Arbitrary<string>): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ name, value: anyText }) },
    { weight: 1, arbitrary: fc.record({ name, secretKeyRef: keyRef }) },
    { weight: 1, arbitrary: fc.record({ name, configMapKeyRef: keyRef }) },
  );
}

function envList(entry: fc.Arbitrary<Json>): fc.Arbitrary<Json[]> {
  return fc.uniqueArray(entry, { selector: (e) => e.name, maxLength: 3 });
}

/**
 * Opt-outs of the restricted pod defaults. The user is never 0 (root), so no
 * combination with an inherited or default runAsNonRoot is refused.
 */
const capability = fc.oneof(fc.constantFrom('NET_BIND_SERVICE', 'SYS_PTRACE', 'NET_ADMIN', 'CHOWN'), fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/)).filter((c) => c !== 'ALL');
const writablePath = fc.oneof(
  fc.constantFrom('/tmp', '/home/app/.cache', '/var/run', '/root/.cache/huggingface'),
  fc.array(fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/), { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join('/')}`),
);
const security = fc.record(
  {
    runAsNonRoot: fc.boolean(),
    runAsUser: fc.integer({ min: 1, max: 2_147_483_647 }),
    runAsGroup: fc.integer({ min: 0, max: 2_147_483_647 }),
    readOnlyRootFilesystem: fc.boolean(),
    allowPrivilegeEscalation: fc.boolean(),
    addCapabilities: fc.uniqueArray(capability, { maxLength: 3 }),
    writablePaths: fc.uniqueArray(writablePath, { maxLength: 3 }),
    seccompProfile: fc.constantFrom('RuntimeDefault', 'Unconfined'),
  },
  { requiredKeys: [] },
);

// ------------------------------------------------------------------ artifacts

const bentoName = fc
  .tuple(fc.constantFrom(...ALNUM), chars([...ALNUM, '-', '.', '_'], 0, 14), fc.constantFrom(...ALNUM))
  .map(([a, mid, z]) => (mid === '' ? a : a + mid + z));
const bentoVersion = fc
  .tuple(fc.constantFrom(...ALNUM, ...UPPER), chars([...ALNUM, ...UPPER, '-', '.', '_'], 0, 16), fc.constantFrom(...ALNUM, ...UPPER))
  .map(([a, mid, z]) => (mid === '' ? a : a + mid + z));
const bentoTag = fc.tuple(bentoName, bentoVersion).map(([n, v]) => `${n}:${v}`);

const pathSegment = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.option(fc.tuple(fc.constantFrom('.', '_', '-'), fc.stringMatching(/^[a-z0-9]{1,6}$/))))
  .map(([a, more]) => (more ? `${a}${more[0]}${more[1]}` : a));
const registry = fc.oneof(
  fc.constantFrom('ghcr.io', 'docker.io', 'quay.io', 'registry.local:5000', 'localhost:5000', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'),
  fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,15}$/),
);
const imageTag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `@sha256:${hex}`);
export const imageRef = fc
  .tuple(registry, fc.array(pathSegment, { maxLength: 3 }), fc.option(imageTag), fc.option(digest))
  .map(([reg, path, tag, dig]) => `${reg}${path.map((p) => `/${p}`).join('')}${tag ? `:${tag}` : ''}${dig ?? ''}`);

/** Storage URI schemes KServe's storage initializer takes. */
export const KSERVE_SCHEMES = ['gs://', 's3://', 'pvc://', 'file://', 'https://', 'http://', 'hdfs://', 'webhdfs://', 'oci://', 'oci+native://', 'oci+fetch://', 'hf://'];
export const OTHER_SCHEMES = ['ftp://', 'mlflow://', 'azure://', 'minio://'];
export function storageUri(schemes: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...schemes), fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/), fc.array(fc.stringMatching(/^[A-Za-z0-9._~%-]{1,10}$/), { maxLength: 3 }))
    .map(([scheme, bucket, path]) => `${scheme}${[bucket, ...path].join('/')}`);
}

/**
 * Variables some backends refuse (KServe: PYTHONPATH, STORAGE_URI on a model,
 * PROTOCOL other than v1 or v2 on a custom container), for the broad profile.
 * STORAGE_URI always carries a scheme KServe takes: a value without a scheme
 * is a local path, which KServe accepts (SEMANTIC_RULES.md, "Storage URI")
 * but test/support/semantic-rules.ts flags, and a scheme KServe does not take
 * is the regression in valid-specs.test.ts.
 */
const refusedEnv: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ name: fc.constant('PYTHONPATH'), value: fc.constantFrom('/app', '/opt/lib:/app') }),
  fc.record({ name: fc.constant('STORAGE_URI'), value: storageUri(KSERVE_SCHEMES) }),
  fc.record({ name: fc.constant('PROTOCOL'), value: fc.constantFrom('v1', 'v2', 'v3', 'grpc') }),
);

/** Formats with a prepackaged server in Seldon Core v1 (its README lists them). */
export const SELDON_V1_FORMATS = ['sklearn', 'xgboost', 'tensorflow', 'mlflow', 'triton', 'huggingface'];
/** Formats Seldon Core v2's servers (mlserver, triton) load. */
export const SELDON_V2_FORMATS = ['sklearn', 'xgboost', 'lightgbm', 'mlflow', 'huggingface', 'onnx', 'pytorch', 'tensorflow', 'tensorrt', 'triton'];
const anyFormat = fc.oneof(
  fc.constantFrom(...SELDON_V2_FORMATS, 'pmml', 'paddle', 'vllm'),
  fc.stringMatching(/^[a-z][a-z0-9_.-]{0,12}$/),
);

interface ArtifactRules {
  readonly schemes: readonly string[];
  readonly formats?: readonly string[];
  readonly runtime: boolean;
}

function artifact(kind: ArtifactKind, rules: ArtifactRules): fc.Arbitrary<Json> {
  switch (kind) {
    case 'bento':
      return fc.record({ type: fc.constant('bento'), tag: bentoTag });
    case 'image':
      return fc.record({ type: fc.constant('image'), image: imageRef, port: fc.integer({ min: 1, max: 65535 }) }, { requiredKeys: ['type', 'image'] });
    case 'imageUri':
      return fc.record(
        { type: fc.constant('image'), image: imageRef, storageUri: storageUri(rules.schemes), port: fc.integer({ min: 1, max: 65535 }) },
        { requiredKeys: ['type', 'image', 'storageUri'] },
      );
    case 'model':
      return fc.record(
        {
          type: fc.constant('model'),
          storageUri: storageUri(rules.schemes),
          format: rules.formats ? fc.constantFrom(...rules.formats) : anyFormat,
          formatVersion: fc.stringMatching(/^[0-9a-z.]{1,6}$/),
          ...(rules.runtime ? { runtime: fc.oneof(fc.constantFrom('kserve-sklearnserver', 'kserve-huggingfaceserver', 'my-runtime'), dnsLabel(30)) } : {}),
        },
        { requiredKeys: ['type', 'storageUri', 'format'] },
      );
  }
}

// ------------------------------------------------------------------ profiles

/** How the versions of one spec may scale: one family for the whole spec, so inherited settings stay consistent. */
export interface ScalingFamily {
  readonly metrics: readonly Metric[];
  /** Largest scale target; 0: no target. */
  readonly targetMax: number;
  /** `zero`: the window may only be 0. */
  readonly upWindow: 'any' | 'zero';
  readonly downWindow: 'any' | 'zero';
}

const HPA_FAMILY: ScalingFamily = { metrics: ['cpu', 'memory'], targetMax: 100, upWindow: 'any', downWindow: 'any' };

/** What one backend and router accept, as generator settings. */
export interface Profile {
  readonly id: string;
  readonly backend: () => Backend;
  readonly router: RouterName;
  /** Longest service name, given the longest version name. */
  readonly nameBudget: (longestVersionName: number) => number;
  readonly serviceNameStart: 'letter' | 'digit' | 'any';
  readonly versionNameStart: 'letter' | 'any';
  readonly maxCanaries: number;
  readonly mirror: boolean;
  /** Header and query routing. */
  readonly hashing: boolean;
  readonly mainArtifacts: (withCanaries: boolean) => readonly ArtifactKind[];
  readonly canaryArtifacts: readonly ArtifactKind[];
  readonly artifactRules: ArtifactRules;
  readonly minReplicas: 0 | 1;
  readonly families: readonly ScalingFamily[];
  /** KServe's spec.canary[]: canaries run min = max replicas, at most main's min, with no metric or target of their own. */
  readonly fixedCanaries: boolean;
  readonly recreate: boolean;
  /** Seldon Core v1: one timeout for every version. */
  readonly oneTimeout: boolean;
  /** Seldon Core v1: tensorflow cannot share a SeldonDeployment with v2-protocol formats. */
  readonly oneProtocol: boolean;
  /** Stage, promote and rollback states (backends without a rollout controller). */
  readonly states: boolean;
  /** Promotion leaves the other canaries beside a new main they may not fit (KServe spec.canary[]): only with one canary. */
  readonly promoteOnlyOneCanary: boolean;
  /** Argo Rollouts with a router without request metrics: errorRate and p99LatencyMs need their own query. */
  readonly guardrailQueries: boolean;
  /**
   * KServe's spec.canary[] merges each canary onto main: a canary keeps main's node-selector keys,
   * serves the same kind of implementation (model or container) and cannot relax a true security setting.
   */
  readonly canaryMerge: boolean;
  /** Knative's defaults: no node selector or tolerations (CPU types), no added capabilities, timeouts up to 600 s. */
  readonly knativeDefaults: boolean;
  /** Env names any backend takes, or also the names some refuse. */
  readonly envNames: 'safe' | 'any';
  readonly routerOptions: fc.Arbitrary<RouterOptions>;
}

const pinHeader = fc.constantFrom('x-canary-version', 'X-Pin-Version', 'x-version', 'x-debug-route');
const gatewayRef = fc.oneof(
  fc.tuple(dnsLabel(20), dnsLabel(20)).map(([ns, name]) => `${ns}/${name}`),
  fc.constantFrom('istio-system/ingressgateway', 'gateways/public', 'public-gw'),
);
const host = fc.oneof(
  fc.tuple(dnsSubdomain(2), fc.constantFrom('com', 'io', 'example', 'internal')).map(([a, tld]) => `${a}.${tld}`),
  fc.constantFrom('api.example.com', 'models.acme.io', '*.example.com', '*.models.acme.io'),
);
const hosts = (minLength: number) => fc.uniqueArray(host, { minLength, maxLength: 3 });

function routerOptionsFor(router: RouterName): fc.Arbitrary<RouterOptions> {
  switch (router) {
    case 'native':
      return fc.constant({});
    case 'istio':
      return fc.oneof(
        fc.record({ pinHeader, hosts: hosts(0), filterNamespace: dnsLabel(20) }, { requiredKeys: [] }),
        // a gateway needs the host names it serves
        fc.record({ pinHeader, gateway: gatewayRef, hosts: hosts(1), filterNamespace: dnsLabel(20) }, { requiredKeys: ['gateway', 'hosts'] }),
      );
    case 'gateway-api':
      return fc.record({ pinHeader, gateway: gatewayRef, hosts: hosts(0) }, { requiredKeys: [] });
    case 'nginx':
      return fc.record({ pinHeader, hosts: hosts(1) }, { requiredKeys: ['hosts'] });
    case 'smi':
      return fc.record({ pinHeader, hosts: hosts(0) }, { requiredKeys: [] });
  }
}

/** Builds the Router of a profile. */
export function routerOf(name: RouterName, options: RouterOptions): Router {
  return Router.of(name, options);
}

const ANY_ARTIFACT: readonly ArtifactKind[] = ['bento', 'image', 'imageUri', 'model'];
// the formats KServe's runtimes serve (a format of the cluster's own needs its runtime named)
const KSERVE_ARTIFACTS: ArtifactRules = { schemes: KSERVE_SCHEMES, formats: KSERVE_FORMATS, runtime: true };
/** `NAME-VERSION-predictor` fits in 63 characters. */
const kserveStandardBudget = (v: number) => 63 - '-predictor'.length - 1 - v;

function profile(p: Omit<Profile, 'routerOptions' | 'envNames'> & { envNames?: 'safe' | 'any' }): Profile {
  return { envNames: 'safe', ...p, routerOptions: routerOptionsFor(p.router) };
}

const base = {
  serviceNameStart: 'letter' as const,
  versionNameStart: 'any' as const,
  maxCanaries: 3,
  mirror: false,
  hashing: false,
  canaryArtifacts: ANY_ARTIFACT,
  mainArtifacts: () => ANY_ARTIFACT,
  artifactRules: KSERVE_ARTIFACTS,
  minReplicas: 1 as const,
  families: [HPA_FAMILY],
  fixedCanaries: false,
  recreate: false,
  oneTimeout: false,
  oneProtocol: false,
  states: true,
  promoteOnlyOneCanary: false,
  guardrailQueries: false,
  canaryMerge: false,
  knativeDefaults: false,
};

/** Argo Rollouts, with `router`. */
function argo(router: RouterName, serviceNameStart: 'letter' | 'digit' = 'letter'): Profile {
  return profile({
    ...base,
    id: `argo-rollouts/${router}`,
    backend: () => Backend.argoRollouts(),
    router,
    // NAME-stable and NAME-canary fit in 63 characters
    nameBudget: () => 63 - '-canary'.length,
    serviceNameStart,
    maxCanaries: 1,
    canaryArtifacts: ['bento', 'image', 'imageUri'],
    mainArtifacts: () => ['bento', 'image', 'imageUri'],
    states: false,
    guardrailQueries: !['istio', 'nginx'].includes(router),
  });
}

/** Seldon Core v1, with `router`. */
function seldon(router: 'native' | 'istio' | 'gateway-api', serviceNameStart: 'letter' | 'digit' = 'letter'): Profile {
  return profile({
    ...base,
    id: `seldon/${router}`,
    backend: () => Backend.seldon(),
    router,
    // with a router, NAME-VERSION (the predictor's Service) fits in 63 characters
    nameBudget: (v) => (router === 'native' ? 63 : 63 - 1 - v),
    serviceNameStart,
    // Gateway API copies no requests
    mirror: router !== 'gateway-api',
    hashing: router === 'istio',
    artifactRules: { schemes: [...KSERVE_SCHEMES, ...OTHER_SCHEMES], formats: SELDON_V1_FORMATS, runtime: false },
    oneTimeout: true,
    oneProtocol: true,
  });
}

/** The backend and router combinations, each with the specs it accepts. */
export const PROFILES: readonly Profile[] = [
  profile({
    ...base,
    id: 'kserve-standard-canary/native',
    backend: () => Backend.kserve({ mode: KServeMode.STANDARD, strategy: KServeStrategy.CANARY }),
    router: 'native',
    nameBudget: kserveStandardBudget,
    versionNameStart: 'letter',
    mainArtifacts: (withCanaries) => (withCanaries ? ['model', 'imageUri'] : ANY_ARTIFACT),
    fixedCanaries: true,
    recreate: true,
    promoteOnlyOneCanary: true,
    canaryMerge: true,
  }),
  ...(['istio', 'gateway-api'] as const).map((router) =>
    profile({
      ...base,
      id: `kserve-standard-per-version/${router}`,
      backend: () => Backend.kserve({ mode: KServeMode.STANDARD }),
      router,
      nameBudget: kserveStandardBudget,
      versionNameStart: 'letter',
      mirror: router === 'istio',
      hashing: router === 'istio',
      recreate: true,
    }),
  ),
  profile({
    ...base,
    id: 'kserve-knative/native',
    backend: () => Backend.kserve({ mode: KServeMode.KNATIVE }),
    router: 'native',
    // NAME-predictor-00001-private fits in 63 characters
    nameBudget: () => 63 - '-predictor-00001-private'.length,
    maxCanaries: 1,
    minReplicas: 0,
    knativeDefaults: true,
    families: [
      { metrics: ['concurrency', 'rps'], targetMax: 1_000_000, upWindow: 'zero', downWindow: 'any' },
      { metrics: ['cpu', 'memory'], targetMax: 100, upWindow: 'zero', downWindow: 'zero' },
    ],
  }),
  seldon('native'),
  seldon('istio'),
  seldon('gateway-api'),
  profile({
    ...base,
    id: 'seldon-v2/native',
    backend: () => Backend.seldonV2(),
    router: 'native',
    nameBudget: () => 63,
    mirror: true,
    canaryArtifacts: ['model'],
    mainArtifacts: () => ['model'],
    artifactRules: { schemes: [...KSERVE_SCHEMES, ...OTHER_SCHEMES], formats: SELDON_V2_FORMATS, runtime: false },
    families: [{ metrics: [], targetMax: 0, upWindow: 'any', downWindow: 'any' }],
  }),
  ...(['native', 'istio', 'gateway-api', 'nginx', 'smi'] as const).map((router) => argo(router)),
];

/** Profiles whose Services are named after the service: a name starting with a digit is not a DNS-1035 label. */
export const DIGIT_NAME_PROFILES: readonly Profile[] = [seldon('istio', 'digit'), argo('native', 'digit'), argo('istio', 'digit')];

/** Everything the spec allows: valid specs, some of which a given backend refuses. */
export const BROAD: Profile = {
  ...base,
  id: 'broad',
  backend: () => Backend.kserve(),
  router: 'native',
  nameBudget: () => 63,
  maxCanaries: 4,
  mirror: true,
  hashing: true,
  artifactRules: { schemes: [...KSERVE_SCHEMES, ...OTHER_SCHEMES], runtime: true },
  minReplicas: 0,
  families: [{ metrics: ['cpu', 'memory', 'concurrency', 'rps'], targetMax: 1_000_000, upWindow: 'any', downWindow: 'any' }],
  recreate: true,
  envNames: 'any',
  routerOptions: fc.constant({}),
};

/** Every backend choice, for the broad property (KServe in each mode and strategy). */
export const ALL_BACKENDS: readonly { id: string; make: () => Backend }[] = [
  { id: 'kserve-standard', make: () => Backend.kserve({ mode: KServeMode.STANDARD }) },
  { id: 'kserve-standard-canary', make: () => Backend.kserve({ mode: KServeMode.STANDARD, strategy: KServeStrategy.CANARY }) },
  { id: 'kserve-standard-per-version', make: () => Backend.kserve({ mode: KServeMode.STANDARD, strategy: KServeStrategy.PER_VERSION }) },
  { id: 'kserve-knative', make: () => Backend.kserve({ mode: KServeMode.KNATIVE }) },
  { id: 'kserve-knative-per-version', make: () => Backend.kserve({ mode: KServeMode.KNATIVE, strategy: KServeStrategy.PER_VERSION }) },
  { id: 'seldon', make: () => Backend.seldon() },
  { id: 'seldon-v2', make: () => Backend.seldonV2() },
  { id: 'argo-rollouts', make: () => Backend.argoRollouts() },
];
export const ALL_ROUTERS: readonly RouterName[] = ['native', 'istio', 'gateway-api', 'nginx', 'smi'];

/** Router options of any router (some combinations are refused: a gateway without hosts on istio, hosts on native...). */
export const anyRouterOptions: fc.Arbitrary<RouterOptions> = fc.record(
  { pinHeader, gateway: gatewayRef, hosts: hosts(0), filterNamespace: dnsLabel(20) },
  { requiredKeys: [] },
);

// ------------------------------------------------------------------ versions

const INSTANCE_TYPES = InstanceTypeCatalog.defaults().names;

function scaling(p: Profile, family: ScalingFamily, role: 'main' | 'canary'): fc.Arbitrary<Json | undefined> {
  const min = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: p.minReplicas, max: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: p.minReplicas, max: 1000 }) },
  );
  const spread = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1000 }));
  // a canary sets both bounds or neither (one bound would pair with main's other one)
  const bounds = role === 'main' ? fc.constantFrom('both', 'min', 'max', 'none') : fc.constantFrom('both', 'none');
  const ownMetric = !(p.fixedCanaries && role === 'canary');
  const window = (kind: 'any' | 'zero') => (kind === 'any' ? fc.integer({ min: 0, max: 3600 }) : fc.constant(0));
  return fc
    .record(
      {
        bounds,
        min,
        spread,
        metric: family.metrics.length > 0 && ownMetric ? fc.constantFrom(...family.metrics) : fc.constant(undefined),
        target: family.targetMax > 0 && ownMetric ? fc.integer({ min: 1, max: family.targetMax }) : fc.constant(undefined),
        scaleUpStabilizationWindowSeconds: window(family.upWindow),
        scaleDownStabilizationWindowSeconds: window(family.downWindow),
        omitted: fc.boolean(),
      },
      { requiredKeys: ['bounds', 'min', 'spread', 'omitted'] },
    )
    .map(({ bounds: b, min: lo, spread: s, omitted, ...rest }) => {
      if (omitted) return undefined;
      const hi = Math.min(1000, Math.max(lo, 1) + s);
      const out: Json = { ...(b === 'both' || b === 'min' ? { minReplicas: lo } : {}), ...(b === 'both' || b === 'max' ? { maxReplicas: hi } : {}) };
      if (b === 'max' && hi < 1) out.maxReplicas = 1;
      for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
      return out;
    });
}

/** Arbitraries are built once per profile and shape: building them (regexes) costs more than drawing from them. */
const versionCache = new WeakMap<Profile, Map<string, fc.Arbitrary<Json>>>();

function version(p: Profile, family: ScalingFamily, role: 'main' | 'canary', artifacts: readonly ArtifactKind[]): fc.Arbitrary<Json> {
  const cache = versionCache.get(p) ?? new Map<string, fc.Arbitrary<Json>>();
  versionCache.set(p, cache);
  const key = `${p.families.indexOf(family)}|${role}|${artifacts.join(',')}`;
  let arb = cache.get(key);
  if (!arb) {
    arb = buildVersion(p, family, role, artifacts);
    cache.set(key, arb);
  }
  return arb;
}

function buildVersion(p: Profile, family: ScalingFamily, role: 'main' | 'canary', artifacts: readonly ArtifactKind[]): fc.Arbitrary<Json> {
  const envEntry = p.envNames === 'any' ? fc.oneof({ weight: 5, arbitrary: envVar(safeEnvName) }, { weight: 1, arbitrary: refusedEnv }) : envVar(safeEnvName);
  const art = fc.oneof(...artifacts.map((k) => artifact(k, p.artifactRules)));
  return fc
    .record(
      {
        artifact: art,
        instanceType: fc.constantFrom(...INSTANCE_TYPES),
        scaling: scaling(p, family, role),
        env: envList(envEntry),
        timeoutSeconds: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 86_400 })),
        deploymentStrategy: p.recreate ? fc.constantFrom('RollingUpdate', 'Recreate') : fc.constant('RollingUpdate'),
        labels: fc.dictionary(labelKey, labelValue, { maxKeys: 3 }),
        annotations: fc.dictionary(annotationKey, anyText, { maxKeys: 2 }),
        // mostly none, so many specs keep the restricted defaults everywhere
        security: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: security }),
      },
      // main needs an artifact; a canary may inherit main's
      { requiredKeys: role === 'main' ? ['artifact', 'security'] : ['security'] },
    )
    .map(dropUndefined);
}

function dropUndefined(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// ------------------------------------------------------------------ rollout

const MAX_DURATION = 604_800;
/** A duration the spec takes: whole seconds, or "1h30m"-style text, at most a week. */
export const duration = fc.oneof(
  fc.integer({ min: 0, max: MAX_DURATION }),
  fc
    .record({ h: fc.integer({ min: 0, max: 168 }), m: fc.integer({ min: 0, max: 600 }), s: fc.integer({ min: 0, max: 600 }) }, { requiredKeys: [] })
    .filter((d) => Object.keys(d).length > 0 && (d.h ?? 0) * 3600 + (d.m ?? 0) * 60 + (d.s ?? 0) <= MAX_DURATION)
    .map((d) => `${d.h !== undefined ? `${d.h}h` : ''}${d.m !== undefined ? `${d.m}m` : ''}${d.s !== undefined ? `${d.s}s` : ''}`),
);
const positiveDuration = duration.filter((d) => (typeof d === 'number' ? d > 0 : /[1-9]/.test(d)));

/** Two thresholds in [lo, hi], ordered. */
function band(lo: number, hi: number, exclusiveLo = false): fc.Arbitrary<[number, number]> {
  const value = fc.oneof(
    fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: Math.max(lo, -1), max: Math.min(hi, 1000), noNaN: true }),
  ).filter((v) => !exclusiveLo || v > lo);
  return fc.tuple(value, value).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
}

const promQuery = fc.constantFrom(
  'sum(rate(http_requests_total{code=~"5..",version="{{args.canary-version}}"}[1m])) / sum(rate(http_requests_total{version="{{args.canary-version}}"}[1m]))',
  'max(model_prediction_psi{service="{{args.service}}"})',
  'vector(0)',
);

/** A guardrail of metric `better` (lower or higher), its thresholds in [lo, hi] with defaults `dPromote`/`dRollback`. */
function guardrail(better: 'lower' | 'higher', lo: number, hi: number, defaults: [number, number], source: fc.Arbitrary<Json>, exclusiveLo = false) {
  const [promoteKey, rollbackKey] = better === 'lower' ? ['promoteBelow', 'rollbackAbove'] : ['promoteAbove', 'rollbackBelow'];
  return fc
    .tuple(band(lo, hi, exclusiveLo), fc.constantFrom('both', 'promote', 'rollback', 'none'), source)
    .map(([[a, b], which, src]) => {
      // lower is better: promote <= rollback; higher is better: promote >= rollback; a single one must fit the other's default
      const [promote, rollback] = better === 'lower' ? [a, b] : [b, a];
      const out: Json = { ...src };
      if (which === 'both') Object.assign(out, { [promoteKey]: promote, [rollbackKey]: rollback });
      if (which === 'promote') out[promoteKey] = better === 'lower' ? Math.min(promote, defaults[1]) : Math.max(promote, defaults[1]);
      if (which === 'rollback') out[rollbackKey] = better === 'lower' ? Math.max(rollback, defaults[0]) : Math.min(rollback, defaults[0]);
      return out;
    });
}

function guardrails(needQuery: boolean): fc.Arbitrary<Json> {
  const optionalQuery = needQuery ? fc.record({ query: promQuery }) : fc.record({ query: promQuery }, { requiredKeys: [] });
  const metric = fc.constantFrom('model_prediction_psi', 'psi', 'drift:psi_5m', 'conversions_total', 'predictions_total');
  const drift = fc.oneof(
    fc.record({ query: promQuery }),
    fc.record({ metric }),
    fc.record({ url: fc.constantFrom('http://drift.monitoring.svc:8080/psi', 'https://drift.example.com/v1/psi'), jsonPath: fc.constantFrom('{$.psi}', '{$.result.value}') }, { requiredKeys: ['url'] }),
  );
  return fc.record(
    {
      errorRate: guardrail('lower', 0, 1, [0.005, 0.01], optionalQuery),
      p99LatencyMs: guardrail('lower', 0, Number.MAX_VALUE, [200, 500], optionalQuery, true),
      predictionDriftPsi: guardrail('lower', 0, Number.MAX_VALUE, [0.1, 0.2], drift),
      businessMetricDelta: guardrail('higher', -1, Number.MAX_VALUE, [0, -0.03], fc.oneof(fc.record({ query: promQuery }), fc.record({ success: metric, total: metric }))),
    },
    { requiredKeys: [] },
  );
}

const stagesArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 6 })
  .map((s) => [...s.sort((a, b) => a - b), 100]);

/** A rollout section the spec accepts; `needQuery`: errorRate and p99LatencyMs carry their own query. */
export function rollout(needQuery: boolean): fc.Arbitrary<Json> {
  return fc
    .record(
      {
        stages: stagesArb,
        pauseKind: fc.constantFrom('none', 'one', 'null', 'list'),
        pause: fc.oneof(duration, fc.constant(null)),
        pauses: fc.array(fc.oneof(duration, fc.constant(null)), { minLength: 7, maxLength: 7 }),
        analysis: fc.constantFrom('step', 'background'),
        interval: positiveDuration,
        scrapeInterval: positiveDuration,
        count: fc.integer({ min: 1, max: 1000 }),
        failureLimit: fc.integer({ min: 0, max: 1000 }),
        consecutiveErrorLimit: fc.integer({ min: 0, max: 1000 }),
        minRequests: fc.integer({ min: 1, max: 1_000_000_000 }),
        dryRun: fc.boolean(),
        prometheusAddress: fc.constantFrom('http://prometheus-operated.monitoring.svc:9090', 'https://prom.example.com'),
        guardrails: guardrails(needQuery),
      },
      { requiredKeys: ['pauseKind', 'pause', 'pauses'] },
    )
    .map(({ pauseKind, pause, pauses, ...r }) => {
      const out: Json = dropUndefined(r);
      const stageCount = (out.stages ?? [5, 10, 25, 50, 100]).length;
      if (pauseKind === 'one' || pauseKind === 'null') out.pause = pauseKind === 'null' ? null : pause;
      if (pauseKind === 'list') out.pause = pauses.slice(0, stageCount);
      // step analysis must be able to fail: fewer tolerated failures than measurements
      const count = out.count ?? 5;
      if (out.failureLimit !== undefined && out.failureLimit >= count && out.analysis !== 'background') out.failureLimit = count - 1;
      // a request floor needs request counts: a router with request metrics, or a business metric's total counter
      if (needQuery && out.guardrails?.businessMetricDelta?.total === undefined) delete out.minRequests;
      return out;
    });
}

// ------------------------------------------------------------------ whole specs

/** A generated case: the input, the router options and the state to render. */
export interface SpecCase {
  readonly input: Json;
  readonly routerOptions: RouterOptions;
  readonly state: { stage?: number; promote?: string; rollback?: boolean };
}

const headerKey = fc.oneof(fc.constantFrom('X-User-ID', 'x-session', 'Cookie-Id', 'x_tenant'), fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/));
/** Query keys: anything without whitespace, '&', '=', '#' or '?' (the schema's rule). */
export const queryKey = fc.oneof(
  fc.constantFrom('user', 'session_id', 'tenant.id', 'uid'),
  fc.stringMatching(/^[A-Za-z0-9._~%+-]{1,12}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).filter((s) => /^[^\s&=#?]+$/.test(s)),
);

function routing(hashing: boolean): fc.Arbitrary<Json | undefined> {
  if (!hashing) return fc.option(fc.constant({ type: 'random' }), { nil: undefined });
  return fc.oneof(
    fc.constant(undefined),
    fc.constant({ type: 'random' }),
    fc.record({ type: fc.constant('header'), key: headerKey }),
    fc.record({ type: fc.constant('query'), key: queryKey }),
  );
}

/** Specs `p` accepts (for BROAD: specs the spec accepts). */
export function specFor(p: Profile): fc.Arbitrary<SpecCase> {
  const maxVersions = p.maxCanaries + (p.mirror ? 1 : 0);
  const versionName = named(VERSION_WORDS.filter((w) => p.versionNameStart === 'any' || /^[a-z]/.test(w)), dnsLabel(40, p.versionNameStart));
  const top = fc.record({
    name: p.serviceNameStart === 'digit' ? dnsLabel(63, 'digit') : named(SERVICE_WORDS, dnsLabel(63, p.serviceNameStart)),
    namespace: fc.option(named(['ml', 'default', 'models'], dnsLabel(40)), { nil: undefined }),
    mainVersionName: fc.option(named(['main', 'stable', 'v1'], dnsLabel(40, p.versionNameStart)), { nil: undefined }),
    imageRepository: fc.option(fc.constantFrom('ghcr.io/acme', 'registry.local:5000/ml', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'), { nil: undefined }),
    monitoring: fc.option(fc.boolean(), { nil: undefined }),
    family: fc.constantFrom(...p.families),
    names: fc.uniqueArray(versionName, { maxLength: maxVersions }),
    mirror: p.mirror ? fc.boolean() : fc.constant(false),
    routing: routing(p.hashing),
    rollout: fc.option(rollout(p.guardrailQueries), { nil: undefined, freq: 2 }),
    routerOptions: p.routerOptions,
    state: p.states ? fc.constantFrom('none', 'none', 'stage', 'promote', 'rollback') : fc.constant('none'),
    pick: fc.nat(),
  });
  return top.chain((t) => {
    const mainName = t.mainVersionName ?? 'main';
    const names = t.names.filter((n) => n !== mainName).slice(0, maxVersions);
    const mirrorName = t.mirror && names.length > 0 ? names[names.length - 1] : undefined;
    const canaryNames = names.filter((n) => n !== mirrorName).slice(0, p.maxCanaries);
    return fc
      .record({
        main: version(p, t.family, 'main', p.mainArtifacts(canaryNames.length > 0)),
        canaries: fc.tuple(...canaryNames.map(() => version(p, t.family, 'canary', p.canaryArtifacts))),
        weights: fc.tuple(...canaryNames.map(() => fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 10 })))),
        mirror: mirrorName !== undefined ? version(p, t.family, 'canary', p.canaryArtifacts) : fc.constant(undefined),
        mirrorWeight: fc.integer({ min: 1, max: 100 }),
      })
      .map((v) => assemble(p, t, mainName, canaryNames, mirrorName, v));
  });
}

interface Top {
  name: string;
  namespace?: string;
  mainVersionName?: string;
  imageRepository?: string;
  monitoring?: boolean;
  routing?: Json;
  rollout?: Json;
  routerOptions: RouterOptions;
  state: string;
  pick: number;
}

function assemble(
  p: Profile,
  t: Top,
  mainName: string,
  canaryNames: string[],
  mirrorName: string | undefined,
  v: { main: Json; canaries: Json[]; weights: number[]; mirror?: Json; mirrorWeight: number },
): SpecCase {
  const main = v.main;
  const sum = v.weights.reduce((a, b) => a + b, 0);
  const weights = sum > 100 ? v.weights.map((w) => Math.floor((w * 100) / sum)) : v.weights;
  const versions: Json = {};
  canaryNames.forEach((n, i) => (versions[n] = { ...v.canaries[i], weight: weights[i] }));
  if (mirrorName !== undefined) versions[mirrorName] = { ...v.mirror, weight: v.mirrorWeight, mirror: true };

  // main's effective bounds, as the spec computes them
  const mainMin = main.scaling?.minReplicas ?? 1;
  const mainMax = main.scaling?.maxReplicas ?? Math.max(mainMin, 1);
  for (const [n, c] of Object.entries(versions)) {
    if (p.fixedCanaries && n !== mirrorName) {
      // spec.canary[]: fixed replicas, at most main's min; with main's own bounds equal, a canary may inherit them
      const k = Math.min(c.scaling?.minReplicas ?? mainMin, mainMin);
      const inherit = c.scaling === undefined && mainMin === mainMax;
      if (!inherit) c.scaling = { ...(c.scaling ?? {}), minReplicas: Math.max(k, 1), maxReplicas: Math.max(k, 1) };
    }
    if (p.oneTimeout) {
      if (main.timeoutSeconds === undefined) delete c.timeoutSeconds;
      else if (c.timeoutSeconds !== undefined) c.timeoutSeconds = main.timeoutSeconds;
    }
  }
  if (p.canaryMerge) {
    const mainType = main.instanceType ?? 'cpu.1';
    const mainModel = main.artifact.type === 'model';
    for (const [n, c] of Object.entries(versions)) {
      if (n === mirrorName) continue;
      // the GPU types share their node-selector key; a CPU canary under a GPU main would keep it
      if (mainType.startsWith('gpu.') && !(c.instanceType ?? mainType).startsWith('gpu.')) c.instanceType = mainType;
      if (c.artifact !== undefined && (c.artifact.type === 'model') !== mainModel) delete c.artifact;
      if (c.security) {
        for (const k of ['runAsNonRoot', 'readOnlyRootFilesystem']) {
          if (c.security[k] === false && main.security?.[k] !== false) delete c.security[k];
        }
      }
    }
  }
  if (p.knativeDefaults) {
    for (const x of [main, ...Object.values(versions)]) {
      if (x.instanceType?.startsWith('gpu.')) x.instanceType = 'cpu.2';
      if (x.timeoutSeconds !== undefined && x.timeoutSeconds > 600) x.timeoutSeconds = 600;
      if (x.security?.addCapabilities) delete x.security.addCapabilities;
    }
  }
  if (p.oneProtocol) {
    // tensorflow speaks its own protocol, triton and huggingface speak v2: keep one side
    const all = [main, ...Object.values(versions)].map((x) => x.artifact).filter((a) => a?.type === 'model');
    if (all.some((a) => a.format === 'tensorflow') && all.some((a) => a.format === 'triton' || a.format === 'huggingface')) {
      for (const a of all) if (a.format === 'tensorflow') a.format = 'sklearn';
    }
  }

  if (p.envNames === 'any') {
    // an image's storage URI is passed as STORAGE_URI: a variable of that name beside it is the regression in valid-specs.test.ts
    const all = [main, ...Object.values(versions)];
    if (all.some((x) => x.artifact?.type === 'image')) for (const x of all) if (x.env) x.env = x.env.filter((e: Json) => e.name !== 'STORAGE_URI');
  }

  const longest = Math.max(mainName.length, ...Object.keys(versions).map((n) => n.length));
  const input: Json = dropUndefined({
    name: fitLabel(t.name, p.nameBudget(longest)),
    namespace: t.namespace,
    mainVersionName: t.mainVersionName,
    imageRepository: t.imageRepository,
    monitoring: t.monitoring,
    main,
    ...(Object.keys(versions).length > 0 ? { versions } : {}),
    routing: t.routing,
    rollout: t.rollout,
  });

  const routerOptions: Json = { ...t.routerOptions };
  if (t.routing?.type === 'header') {
    // the pin header cannot be the routing key
    const key = t.routing.key.toLowerCase();
    const pin = (routerOptions.pinHeader ?? 'x-canary-version').toLowerCase();
    if (pin === key) routerOptions.pinHeader = key === 'x-pin' ? 'x-pin-version' : 'x-pin';
  }

  const state: SpecCase['state'] = {};
  if (canaryNames.length > 0) {
    if (t.state === 'stage' && input.rollout) state.stage = 1 + (t.pick % (input.rollout.stages?.length ?? 5));
    if (t.state === 'rollback') state.rollback = true;
    if (t.state === 'promote' && (!p.promoteOnlyOneCanary || canaryNames.length === 1)) state.promote = canaryNames[t.pick % canaryNames.length];
  }
  return { input, routerOptions, state };
}
