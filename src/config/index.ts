/**
 * Reads a BentoCloud-style canary file into the spec's input, keeping where
 * every value came from, so each problem is reported as `FILE:LINE:COL path: message`
 * in the file's own words.
 */
import * as fs from 'fs';
import type * as YAML from 'yaml';
import { Backend } from '../backends';
import { synthesize, Synthesized } from '../render';
import { Router, RouterOptions } from '../routers';
import { CanarySpec, ConfigFileError, describeValue, InstanceTypeCatalog, Issue, IssuePath, normalizeService, unholdableKeys, ValidationError } from '../spec';
import type { FileConfig, FileEnv, FileService, FileVersion } from './schema';
import { isUnder, parseSalvaging } from '../spec/zod-issues';

/** Settings of the file's `kubernetes:` block that flags and code can override (camelCase; each wins over the file). */
export interface ConfigOverrides {
  /**
   * How messages name an overridden setting: by its option name (`backend`) in code, by its flag (`--backend`) in the CLI.
   * @default 'code'
   */
  readonly words?: 'code' | 'flags';
  /**
   * Backend by name: `kserve`, `seldon`, `seldon-v2` or `argo-rollouts`.
   * @default - the file's `kubernetes.backend`, else 'kserve'
   */
  readonly backend?: string;
  /**
   * KServe mode: `standard` or `knative`.
   * @default - the file's `kubernetes.kserve_mode`, else 'standard'
   */
  readonly kserveMode?: string;
  /**
   * How versions become InferenceServices: `canary` or `per-version`.
   * @default - the file's `kubernetes.kserve_strategy`, else as the router needs
   */
  readonly kserveStrategy?: string;
  /**
   * Router by name: `native`, `istio`, `gateway-api`, `nginx` or `smi`.
   * @default - the file's `kubernetes.router`, else 'native'
   */
  readonly router?: string;
  /**
   * Header pinning a request to a version (routers istio and gateway-api).
   * @default - the file's `kubernetes.pin_header`, else 'x-canary-version'
   */
  readonly pinHeader?: string;
  /**
   * Gateway the service is exposed through, `namespace/name`.
   * @default - the file's `kubernetes.gateway`, else in-mesh traffic only
   */
  readonly gateway?: string;
  /**
   * External host names served through the gateway.
   * @default - the file's `kubernetes.hosts`, else none
   */
  readonly hosts?: readonly string[];
  /**
   * Namespace of Istio's EnvoyFilter.
   * @default - the file's `kubernetes.istio_filter_namespace`, else 'istio-system'
   */
  readonly istioFilterNamespace?: string;
  /**
   * Namespace of every object.
   * @default - the file's `kubernetes.namespace`, else none (the namespace the objects are applied to)
   */
  readonly namespace?: string;
  /**
   * Registry/repository prefix of bento images, e.g. `ghcr.io/acme`.
   * @default - the file's `kubernetes.image_repository`, else bento images are named `name:version`
   */
  readonly imageRepository?: string;
}

/** A file read into the spec's input, with the target it asks for. */
export interface LoadedConfig {
  /** The file name used in messages. */
  readonly file: string;
  /** Input for {@link synthesize}. */
  readonly input: Record<string, unknown>;
  readonly backend: string;
  readonly kserveMode?: string;
  readonly kserveStrategy?: string;
  /** `kubernetes.knative_features`: Knative feature flags the cluster has enabled. */
  readonly knativeFeatures?: readonly string[];
  /** `kubernetes.knative_max_revision_timeout_seconds`. */
  readonly knativeMaxRevisionTimeoutSeconds?: number;
  readonly router: string;
  readonly routerOptions: RouterOptions;
  /** Problems of the file's shape (unknown keys, wrong nesting, ...), reported with the spec's when it is rendered. */
  readonly issues: readonly Issue[];
  /** File paths the shape's problems are about: what the spec's checks say under them is not repeated. */
  readonly dropped: readonly IssuePath[];
  /** Spec paths left without a value by the shape's problems (a refused model: no artifact). */
  readonly droppedSpec: readonly IssuePath[];
  /** Maps issues on the spec's paths to the file's paths and positions. */
  toFileIssues(issues: readonly Issue[]): Issue[];
}

