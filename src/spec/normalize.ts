/**
 * Input -> canonical model: schema check, defaults, inheritance from main,
 * instance-type lookup and every cross-field rule, with all problems collected.
 */
import { describeValue, didYouMean, Issue, IssueCollector, IssuePath, unholdableKeys, ValidationError } from './errors';
import { ArtifactInput, CanaryServiceInput, SecurityInput, VersionInput } from './input';
import { DEFAULT_INSTANCE_TYPE, InstanceTypeCatalog } from './instance-types';
import { schemas } from './lazy';
import { ArtifactSpec, CanarySpec, DEFAULT_SECURITY, EnvVar, RoutingSpec, Scaling, SecuritySpec, Version, VersionRole } from './model';
import { DNS1123_LABEL, MAX_LABEL_LENGTH } from './names';
import { normalizeRollout } from './rollout';
import { isUnder, parseSalvaging, parseWithIssues } from './zod-issues';

/** Options of {@link normalizeService}. */
export interface NormalizeOptions {
  /**
   * Instance types versions may name.
   * @default InstanceTypeCatalog.defaults()
   */
  readonly instanceTypes?: InstanceTypeCatalog;
}

/** Name of the main version when the input names none. */
export const DEFAULT_MAIN_VERSION_NAME = 'main';

/**
 * Validates and normalizes a service definition.
 * @throws ValidationError listing every problem found
 */
export function normalizeService(input: unknown, options: NormalizeOptions = {}): CanarySpec {
  const { spec, issues } = normalizeServiceCollecting(input, options);
  if (issues.length > 0) throw new ValidationError(issues);
  return spec!;
}

/** What {@link normalizeServiceCollecting} found. */
export interface NormalizeResult {
  /**
   * The spec: complete when there are no issues; otherwise built from the valid parts (without the values
   * the issues are about, see `dropped`), so the backend's and router's checks can still report theirs.
   */
  readonly spec?: CanarySpec;
  /** Every problem found. */
  readonly issues: readonly Issue[];
  /** Paths of the input whose values had to be left out (or replaced) to build `spec`: later checks say nothing under them. */
  readonly dropped: readonly IssuePath[];
}

/** A value that passes the schema where the input's could not be kept (for the later checks to run on the rest). */
function placeholder(path: IssuePath): unknown {
  if (path.length === 1 && path[0] === 'name') return 'service';
  if (path.length === 1 && path[0] === 'main') return {};
  if (path.length === 3 && path[0] === 'versions' && path[2] === 'weight') return 0;
  return undefined;
}

/**
 * What is left out with a value the schema refuses: a version's whole setting (a refused image leaves out
 * the artifact, a refused runAsNonRoot the security settings, whose rules read their fields together).
 */
function unitOf(path: IssuePath): IssuePath {
  if (path[0] === 'main') return path.slice(0, 2);
  if (path[0] === 'versions') return path.slice(0, 3);
  return path.slice(0, 1);
}

