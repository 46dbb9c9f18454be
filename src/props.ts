/**
 * Props shared by the cdk8s constructs and the Pulumi component, and their
 * translation into the spec's input. No validation here: the spec does it.
 */
import { Duration } from 'cdk8s';
import { Backend } from './backends';
import { Router } from './routers';
import { Artifact, describeValue, EnvValue, Guardrail, InstanceType, InstanceTypeCatalog, Issue, IssuePath, NamedObject, Routing, ScaleMetric, SeccompProfile, ValidationError } from './spec';

/** How long a rollout waits after a stage. */
export class Pause {
  /** Wait this long, then analyse (or move on). */
  public static of(duration: Duration): Pause {
    return new Pause(duration.toSeconds());
  }

  /** Wait until promoted by hand (e.g. `kubectl argo rollouts promote`). */
  public static untilPromoted(): Pause {
    return new Pause(null);
  }

  private constructor(
    /** Seconds, or null for a manual promotion. */
    public readonly durationSeconds: number | null,
  ) {}
}

/** Options of {@link Dashboards.configMap}. */
export interface ConfigMapDashboardOptions {
  /**
   * The label Grafana's dashboard sidecar selects ConfigMaps by.
   * @default { grafana_dashboard: '1' } (kube-prometheus-stack's sidecar)
   */
  readonly label?: Readonly<Record<string, string>>;
  /**
   * The Grafana folder (the sidecar makes folders with `provider.foldersFromFilesStructure: true`).
   * @default - the sidecar's provider folder
   */
  readonly folder?: string;
  /**
   * The annotation the sidecar reads the folder from (its `folderAnnotation`).
   * @default 'k8s-sidecar-target-directory'
   */
  readonly folderAnnotation?: string;
}

/** Options of {@link Dashboards.grafanaOperator}. */
export interface GrafanaOperatorDashboardOptions {
  /**
   * Labels of the Grafana instances that load the dashboard.
   * @default - every Grafana instance of the namespace
   */
  readonly instanceSelector?: Readonly<Record<string, string>>;
  /**
   * The Grafana folder.
   * @default - the General folder
   */
  readonly folder?: string;
}

/**
 * How the service's Grafana dashboard (each version's traffic, errors, latency, pods and guardrails side by side)
 * reaches Grafana.
 */
export class Dashboards {
  /** A ConfigMap labelled for Grafana's dashboard sidecar (kube-prometheus-stack's `grafana_dashboard: "1"`). */
  public static configMap(options: ConfigMapDashboardOptions = {}): Dashboards {
    return new Dashboards({ delivery: 'configmap', ...options });
  }

  /** A GrafanaDashboard of grafana-operator. */
  public static grafanaOperator(options: GrafanaOperatorDashboardOptions = {}): Dashboards {
    return new Dashboards({ delivery: 'grafana-operator', ...options });
  }

  /** No dashboard. */
  public static off(): Dashboards {
    return new Dashboards({ delivery: 'off' });
  }

  private constructor(
    /** The spec's input. */
    public readonly input: Readonly<Record<string, unknown>>,
  ) {}
}

/** When guardrails are measured. */
export class AnalysisMode {
  /** After each stage's pause, for a fixed number of measurements (a step of the rollout). */
  public static readonly STEP = new AnalysisMode('step');
  /** Continuously for the whole rollout, from the first stage. */
  public static readonly BACKGROUND = new AnalysisMode('background');

  private constructor(public readonly name: 'step' | 'background') {}
}

/** How guardrails are measured: shared by a rollout and a standalone AnalysisTemplate. */
export interface AnalysisProps {
  /**
   * The metrics deciding between promote, hold and roll back.
   * @default [Guardrail.errorRate(), Guardrail.p99LatencyMs()]
   */
  readonly guardrails?: readonly Guardrail[];
  /**
   * Time between measurements.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Prometheus' scrape interval of the metrics the guardrails read: the emitted PodMonitor scrapes at it,
   * and every rate window spans at least four of it.
   * @default Duration.seconds(30)
   */
  readonly scrapeInterval?: Duration;
  /**
   * Measurements per analysis.
   * @default 5
   */
  readonly count?: number;
  /**
   * Failed measurements tolerated before the rollout is aborted.
   * @default 0
   */
  readonly failureLimit?: number;
  /**
   * Consecutive measurement errors (e.g. Prometheus unreachable) tolerated.
   * @default 4
   */
  readonly consecutiveErrorLimit?: number;
  /**
   * Requests the canary must have served since it started before any guardrail decides; fewer is Inconclusive (hold).
   * Counted from the router's request metrics (Istio: since the canary's pods started; ingress-nginx: over the
   * analysis, count × interval), else from the business metric's `total` counter.
   * @default - no minimum
   */
  readonly minRequests?: number;
  /**
   * Measure and record, never abort.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Prometheus the queries run against.
   * @default 'http://prometheus-operated.monitoring.svc:9090'
   */
  readonly prometheusAddress?: string;
}