const DEFAULT_BACKEND = 'kserve';

/** Paths of settings given beside the file (flags, code options). */
const OPTION_PATHS = new Set([
  'backend', 'kserveMode', 'kserveStrategy', 'router', 'pinHeader', 'gateway', 'hosts', 'istioFilterNamespace', 'namespace', 'imageRepository',
  'stage', 'promote', 'rollback', 'instanceTypes',
  '--backend', '--kserve-mode', '--kserve-strategy', '--router', '--pin-header', '--gateway', '--host', '--istio-filter-namespace', '--namespace', '--image-repository',
  '--stage', '--promote', '--rollback',
]);
const DEFAULT_ROUTER = 'native';

/**
 * Parses the text of a canary file.
 * @throws ValidationError with file positions
 */
export function parseConfig(text: string, file: string, overrides: ConfigOverrides = {}): LoadedConfig {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const lines = text.split('\n');
  const position = (offset: number) => {
    // counted from the text itself: the parser's line counter can miss newlines inside an erroneous token
    const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
    const line = before.split('\n').length;
    const column = Math.min(before.length - before.lastIndexOf('\n'), (lines[line - 1] ?? '').length + 1);
    return { file, line, column };
  };
  if (doc.errors.length > 0) {
    // a syntax error is reported once, where the parser met it; what follows it is not worth reading.
    // Duplicate keys are each their own mistake in well-formed YAML: all of them.
    const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    const reported = duplicates.length === doc.errors.length ? duplicates : [doc.errors.find((e) => e.code !== 'DUPLICATE_KEY')!];
    throw new ValidationError(
      reported.map((e) => ({
        path: e.code === 'DUPLICATE_KEY' ? pathAtOffset(doc.contents, e.pos[0]) : [],
        message: yamlMessage(e.code, e.message, text, e.pos[0]),
        position: position(e.pos[0]),
      })),
    );
  }
  const locate = (path: IssuePath) => position(offsetOf(doc.contents, path));
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // an alias to an unknown anchor, or an alias bomb
    throw new ValidationError([
      { path: [], message: `the YAML's aliases cannot be resolved (${(e as Error).message}); define each anchor (&name) before its aliases (*name), and use few aliases`, position: { file, line: 1, column: 1 } },
    ]);
  }
  if (raw === null || raw === undefined) {
    throw new ValidationError([
      { path: [], message: 'the file is empty; a canary file needs at least "name" and one of "bento", "image" or "model"', position: { file, line: 1, column: 1 } },
    ]);
  }
  // the file's shape: its problems are reported with everything the valid rest of it shows (one round)
  const shape = parseSalvaging(fileSchemaOf(), raw);
  const rawObject = raw as { canary?: { versions?: unknown }; services?: unknown };
  const shapeIssues = [
    // entries named __proto__ would vanish in parsing: say so instead
    ...unholdableKeys(rawObject.canary?.versions, ['canary', 'versions'], 'version name'),
    ...unholdableKeys(rawObject.services, ['services'], 'service name'),
    ...shape.issues,
  ];
  const cross = shape.data ? crossChecks(shape.data) : [];
  shapeIssues.push(...cross);
  if (!shape.data) {
    throw new ValidationError(shapeIssues.map((i) => ({ ...i, position: locate(i.path) })));
  }
  const mapping = new PathMap();
  const input = toSpecInput(shape.data, overrides, mapping);
  const k8s = shape.data.kubernetes ?? {};
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  return {
    file,
    input,
    backend: overrides.backend ?? str(k8s.backend) ?? DEFAULT_BACKEND,
    kserveMode: overrides.kserveMode ?? str(k8s.kserve_mode),
    kserveStrategy: overrides.kserveStrategy ?? str(k8s.kserve_strategy),
    ...(k8s.knative_features !== undefined ? { knativeFeatures: k8s.knative_features as string[] } : {}),
    ...(k8s.knative_max_revision_timeout_seconds !== undefined
      ? { knativeMaxRevisionTimeoutSeconds: k8s.knative_max_revision_timeout_seconds as number }
      : {}),
    router: overrides.router ?? str(k8s.router) ?? DEFAULT_ROUTER,
    routerOptions: {
      pinHeader: overrides.pinHeader ?? str(k8s.pin_header),
      gateway: overrides.gateway ?? str(k8s.gateway),
      hosts: overrides.hosts ?? k8s.hosts,
      filterNamespace: overrides.istioFilterNamespace ?? str(k8s.istio_filter_namespace),
    },
    issues: shapeIssues.map((i) => ({ ...i, position: locate(i.path) })),
    dropped: [...shape.dropped, ...cross.map((i) => i.path)],
    droppedSpec: shape.dropped.flatMap((d) => {
      // a model left out for its own problem: the version has no artifact, which is not another problem
      if (d[0] === 'model') return [['main', 'artifact']];
      if (d[0] === 'canary' && d[1] === 'versions' && d[3] === 'model') return [['versions', d[2], 'artifact']];
      return [];
    }),
    toFileIssues: (issues) =>
      issues.map((i) => {
        const filePath = mapping.toFile(i.path);
        const message = i.path[0] === 'rollout' || i.path.includes('security') ? mapping.toFileWords(i.message) : i.message;
        // a flag or an option given in code has no place in the file
        const flag = filePath.length === 1 && OPTION_PATHS.has(String(filePath[0]));
        return { path: filePath, message, ...(flag ? {} : { position: locate(filePath) }) };
      }),
  };
}