/** Like {@link normalizeService}, returning the problems with whatever spec could be built. */
export function normalizeServiceCollecting(input: unknown, options: NormalizeOptions = {}): NormalizeResult {
  const issues = new IssueCollector();
  // the rollout section is checked on its own, so its problems never hide the rest's
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  const { rollout: rolloutInput, ...rest } = isObject ? (input as Record<string, unknown>) : { rollout: undefined };
  // a version named __proto__ would vanish in parsing: say so instead
  if (isObject) issues.addAll(unholdableKeys((rest as Record<string, unknown>).versions, ['versions'], 'version name'));
  const parsed = parseSalvaging(schemas().serviceSchema, isObject ? rest : input, [], placeholder, unitOf);
  issues.addAll(parsed.issues);
  // the rollout's rules read its fields together (stages and pauses, each guardrail's thresholds): they run
  // when the whole section is well-formed
  const parsedRollout = rolloutInput === undefined ? undefined : parseWithIssues(schemas().rolloutSchema, rolloutInput, ['rollout']);
  if (parsedRollout) issues.addAll(parsedRollout.issues);
  const dropped = [...parsed.dropped, ...(parsedRollout?.issues.length ? [['rollout']] : [])];
  if (!parsed.data) return { issues: issues.issues, dropped };
  const data = parsed.data as CanaryServiceInput;
  const catalog = options.instanceTypes ?? InstanceTypeCatalog.defaults();
  const mainName = data.mainVersionName ?? DEFAULT_MAIN_VERSION_NAME;
  // problems of the later checks under a value left out are artifacts of leaving it out
  const later = new IssueCollector();
  // values the spec holds a default for instead of the input's (reported by the normalization itself)
  const substituted: IssuePath[] = [];

  const main = buildVersion(mainName, 'main', ['main'], data.main, undefined, 0, data, catalog, later, substituted);
  const canaries: Version[] = [];
  const mirrors: Version[] = [];
  let sum = 0;
  const entries = Object.entries(data.versions ?? {});
  for (const [name, canaryInput] of entries) {
    const path: IssuePath = ['versions', name];
    checkVersionName(name, mainName, path, later);
    const role = canaryInput.mirror ? 'mirror' : 'canary';
    if (role === 'canary') {
      sum += canaryInput.weight;
    } else if (canaryInput.weight === 0) {
      later.add([...path, 'weight'], 'a mirror copies this percent of requests, got 0; set 1 to 100, or remove mirror to dark-launch the version');
    }
    const version = buildVersion(name, role, path, canaryInput, data.main, canaryInput.weight, data, catalog, later, substituted);
    if (version) (role === 'canary' ? canaries : mirrors).push(version);
  }
  const mirrorNames = entries.filter(([, v]) => v.mirror).map(([n]) => n);
  if (mirrorNames.length > 1) {
    later.add(['versions'], `at most one version may be a mirror, got ${mirrorNames.length} (${mirrorNames.join(', ')}); keep mirror on one of them`);
  }
  if (sum > 100) {
    const parts = entries.filter(([, v]) => !v.mirror).map(([n, v]) => `${n}: ${v.weight}`).join(', ');
    later.add(
      ['versions'],
      `canary weights sum to ${sum} (${parts}); the sum must be at most 100, the remainder goes to ${mainName}: lower the weights by ${sum - 100} in total`,
    );
  }
  const rollout = parsedRollout?.data ? normalizeRollout(parsedRollout.data, later) : undefined;
  issues.addAll(later.issues.filter((i) => !dropped.some((d) => isUnder(i.path, d))));
  dropped.push(...substituted);
  if (!main) return { issues: issues.issues, dropped };

  const routing: RoutingSpec = (data.routing ?? { type: 'random' }) as RoutingSpec;
  const spec: CanarySpec = {
    name: data.name,
    namespace: data.namespace,
    routing,
    main: { ...main, weight: Math.max(0, 100 - sum) },
    canaries,
    ...(mirrors.length > 0 ? { mirror: mirrors[0] } : {}),
    ...(rollout ? { rollout } : {}),
    monitoring: data.monitoring ?? rolloutInput !== undefined,
    ...(data.dashboards ? { dashboards: stripUndefined(data.dashboards) as CanarySpec['dashboards'] } : {}),
  };
  return { spec, issues: issues.issues, dropped };
}

function checkVersionName(name: string, mainName: string, path: IssuePath, issues: IssueCollector): void {
  if (name.length > MAX_LABEL_LENGTH || !DNS1123_LABEL.test(name)) {
    issues.add(
      path,
      `version name ${describeValue(name)} must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters; rename it, e.g. "v2"`,
    );
  }
  if (name === mainName) {
    issues.add(path, `version name ${describeValue(name)} is the main version's name; give the canary another name`);
  }
}