/** A progressive rollout: stages, pauses, and guardrails. */
export interface RolloutProps extends AnalysisProps {
  /**
   * The canaries' percent at each stage: strictly ascending, ending at 100.
   * @default [5, 10, 25, 50, 100]
   */
  readonly stages?: readonly number[];
  /**
   * Pause after every stage, or one per stage.
   * @default Pause.untilPromoted()
   */
  readonly pause?: Pause | readonly Pause[];
  /**
   * When guardrails are measured.
   * @default AnalysisMode.STEP
   */
  readonly analysis?: AnalysisMode;
}

/**
 * Opt-outs of a version's secure pod defaults (Pod Security Standards
 * `restricted` and a read-only root filesystem). Each setting is explicit.
 */
export interface SecurityProps {
  /**
   * Refuse to start a container running as root.
   * @default true
   */
  readonly runAsNonRoot?: boolean;
  /**
   * User id of the containers.
   * @default - the image's
   */
  readonly runAsUser?: number;
  /**
   * Group id of the containers.
   * @default - the image's
   */
  readonly runAsGroup?: number;
  /**
   * Mount the root filesystem read-only (writable paths get an emptyDir).
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Allow a process to gain more privileges than its parent.
   * @default false
   */
  readonly allowPrivilegeEscalation?: boolean;
  /**
   * Capabilities added back after dropping ALL, e.g. `NET_BIND_SERVICE`.
   * @default []
   */
  readonly addCapabilities?: readonly string[];
  /**
   * Paths the server writes to, each backed by an emptyDir.
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly string[];
  /**
   * Seccomp profile of the pods.
   * @default SeccompProfile.RUNTIME_DEFAULT
   */
  readonly seccompProfile?: SeccompProfile;
}

/** Replica bounds and autoscaling of a version. */
export interface ScalingProps {
  /**
   * Fewest replicas.
   * @default 1 (a canary: main's)
   */
  readonly minReplicas?: number;
  /**
   * Most replicas; above `minReplicas` the version autoscales.
   * @default minReplicas (a canary: main's)
   */
  readonly maxReplicas?: number;
  /**
   * Metric to scale on.
   * @default - the backend's default (KServe Standard: CPU; Knative: concurrency)
   */
  readonly metric?: ScaleMetric;
  /**
   * Target value of the metric (percent for CPU/memory).
   * @default - the backend's default (80 percent for CPU/memory)
   */
  readonly target?: number;
  /**
   * How long the autoscaler waits before scaling up. @see HPA `behavior.scaleUp.stabilizationWindowSeconds`
   * @default - the autoscaler's default
   */
  readonly scaleUpStabilizationWindow?: Duration;
  /**
   * How long the autoscaler waits before scaling down. @see HPA `behavior.scaleDown.stabilizationWindowSeconds`
   * @default - the autoscaler's default
   */
  readonly scaleDownStabilizationWindow?: Duration;
}

/** Settings of a version. A canary inherits every setting of main it leaves out. */
export interface VersionProps {
  /**
   * What the version serves.
   * @default - main's artifact (required on main)
   */
  readonly artifact?: Artifact;
  /**
   * Hardware of each replica.
   * @default InstanceType.of('cpu.1') (a canary: main's)
   */
  readonly instanceType?: InstanceType;
  /**
   * Replicas and autoscaling.
   * @default - one replica (a canary: main's settings, field by field)
   */
  readonly scaling?: ScalingProps;
  /**
   * Environment variables; a canary's are merged over main's by name.
   * @default - none
   */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /**
   * Request timeout. @see KServe `predictor.timeout`
   * @default - the serving stack's default
   */
  readonly timeout?: Duration;
  /**
   * How replicas are replaced on update.
   * @default - the serving stack's default (rolling update)
   */
  readonly deploymentStrategy?: 'RollingUpdate' | 'Recreate';
  /**
   * Extra pod labels.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Extra pod annotations.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Opt-outs of the secure pod defaults.
   * @default - the restricted profile, read-only root filesystem, /tmp writable
   */
  readonly security?: SecurityProps;
  /**
   * The ServiceAccount the pods run as, by name or as the object (anything with a `name`, e.g. a cdk8s-plus
   * `ServiceAccount`): one allowed to read the model's storage, for instance.
   * @default - the namespace's default ServiceAccount
   */
  readonly serviceAccount?: string | NamedObject;
}