/** Reads and parses a canary file. */
export function loadConfigFile(path: string, overrides: ConfigOverrides = {}): LoadedConfig {
  let text: string;
  try {
    if (fs.statSync(path).isDirectory()) throw new Error('it is a directory; give the path of a YAML file');
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new ConfigFileError(path, reason);
  }
  return parseConfig(text, path, overrides);
}

/** Options of rendering a canary file ({@link synthesizeConfigFile}). */
export interface ConfigSynthesizeOptions {
  /**
   * Instance types the file's `instance_type`s may name (a platform's catalog).
   * @default InstanceTypeCatalog.defaults()
   */
  readonly instanceTypes?: InstanceTypeCatalog;
  /**
   * Render this stage of the rollout (1-based), for backends without a rollout controller (the CLI's `--stage`).
   * @default - the weights as declared
   */
  readonly stage?: number;
  /**
   * Render the state after promoting this canary version to main (the CLI's `--promote`).
   * @default - no promotion
   */
  readonly promote?: string;
  /**
   * Render the rolled-back state, every canary at weight 0 (the CLI's `--rollback`).
   * @default false
   */
  readonly rollback?: boolean;
}

/**
 * Renders a loaded file: the pipeline of {@link synthesize}, with every issue in the file's words.
 * @throws ValidationError with file paths and positions
 */
export function synthesizeConfig(config: LoadedConfig, options: ConfigSynthesizeOptions = {}): Synthesized {
  const issues: Issue[] = [...config.issues];
  const backend = choose(config, issues, () =>
    Backend.of(config.backend, {
      kserveMode: config.kserveMode,
      kserveStrategy: config.kserveStrategy,
      knativeFeatures: config.knativeFeatures,
      knativeMaxRevisionTimeoutSeconds: config.knativeMaxRevisionTimeoutSeconds,
    }),
  );
  const router = choose(config, issues, () => Router.of(config.router, config.routerOptions));
  let out: Synthesized | undefined;
  if (backend && router) {
    out = choose(config, issues, () => synthesize(config.input, { ...options, backend, router }));
  } else {
    // no target to render for: still every problem of the definition itself
    choose(config, issues, () => normalizeService(config.input, { instanceTypes: options.instanceTypes }));
  }
  if (issues.length > 0 || !out) throw new ValidationError(inFileOrder(issues));
  return out;
}

/**
 * The validated spec of a loaded file (without the backend's and router's checks).
 * @throws ValidationError with file paths and positions
 */