function buildVersion(
  name: string,
  role: VersionRole,
  path: IssuePath,
  own: VersionInput,
  inherited: VersionInput | undefined,
  weight: number,
  service: CanaryServiceInput,
  catalog: InstanceTypeCatalog,
  issues: IssueCollector,
  substituted: IssuePath[],
): Version | undefined {
  const explicit = new Set<string>();
  for (const [k, v] of Object.entries(own)) {
    if (v === undefined) continue;
    explicit.add(k);
    if (k === 'scaling') for (const [sk, sv] of Object.entries(v as object)) if (sv !== undefined) explicit.add(`scaling.${sk}`);
  }
  const pick = <K extends keyof VersionInput>(key: K): VersionInput[K] => own[key] ?? inherited?.[key];

  // artifact
  const artifactInput = pick('artifact');
  let artifact: ArtifactSpec;
  if (!artifactInput) {
    // a canary without an artifact inherits main's: none at all is main's problem, said once at main
    if (role === 'main') {
      issues.add(
        [...path, 'artifact'],
        'is required: set a bento ("name:version"), a container image, or a model (storage URI and format)',
      );
    }
    // the later checks run on the rest with a stand-in; they say nothing about it
    artifact = { kind: 'model', storageUri: 's3://unset/model', format: 'sklearn' };
    substituted.push([...path, 'artifact']);
  } else {
    artifact = toArtifact(artifactInput, service.imageRepository);
  }

  // instance type
  const typeName = pick('instanceType') ?? DEFAULT_INSTANCE_TYPE;
  let instanceType = catalog.resolve(typeName);
  // an unknown type inherited from main is main's mistake, reported once, at main
  if (!instanceType && (role === 'main' || explicit.has('instanceType'))) {
    const hint = didYouMean(typeName, catalog.names);
    issues.add(
      [...path, 'instanceType'],
      `unknown instance type ${describeValue(typeName)}; ${hint ? `did you mean "${hint}"? ` : ''}known types: ${catalog.names.join(', ')}`,
    );
  }

  // scaling: field by field over main's
  const scalingIn = { ...(inherited?.scaling ?? {}), ...stripUndefined(own.scaling ?? {}) };
  const minReplicas = scalingIn.minReplicas ?? 1;
  const maxReplicas = scalingIn.maxReplicas ?? Math.max(minReplicas, 1);
  const ownBounds = role === 'main' || explicit.has('scaling.minReplicas') || explicit.has('scaling.maxReplicas');
  // both bounds inherited: main's own error already says it
  if (minReplicas > maxReplicas && ownBounds) {
    const at = explicit.has('scaling.minReplicas') || !explicit.has('scaling.maxReplicas') ? 'minReplicas' : 'maxReplicas';
    const fromMain = role !== 'main' && !(explicit.has('scaling.minReplicas') && explicit.has('scaling.maxReplicas'));
    issues.add(
      [...path, 'scaling', at],
      `min replicas ${minReplicas} is more than max replicas ${maxReplicas}${fromMain ? ' (one of them inherited from main)' : ''}; min replicas must be at most max replicas: raise max or lower min`,
    );
  }
  const scaling: Scaling = stripUndefined({
    minReplicas,
    maxReplicas,
    metric: scalingIn.metric,
    target: scalingIn.target,
    scaleUpStabilizationWindowSeconds: scalingIn.scaleUpStabilizationWindowSeconds,
    scaleDownStabilizationWindowSeconds: scalingIn.scaleDownStabilizationWindowSeconds,
  });

  // env: main's, then the version's (same name replaces)
  const env = mergeEnv(inherited?.env ?? [], own.env ?? [], [...path, 'env'], issues);

  // security: field by field over main's, over the restricted defaults
  // a problem with a setting inherited from main is reported once, at main
  const ownSecurity = stripUndefined(own.security ?? {});
  const reported = role === 'main' ? undefined : new Set(Object.keys(ownSecurity));
  const security = buildSecurity({ ...stripUndefined(inherited?.security ?? {}), ...ownSecurity }, [...path, 'security'], reported, issues);

  // an image's storage URI is passed as STORAGE_URI: a variable of that name would be a duplicate entry
  if (artifact.kind === 'image' && artifact.storageUri !== undefined) {
    const at = env.findIndex((e) => e.name === 'STORAGE_URI');
    if (at >= 0) {
      const ownAt = (own.env ?? []).findIndex((e) => e.name === 'STORAGE_URI');
      issues.add(
        ownAt >= 0 ? [...path, 'env', ownAt, 'name'] : [...path, 'artifact', 'storageUri'],
        `STORAGE_URI is set from the image's storage URI (${artifact.storageUri})${ownAt >= 0 ? '' : ' and also in env inherited from main'}; remove one of them`,
      );
    }
  }
  if (!instanceType) {
    // the later checks run on the rest with the default type; they say nothing about this one
    instanceType = catalog.resolve(DEFAULT_INSTANCE_TYPE) ?? catalog.resolve(catalog.names[0]);
    substituted.push([...path, 'instanceType']);
  }
  if (!instanceType) return undefined;
  return stripUndefined({
    name,
    role,
    weight,
    artifact,
    instanceType,
    scaling,
    env,
    timeoutSeconds: pick('timeoutSeconds'),
    deploymentStrategy: pick('deploymentStrategy'),
    labels: { ...(inherited?.labels ?? {}), ...(own.labels ?? {}) },
    annotations: { ...(inherited?.annotations ?? {}), ...(own.annotations ?? {}) },
    security,
    serviceAccountName: pick('serviceAccountName'),
    explicit,
  }) as Version;
}