/** A canary version. */
export interface CanaryVersionProps extends VersionProps {
  /** Percent of traffic, 0 to 100 (0 = dark launch); for a mirror, the percent of requests copied to it. @see KServe `spec.canary[].trafficPercent` */
  readonly weight: number;
  /**
   * Receive a copy of `weight` percent of requests instead of a share (responses discarded). At most one version.
   * @default false
   */
  readonly mirror?: boolean;
}

/** What a canary inference service is, whatever the front end. */
export interface CanaryServiceOptions {
  /**
   * Namespace of every object.
   * @default - the chart's or provider's namespace
   */
  readonly namespace?: string;
  /** The main (stable) version. */
  readonly main: VersionProps;
  /**
   * Name of the main version.
   * @default 'main'
   */
  readonly mainVersionName?: string;
  /**
   * How requests are assigned to versions.
   * @default Routing.random()
   */
  readonly routing?: Routing;
  /**
   * Where to render.
   * @default Backend.kserve()
   */
  readonly backend?: Backend;
  /**
   * Traffic layer.
   * @default Router.native()
   */
  readonly router?: Router;
  /**
   * Registry/repository prefix of bento images, e.g. `ghcr.io/acme`.
   * @default - bento images are named `name:version`
   */
  readonly imageRepository?: string;
  /**
   * Instance types versions may name.
   * @default InstanceTypeCatalog.defaults()
   */
  readonly instanceTypes?: InstanceTypeCatalog;
  /**
   * A progressive rollout of the canaries.
   * @default - the canaries keep their weights
   */
  readonly rollout?: RolloutProps;
  /**
   * Emit a PodMonitor (prometheus-operator) selecting every version, with a `version` label on each series.
   * @default - true with a rollout, else false
   */
  readonly monitoring?: boolean;
  /**
   * The service's Grafana dashboard and how it reaches Grafana.
   * @default - Dashboards.configMap() where there are request metrics (router istio or nginx, or bentos under the PodMonitor), else none
   */
  readonly dashboards?: Dashboards;
}

/**
 * Props typed as classes, checked at run time for callers without the types (plain JavaScript, props read from
 * JSON): a class instance, a name where a name says the same (an instance type, a scale metric), else a problem
 * naming the class to use. Never silent wrong output.
 */
class PropChecks {
  public readonly issues: Issue[] = [];

  /** An instance of `cls`, read by `read`; a string taken by `fromName`, when given. */
  public choice<C, T>(
    value: unknown,
    path: IssuePath,
    cls: { prototype: C },
    read: (c: C) => T,
    use: string,
    fromName?: (name: string) => T,
  ): T | undefined {
    if (value === undefined) return undefined;
    if (value instanceof (cls as unknown as new () => C)) return read(value as C);
    if (typeof value === 'string' && fromName) return fromName(value);
    this.issues.push({ path, message: `must be ${use}, got ${describeValue(value)}` });
    return undefined;
  }

  /** A cdk8s Duration, in seconds. */
  public seconds(value: unknown, path: IssuePath): number | undefined {
    if (value === undefined) return undefined;
    if (value instanceof Duration || (typeof value === 'object' && value !== null && typeof (value as Duration).toSeconds === 'function')) {
      return (value as Duration).toSeconds();
    }
    this.issues.push({ path, message: `must be a cdk8s Duration, e.g. Duration.seconds(30) or Duration.minutes(5), got ${describeValue(value)}` });
    return undefined;
  }
}