export function specOfConfig(config: LoadedConfig, options: ConfigSynthesizeOptions = {}): CanarySpec {
  const issues: Issue[] = [...config.issues];
  const spec = choose(config, issues, () => normalizeService(config.input, { instanceTypes: options.instanceTypes }));
  if (issues.length > 0 || !spec) throw new ValidationError(inFileOrder(issues));
  return spec;
}

/** What `run` returns, or undefined with its problems (in the file's words, minus those under the file's own problems) added to `issues`. */
function choose<T>(config: LoadedConfig, issues: Issue[], run: () => T): T | undefined {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const kept = e.issues.filter((i) => !config.droppedSpec.some((d) => isUnder(i.path, d)));
    issues.push(...config.toFileIssues(kept).filter((i) => !config.dropped.some((d) => isUnder(i.path, d))));
    return undefined;
  }
}

/** Issues in the order of the file (flags first), each once. */
function inFileOrder(issues: readonly Issue[]): Issue[] {
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = JSON.stringify([i.path, i.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const at = (i: Issue) => (i.position ? i.position.line * 1e6 + i.position.column : -1);
  return unique.map((i, n) => [i, n] as const).sort((a, b) => at(a[0]) - at(b[0]) || a[1] - b[1]).map(([i]) => i);
}

/** Reads, validates and renders a canary file. */
export function synthesizeConfigFile(path: string, overrides: ConfigOverrides = {}, options: ConfigSynthesizeOptions = {}): Synthesized {
  return synthesizeConfig(loadConfigFile(path, overrides), options);
}

// ------------------------------------------------------------ file -> spec

/** Spec path prefixes and the file paths they came from. */
class PathMap {
  private readonly entries = new Map<string, IssuePath>();

  private readonly words = new Map<string, string>();

  public set(specPath: IssuePath, filePath: IssuePath): void {
    this.entries.set(JSON.stringify(specPath), filePath);
  }

  /** Records that the spec's key `specKey` is `fileKey` in the file, for messages. */
  public word(specKey: string, fileKey: string): void {
    if (specKey !== fileKey) this.words.set(specKey, fileKey);
  }

  /** A message in the file's words: the spec's key names replaced by the file's. */
  public toFileWords(message: string): string {
    if (this.words.size === 0) return message;
    const keys = [...this.words.keys()].sort((a, b) => b.length - a.length);
    return message.replace(new RegExp(`\\b(${keys.join('|')})\\b`, 'g'), (k) => this.words.get(k)!);
  }

  /** The file path of the longest mapped prefix, plus the rest of the spec path. */
  public toFile(specPath: IssuePath): IssuePath {
    for (let n = specPath.length; n >= 0; n--) {
      const hit = this.entries.get(JSON.stringify(specPath.slice(0, n)));
      if (hit) return [...hit, ...specPath.slice(n)];
    }
    return specPath;
  }
}

function crossChecks(cfg: FileConfig): Issue[] {
  const issues: Issue[] = [];
  if (cfg.access_authorization === true) {
    issues.push({
      path: ['access_authorization'],
      message: 'true is not supported on Kubernetes targets (it is a BentoCloud gateway feature); set it to false and protect the endpoint with your gateway\'s authentication',
    });
  }
  const traffic = cfg.services ? Object.values(cfg.services)[0]?.config_overrides?.traffic : undefined;
  if (traffic?.external_queue === true) {
    issues.push({
      path: ['services', Object.keys(cfg.services!)[0], 'config_overrides', 'traffic', 'external_queue'],
      message: 'true is not supported on Kubernetes targets (a BentoCloud request queue); set it to false',
    });
  }
  const serviceNames = Object.keys(cfg.services ?? {});
  if (serviceNames.length > 1) {
    issues.push({
      path: ['services'],
      message: `one service per deployment is supported, got ${serviceNames.length} (${serviceNames.join(', ')}); split them into one file each`,
    });
  }
  issues.push(...artifactChecks(cfg, []));
  for (const [name, v] of Object.entries(cfg.canary?.versions ?? {})) {
    const path = ['canary', 'versions', name];
    issues.push(...artifactChecks(v, path));
    for (const svc of Object.keys(v.services ?? {})) {
      if (serviceNames.length === 1 && svc !== serviceNames[0]) {
        issues.push({
          path: [...path, 'services', svc],
          message: `unknown service; this deployment's service is "${serviceNames[0]}": rename the key to "${serviceNames[0]}"`,
        });
      } else if (serviceNames.length === 0) {
        issues.push({ path: [...path, 'services', svc], message: 'the deployment declares no services; declare it under the top-level "services" first' });
      }
    }
  }
  return issues;
}

/** Keys that describe a container image, beside `image`: file key -> spec key. */
const IMAGE_FIELDS = {
  storage_uri: 'storageUri',
  port: 'port',
  readiness_path: 'readinessPath',
  liveness_path: 'livenessPath',
  user: 'user',
  group: 'group',
} as const;
const IMAGE_KEYS = Object.keys(IMAGE_FIELDS) as (keyof typeof IMAGE_FIELDS)[];

function artifactChecks(v: FileConfig | FileVersion, path: IssuePath): Issue[] {
  const set = (['bento', 'image', 'model'] as const).filter((k) => v[k] !== undefined);
  const issues: Issue[] = [];
  if (set.length > 1) {
    issues.push({ path: [...path, set[1]], message: `set only one of bento, image or model, got ${set.join(' and ')}; remove the others` });
  }
  for (const k of IMAGE_KEYS) {
    if (v[k] !== undefined && v.image === undefined) {
      issues.push({
        path: [...path, k],
        message: `${k} goes with image, got ${describeValue(v[k])} without an image; add "image" or, for a model, use model: {storage_uri, format}`,
      });
    }
  }
  return issues;
}

function toSpecInput(cfg: FileConfig, overrides: ConfigOverrides, map: PathMap): Record<string, unknown> {
  // a setting given in code is named as the code names it; a flag only in the CLI
  const overridden = (key: string, flag: string): IssuePath => (overrides.words === 'flags' ? [flag] : [key]);
  const k8s = cfg.kubernetes ?? {};
  const serviceName = Object.keys(cfg.services ?? {})[0];
  const service: FileService = serviceName ? cfg.services![serviceName] : {};
  const servicePath: IssuePath = serviceName ? ['services', serviceName] : [];

  const input: Record<string, unknown> = { name: cfg.name };
  map.set(['name'], ['name']);
  const ns = overrides.namespace ?? k8s.namespace;
  if (ns !== undefined) {
    input.namespace = ns;
    map.set(['namespace'], overrides.namespace !== undefined ? overridden('namespace', '--namespace') : ['kubernetes', 'namespace']);
  }
  const repo = overrides.imageRepository ?? k8s.image_repository;
  if (repo !== undefined) {
    input.imageRepository = repo;
    map.set(['imageRepository'], overrides.imageRepository !== undefined ? overridden('imageRepository', '--image-repository') : ['kubernetes', 'image_repository']);
  }
  if (k8s.main_version !== undefined) {
    input.mainVersionName = k8s.main_version;
    map.set(['mainVersionName'], ['kubernetes', 'main_version']);
  }
  map.set(['backend'], overrides.backend !== undefined ? overridden('backend', '--backend') : ['kubernetes', 'backend']);
  map.set(['kserveMode'], overrides.kserveMode !== undefined ? overridden('kserveMode', '--kserve-mode') : ['kubernetes', 'kserve_mode']);
  map.set(['router'], overrides.router !== undefined ? overridden('router', '--router') : ['kubernetes', 'router']);
  map.set(['kserveStrategy'], overrides.kserveStrategy !== undefined ? overridden('kserveStrategy', '--kserve-strategy') : ['kubernetes', 'kserve_strategy']);
  map.set(['knativeFeatures'], ['kubernetes', 'knative_features']);
  map.set(['knativeMaxRevisionTimeoutSeconds'], ['kubernetes', 'knative_max_revision_timeout_seconds']);
  map.set(['pinHeader'], overrides.pinHeader !== undefined ? overridden('pinHeader', '--pin-header') : ['kubernetes', 'pin_header']);
  map.set(['gateway'], overrides.gateway !== undefined ? overridden('gateway', '--gateway') : ['kubernetes', 'gateway']);
  map.set(['hosts'], overrides.hosts !== undefined ? overridden('hosts', '--host') : ['kubernetes', 'hosts']);
  map.set(['stage'], overridden('stage', '--stage'));
  map.set(['promote'], overridden('promote', '--promote'));
  map.set(['rollback'], overridden('rollback', '--rollback'));

  input.main = toVersion(cfg, [], service, servicePath, ['main'], map, cfg.envs);
  // canary versions live under canary.versions, also when the file has none yet
  map.set(['versions'], ['canary', 'versions']);

  if (cfg.canary) {
    map.set(['routing'], ['canary']);
    map.set(['routing', 'type'], ['canary', 'route_type']);
    map.set(['routing', 'key'], ['canary', 'route_by']);
    const type = cfg.canary.route_type ?? 'random';
    // route_by only means something for header and query routing (BentoCloud ignores it otherwise)
    input.routing = type === 'header' || type === 'query' ? { type, key: cfg.canary.route_by } : { type };
    const versions: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(cfg.canary.versions ?? {})) {
      const vPath: IssuePath = ['canary', 'versions', name];
      const vServiceName = Object.keys(v.services ?? {})[0];
      const vService: FileService = vServiceName ? v.services![vServiceName] : {};
      const vServicePath: IssuePath = vServiceName ? [...vPath, 'services', vServiceName] : vPath;
      const version = toVersion(v, vPath, vService, vServicePath, ['versions', name], map, v.envs);
      version.weight = v.weight;
      map.set(['versions', name, 'weight'], [...vPath, 'weight']);
      if (v.mirror !== undefined) version.mirror = v.mirror;
      map.set(['versions', name, 'mirror'], [...vPath, 'mirror']);
      versions[name] = version;
    }
    input.versions = versions;
  }
  for (const k of ROLLOUT_FILE_KEYS) map.word(camel(k), k);
  if (cfg.rollout) input.rollout = camelTree(cfg.rollout, ['rollout'], ['rollout'], map);
  if (k8s.monitoring !== undefined) {
    input.monitoring = k8s.monitoring;
    map.set(['monitoring'], ['kubernetes', 'monitoring']);
  }
  // the dashboard: how it is delivered (a ConfigMap when only its settings are given), and its settings
  const dashboardKeys = [
    ['label', 'dashboard_label'],
    ['folder', 'dashboard_folder'],
    ['folderAnnotation', 'dashboard_folder_annotation'],
    ['instanceSelector', 'grafana_instance_selector'],
  ] as const;
  if (k8s.dashboards !== undefined || dashboardKeys.some(([, f]) => k8s[f] !== undefined)) {
    const dashboards: Record<string, unknown> = { delivery: k8s.dashboards ?? 'configmap' };
    map.set(['dashboards'], ['kubernetes', 'dashboards']);
    map.set(['dashboards', 'delivery'], ['kubernetes', 'dashboards']);
    for (const [key, fileKey] of dashboardKeys) {
      map.set(['dashboards', key], ['kubernetes', fileKey]);
      if (k8s[fileKey] !== undefined) dashboards[key] = k8s[fileKey];
    }
    input.dashboards = dashboards;
  }
  return input;
}

/** Snake_case keys of our extensions (rollout, security), which messages name in the file's words. */
const ROLLOUT_FILE_KEYS = [
  'failure_limit', 'consecutive_error_limit', 'min_requests', 'dry_run', 'prometheus_address', 'scrape_interval',
  'error_rate', 'p99_latency_ms', 'prediction_drift_psi', 'business_metric_delta',
  'promote_below', 'rollback_above', 'promote_above', 'rollback_below', 'json_path',
  // and the security section's
  'run_as_non_root', 'run_as_user', 'run_as_group', 'read_only_root_filesystem', 'allow_privilege_escalation',
  'add_capabilities', 'writable_paths', 'seccomp_profile',
];

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A snake_case subtree in the spec's camelCase, every node's file path recorded. */
function camelTree(value: unknown, filePath: IssuePath, specPath: IssuePath, map: PathMap): unknown {
  map.set(specPath, filePath);
  if (Array.isArray(value)) return value.map((v, i) => camelTree(v, [...filePath, i], [...specPath, i], map));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      map.word(camel(k), k);
      return [camel(k), camelTree(v, [...filePath, k], [...specPath, camel(k)], map)];
    }),
  );
}