function toArtifact(input: ArtifactInput, imageRepository: string | undefined): ArtifactSpec {
  switch (input.type) {
    case 'bento':
      return { kind: 'bento', tag: input.tag, image: imageRepository ? `${imageRepository}/${input.tag}` : input.tag };
    case 'image':
      return stripUndefined({
        kind: 'image',
        image: input.image,
        storageUri: input.storageUri,
        port: input.port,
        readinessPath: input.readinessPath,
        livenessPath: input.livenessPath,
        user: input.user,
        group: input.group,
      });
    case 'model':
      return stripUndefined({
        kind: 'model',
        storageUri: input.storageUri,
        format: input.format,
        formatVersion: input.formatVersion,
        runtime: input.runtime,
      });
  }
}

/** Names that look like credentials: a last segment such as TOKEN, PASSWORD, SECRET or KEY. */
const CREDENTIAL_NAME = /(^|[_.-])(TOKEN|PASSWORD|PASSWD|SECRET|KEY|APIKEY|CREDENTIAL|CREDENTIALS)$/i;

/**
 * The security settings over the defaults. `own`: the keys the version set itself
 * (undefined for main), so a problem inherited from main is not reported twice.
 */
function buildSecurity(input: SecurityInput, path: IssuePath, own: ReadonlySet<string> | undefined, issues: IssueCollector): SecuritySpec {
  const s: SecuritySpec = { ...DEFAULT_SECURITY, ...stripUndefined(input) } as SecuritySpec;
  const mine = (...keys: string[]) => own === undefined || keys.some((k) => own.has(k));
  if (s.runAsNonRoot && s.runAsUser === 0 && mine('runAsUser', 'runAsNonRoot')) {
    issues.add([...path, 'runAsUser'], 'user 0 is root, and runAsNonRoot is true (the default); use a non-zero user id, or set runAsNonRoot to false to run as root');
  }
  const seen = new Set<string>();
  s.writablePaths.forEach((p, i) => {
    if (seen.has(p) && mine('writablePaths')) issues.add([...path, 'writablePaths', i], `"${p}" is listed twice; remove one`);
    seen.add(p);
  });
  const caps = new Set<string>();
  s.addCapabilities.forEach((c, i) => {
    if (!mine('addCapabilities')) return;
    if (c === 'ALL') issues.add([...path, 'addCapabilities', i], 'adding back ALL capabilities undoes dropping them; name the capabilities the server needs, e.g. "NET_BIND_SERVICE"');
    if (caps.has(c)) issues.add([...path, 'addCapabilities', i], `"${c}" is listed twice; remove one`);
    caps.add(c);
  });
  return s;
}

function mergeEnv(
  base: readonly EnvVar[],
  own: readonly EnvVar[],
  path: IssuePath,
  issues: IssueCollector,
): EnvVar[] {
  const seen = new Map<string, number>();
  own.forEach((e, i) => {
    const sources = [e.value !== undefined, e.secretKeyRef !== undefined, e.configMapKeyRef !== undefined].filter(Boolean).length;
    if (sources !== 1) {
      issues.add(
        [...path, i],
        `environment variable "${e.name}" must set exactly one of value, secretKeyRef or configMapKeyRef, got ${sources}; e.g. {name: "${e.name}", value: "..."}`,
      );
    }
    if (e.value !== undefined && CREDENTIAL_NAME.test(e.name) && !e.allowPlaintext) {
      issues.add(
        [...path, i, 'value'],
        `"${e.name}" looks like a credential, and a plain value is written into the manifest (and into Git); ` +
          `read it from a Secret instead: {name: "${e.name}", secretKeyRef: {name: "<secret>", key: "<key>"}} ` +
          '(in a file: value_from: {secret_key_ref: {name, key}}; in code: EnvValue.fromSecret(secret, key)), ' +
          'or, if it is not a secret, allow it: allowPlaintext: true (allow_plaintext in a file)',
      );
    }
    const previous = seen.get(e.name);
    if (previous !== undefined) {
      issues.add([...path, i, 'name'], `environment variable "${e.name}" is already set at index ${previous}; remove one of them`);
    }
    seen.set(e.name, i);
  });
  const merged = base.filter((b) => !seen.has(b.name)).map((e) => stripUndefined({ ...e }));
  return [...merged, ...own.map((e) => stripUndefined({ ...e }))];
}

/** Copies `obj` without its undefined properties (stable output, nothing `undefined` in YAML). */
export function stripUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