function compact(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** A list from a caller without the types: the list, or a problem. */
function listOf(check: PropChecks, value: unknown, path: IssuePath, use: string): readonly unknown[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value;
  check.issues.push({ path, message: `must be a list of ${use}, got ${describeValue(value)}` });
  return undefined;
}

/** A ServiceAccount given by name or as the object (anything with a `name`, e.g. a cdk8s-plus `ServiceAccount`). */
function serviceAccountNameOf(value: unknown, path: IssuePath, check: PropChecks): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as NamedObject).name === 'string') return (value as NamedObject).name;
  check.issues.push({ path, message: `must be a ServiceAccount's name or an object with a name (e.g. a cdk8s-plus ServiceAccount), got ${describeValue(value)}` });
  return undefined;
}

function versionFields(props: VersionProps, path: IssuePath, check: PropChecks): Record<string, unknown> {
  const s = props.scaling;
  const env = props.env as unknown;
  return compact({
    artifact: check.choice(props.artifact, [...path, 'artifact'], Artifact, (a) => a.input, 'an Artifact, e.g. Artifact.bento(\'name:version\') or Artifact.model({ storageUri, format })'),
    // a name says the same as InstanceType.of(name)
    instanceType: check.choice(props.instanceType, [...path, 'instanceType'], InstanceType, (t) => t.name, 'an InstanceType, e.g. InstanceType.of(\'gpu.l4.1\')', (n) => n),
    scaling: s
      ? compact({
        minReplicas: s.minReplicas,
        maxReplicas: s.maxReplicas,
        metric: check.choice(s.metric, [...path, 'scaling', 'metric'], ScaleMetric, (m) => m.name, 'a ScaleMetric, e.g. ScaleMetric.CPU', (n) => n),
        target: s.target,
        scaleUpStabilizationWindowSeconds: check.seconds(s.scaleUpStabilizationWindow, [...path, 'scaling', 'scaleUpStabilizationWindow']),
        scaleDownStabilizationWindowSeconds: check.seconds(s.scaleDownStabilizationWindow, [...path, 'scaling', 'scaleDownStabilizationWindow']),
      })
      : undefined,
    env:
      env === undefined
        ? undefined
        : typeof env !== 'object' || env === null || Array.isArray(env)
          ? (check.issues.push({ path: [...path, 'env'], message: `must be a map of variable name to EnvValue, e.g. { LOG_LEVEL: EnvValue.fromValue('info') }, got ${describeValue(env)}` }), undefined)
          : Object.entries(env).flatMap(([name, value]) => {
            if (value instanceof EnvValue) return [value.toInput(name)];
            check.issues.push({ path: [...path, 'env', name], message: `must be an EnvValue, e.g. EnvValue.fromValue('info') or EnvValue.fromSecret('name', 'key'), got ${describeValue(value)}` });
            return [];
          }),
    timeoutSeconds: check.seconds(props.timeout, [...path, 'timeout']),
    deploymentStrategy: props.deploymentStrategy,
    labels: props.labels,
    annotations: props.annotations,
    serviceAccountName: serviceAccountNameOf(props.serviceAccount, [...path, 'serviceAccount'], check),
    security: props.security
      ? compact({
        ...props.security,
        seccompProfile: check.choice(props.security.seccompProfile, [...path, 'security', 'seccompProfile'], SeccompProfile, (p) => p.name, 'a SeccompProfile, e.g. SeccompProfile.RUNTIME_DEFAULT', (n) => n),
      })
      : undefined,
  });
}

/**
 * The spec input of one version's props, at `path` (`['main']` or `['versions', name]`).
 * @throws ValidationError naming every class-typed prop given something else
 */
export function versionInput(props: VersionProps, path: IssuePath = ['main']): Record<string, unknown> {
  const check = new PropChecks();
  const input = versionFields(props, path, check);
  if (check.issues.length > 0) throw new ValidationError(check.issues);
  return input;
}

function rolloutFields(props: RolloutProps, check: PropChecks): Record<string, unknown> {
  const path: IssuePath = ['rollout'];
  const pauses = Array.isArray(props.pause)
    ? (props.pause as unknown[]).map((p, i) => check.choice(p, [...path, 'pause', i], Pause, (x) => x.durationSeconds, 'a Pause, e.g. Pause.of(Duration.minutes(5)) or Pause.untilPromoted()'))
    : check.choice(props.pause, [...path, 'pause'], Pause, (x) => x.durationSeconds, 'a Pause (or a list of them), e.g. Pause.of(Duration.minutes(5)) or Pause.untilPromoted()');
  return compact({
    stages: props.stages,
    pause: Array.isArray(pauses) && pauses.some((p) => p === undefined) ? undefined : pauses,
    analysis: check.choice(props.analysis, [...path, 'analysis'], AnalysisMode, (m) => m.name, 'an AnalysisMode, e.g. AnalysisMode.STEP or AnalysisMode.BACKGROUND'),
    ...analysisFields(props, check, path),
  });
}