function toVersion(
  art: FileConfig | FileVersion,
  artPath: IssuePath,
  svc: FileService,
  svcPath: IssuePath,
  specPath: IssuePath,
  map: PathMap,
  topEnvs: FileEnv[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  map.set(specPath, artPath.length > 0 ? artPath : svcPath);
  // artifact
  if (art.bento !== undefined) {
    out.artifact = { type: 'bento', tag: art.bento };
    map.set([...specPath, 'artifact'], [...artPath, 'bento']);
  } else if (art.image !== undefined) {
    const artifact: Record<string, unknown> = { type: 'image', image: art.image };
    map.set([...specPath, 'artifact'], [...artPath, 'image']);
    for (const k of IMAGE_KEYS) {
      artifact[IMAGE_FIELDS[k]] = art[k];
      map.set([...specPath, 'artifact', IMAGE_FIELDS[k]], [...artPath, k]);
    }
    out.artifact = dropUndefined(artifact);
  } else if (art.model !== undefined) {
    const m = art.model;
    out.artifact = dropUndefined({ type: 'model', storageUri: m.storage_uri, format: m.format, formatVersion: m.format_version, runtime: m.runtime });
    const mp = [...artPath, 'model'];
    map.set([...specPath, 'artifact'], mp);
    map.set([...specPath, 'artifact', 'storageUri'], [...mp, 'storage_uri']);
    map.set([...specPath, 'artifact', 'formatVersion'], [...mp, 'format_version']);
  } else {
    map.set([...specPath, 'artifact'], artPath);
  }
  map.set([...specPath, 'artifact', 'tag'], [...artPath, 'bento']);
  map.set([...specPath, 'artifact', 'image'], [...artPath, 'image']);

  const field = (key: string, value: unknown, filePath: IssuePath) => {
    map.set([...specPath, key], filePath);
    if (value !== undefined) out[key] = value;
  };
  field('instanceType', svc.instance_type, [...svcPath, 'instance_type']);
  field('deploymentStrategy', svc.deployment_strategy, [...svcPath, 'deployment_strategy']);
  field('serviceAccountName', svc.service_account, [...svcPath, 'service_account']);
  field('timeoutSeconds', svc.config_overrides?.traffic?.timeout, [...svcPath, 'config_overrides', 'traffic', 'timeout']);
  field('labels', svc.labels, [...svcPath, 'labels']);
  field('annotations', svc.annotations, [...svcPath, 'annotations']);
  if (svc.security) out.security = camelTree(svc.security, [...svcPath, 'security'], [...specPath, 'security'], map);
  else map.set([...specPath, 'security'], [...svcPath, 'security']);

  const sc = svc.scaling;
  map.set([...specPath, 'scaling'], [...svcPath, 'scaling']);
  if (sc) {
    const scaling = dropUndefined({
      minReplicas: sc.min_replicas,
      maxReplicas: sc.max_replicas,
      metric: sc.metric,
      target: sc.target,
      scaleUpStabilizationWindowSeconds: sc.policy?.scale_up_stabilization_window,
      scaleDownStabilizationWindowSeconds: sc.policy?.scale_down_stabilization_window,
    });
    if (Object.keys(scaling).length > 0) out.scaling = scaling;
  }
  const sp = [...svcPath, 'scaling'];
  map.set([...specPath, 'scaling', 'minReplicas'], [...sp, 'min_replicas']);
  map.set([...specPath, 'scaling', 'maxReplicas'], [...sp, 'max_replicas']);
  map.set([...specPath, 'scaling', 'scaleUpStabilizationWindowSeconds'], [...sp, 'policy', 'scale_up_stabilization_window']);
  map.set([...specPath, 'scaling', 'scaleDownStabilizationWindowSeconds'], [...sp, 'policy', 'scale_down_stabilization_window']);

  // env: deployment-level envs first, then the service's
  const envs: { entry: FileEnv; path: IssuePath }[] = [
    ...(topEnvs ?? []).map((entry, i) => ({ entry, path: [...artPath, 'envs', i] })),
    ...(svc.envs ?? []).map((entry, i) => ({ entry, path: [...svcPath, 'envs', i] })),
  ];
  map.set([...specPath, 'env'], svc.envs ? [...svcPath, 'envs'] : [...artPath, 'envs']);
  if (envs.length > 0) {
    out.env = envs.map(({ entry, path }, i) => {
      map.set([...specPath, 'env', i], path);
      map.set([...specPath, 'env', i, 'secretKeyRef'], [...path, 'value_from', 'secret_key_ref']);
      map.set([...specPath, 'env', i, 'configMapKeyRef'], [...path, 'value_from', 'config_map_key_ref']);
      map.set([...specPath, 'env', i, 'allowPlaintext'], [...path, 'allow_plaintext']);
      return dropUndefined({
        name: entry.name,
        value: entry.value,
        allowPlaintext: entry.allow_plaintext,
        secretKeyRef: entry.value_from?.secret_key_ref,
        configMapKeyRef: entry.value_from?.config_map_key_ref,
      });
    });
  }
  return out;
}

function dropUndefined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

// ------------------------------------------------------------ positions

/** Offset of the node at `path` (the key for map entries), or of the deepest existing parent. */
function offsetOf(root: unknown, path: IssuePath): number {
  let node = root as YAML.Node | null | undefined;
  let offset = node && (node as YAML.Node).range ? (node as YAML.Node).range![0] : 0;
  for (const part of path) {
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => yaml().isPair(p) && yaml().isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) return offset;
      const key = pair.key as YAML.Node;
      offset = key.range ? key.range[0] : offset;
      node = pair.value as YAML.Node | null;
    } else if (yaml().isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as YAML.Node | undefined;
      if (!item) return offset;
      offset = item.range ? item.range[0] : offset;
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}

/** The path of the innermost node that contains `offset`. */
function pathAtOffset(root: unknown, offset: number): IssuePath {
  const path: (string | number)[] = [];
  let node = root as YAML.Node | null | undefined;
  for (;;) {
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as YAML.Node | null;
        const v = p.value as YAML.Node | null;
        const start = k?.range?.[0] ?? v?.range?.[0] ?? Infinity;
        const end = v?.range?.[2] ?? k?.range?.[2] ?? -Infinity;
        return start <= offset && offset <= end;
      });
      if (!pair || !yaml().isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      node = pair.value as YAML.Node | null;
    } else if (yaml().isSeq(node)) {
      const i = node.items.findIndex((it) => {
        const r = (it as YAML.Node | null)?.range;
        return r !== undefined && r !== null && r[0] <= offset && offset <= r[2];
      });
      if (i < 0) return path;
      path.push(i);
      node = node.items[i] as YAML.Node;
    } else {
      return path;
    }
  }
}

function yamlMessage(code: string, message: string, text: string, offset: number): string {
  if (code === 'MULTIPLE_DOCS') {
    return 'the file holds more than one YAML document (a "---" line starts another); a canary file describes one service: keep one document, and put other services in files of their own';
  }
  if (code === 'DUPLICATE_KEY') {
    const key = /^[^\s:]+/.exec(text.slice(offset))?.[0] ?? '';
    return `duplicate key ${JSON.stringify(key)}; each key may appear once in a map: remove or rename one`;
  }
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return `malformed YAML: ${first.charAt(0).toLowerCase()}${first.slice(1).replace(/\.$/, '')}; fix the syntax at this position`;
}

/** The YAML library, loaded on first use: requiring canary-inference stays cheap for what does not read YAML. */
function yaml(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as typeof YAML);
}
let yamlModule: typeof YAML | undefined;

/** The file's schema (zod), loaded on first use. */
function fileSchemaOf(): typeof import('./schema').fileSchema {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./schema') as typeof import('./schema')).fileSchema;
}