/** The spec input of a rollout's props. */
export function rolloutInput(props: RolloutProps): Record<string, unknown> {
  const check = new PropChecks();
  const input = rolloutFields(props, check);
  if (check.issues.length > 0) throw new ValidationError(check.issues);
  return input;
}

function analysisFields(props: AnalysisProps, check: PropChecks, path: IssuePath): Record<string, unknown> {
  const guardrails = listOf(check, props.guardrails, [...path, 'guardrails'], 'Guardrails, e.g. [Guardrail.errorRate(), Guardrail.p99LatencyMs()]');
  return compact({
    interval: check.seconds(props.interval, [...path, 'interval']),
    scrapeInterval: check.seconds(props.scrapeInterval, [...path, 'scrapeInterval']),
    count: props.count,
    failureLimit: props.failureLimit,
    consecutiveErrorLimit: props.consecutiveErrorLimit,
    minRequests: props.minRequests,
    dryRun: props.dryRun,
    prometheusAddress: props.prometheusAddress,
    guardrails: guardrails ? guardrailsInput(guardrails, check, [...path, 'guardrails']) : undefined,
  });
}

/** The spec input of how guardrails are measured. */
export function analysisInput(props: AnalysisProps): Record<string, unknown> {
  const check = new PropChecks();
  const input = analysisFields(props, check, ['rollout']);
  if (check.issues.length > 0) throw new ValidationError(check.issues);
  return input;
}

function guardrailsInput(guardrails: readonly unknown[], check: PropChecks, path: IssuePath): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const twice = new Set<string>();
  guardrails.forEach((value, i) => {
    const g = check.choice(value, [...path, i], Guardrail, (x) => x, 'a Guardrail, e.g. Guardrail.errorRate({ promoteBelow: 0.01 })');
    if (!g) return;
    if (g.kind in out) twice.add(g.kind);
    out[g.kind] = { ...g.input };
  });
  for (const kind of twice) {
    check.issues.push({ path: [...path, kind], message: 'is given more than once; a guardrail has one promote and one rollback threshold: keep one' });
  }
  return out;
}

/** The spec input of a whole service, with every problem of its class-typed props (their values left out). */
export function serviceInputCollecting(
  name: string,
  options: CanaryServiceOptions,
  canaries: ReadonlyArray<readonly [string, CanaryVersionProps]>,
): { readonly input: Record<string, unknown>; readonly issues: readonly Issue[] } {
  const check = new PropChecks();
  const main = options.main as unknown;
  const input = compact({
    name,
    namespace: options.namespace,
    mainVersionName: options.mainVersionName,
    main: typeof main === 'object' && main !== null ? versionFields(options.main, ['main'], check) : main,
    versions:
      canaries.length > 0
        ? Object.fromEntries(canaries.map(([n, p]) => [n, compact({ ...versionFields(p ?? {}, ['versions', n], check), weight: p?.weight, mirror: p?.mirror })]))
        : undefined,
    routing: check.choice(options.routing, ['routing'], Routing, (r) => r.input, 'a Routing, e.g. Routing.random() or Routing.header(\'x-user-id\')'),
    imageRepository: options.imageRepository,
    rollout: options.rollout ? rolloutFields(options.rollout, check) : undefined,
    monitoring: options.monitoring,
    dashboards: check.choice(options.dashboards, ['dashboards'], Dashboards, (d) => d.input, 'a Dashboards, e.g. Dashboards.configMap() or Dashboards.off()'),
  });
  return { input, issues: check.issues };
}

/**
 * The spec input of a whole service.
 * @throws ValidationError naming every class-typed prop given something else
 */
export function serviceInput(
  name: string,
  options: CanaryServiceOptions,
  canaries: ReadonlyArray<readonly [string, CanaryVersionProps]>,
): Record<string, unknown> {
  const { input, issues } = serviceInputCollecting(name, options, canaries);
  if (issues.length > 0) throw new ValidationError(issues);
  return input;
}
