/**
 * The canonical, validated model every backend renders from. Produced only by
 * {@link normalizeService}: defaults filled in, canaries merged over main,
 * main's weight computed as the remainder.
 */
import { ResolvedInstanceType } from './instance-types';

/** A BentoML bento, served from the image built for it. */
export interface BentoArtifact {
  readonly kind: 'bento';
  /** `name:version`. */
  readonly tag: string;
  /** The container image of the bento (`[repository/]name:version`). */
  readonly image: string;
}

/** Any model-server container, optionally loading a model from storage. */
export interface ImageArtifact {
  readonly kind: 'image';
  readonly image: string;
  readonly storageUri?: string;
  /** Port the server listens on, as declared (undefined: the runtime profile's default). */
  readonly port?: number;
  /** HTTP path that answers once the server is ready (undefined: a TCP check on the port). */
  readonly readinessPath?: string;
  /** HTTP path that answers while the server is alive (undefined: a TCP check on the port). */
  readonly livenessPath?: string;
  /** Numeric user the image runs as (undefined: the runtime profile's default). */
  readonly user?: number;
  /** Numeric group the image runs as (undefined: the user's number). */
  readonly group?: number;
}

/** A model file served by the serving stack's own runtime for its format. */
export interface ModelArtifact {
  readonly kind: 'model';
  readonly storageUri: string;
  readonly format: string;
  readonly formatVersion?: string;
  readonly runtime?: string;
}

export type ArtifactSpec = BentoArtifact | ImageArtifact | ModelArtifact;


export interface KeyRef {
  readonly name: string;
  readonly key: string;
  readonly optional?: boolean;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  /** A plain value whose name looks like a credential, allowed on purpose. */
  readonly allowPlaintext?: boolean;
  readonly secretKeyRef?: KeyRef;
  readonly configMapKeyRef?: KeyRef;
}

export type ScaleMetricName = 'cpu' | 'memory' | 'concurrency' | 'rps';

export interface Scaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Metric to scale on; undefined lets the backend use its own default. */
  readonly metric?: ScaleMetricName;
  readonly target?: number;
  readonly scaleUpStabilizationWindowSeconds?: number;
  readonly scaleDownStabilizationWindowSeconds?: number;
}

export type VersionRole = 'main' | 'canary' | 'mirror';

/** One version after inheritance from main. */
export interface Version {
  readonly name: string;
  readonly role: VersionRole;
  /** Percent of traffic; main gets 100 minus the canaries' sum. For the mirror: the percent of requests copied to it. */
  readonly weight: number;
  readonly artifact: ArtifactSpec;
  readonly instanceType: ResolvedInstanceType;
  readonly scaling: Scaling;
  readonly env: readonly EnvVar[];
  readonly timeoutSeconds?: number;
  readonly deploymentStrategy?: 'RollingUpdate' | 'Recreate';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The pod's security settings: the restricted profile unless opted out. */
  readonly security: SecuritySpec;
  /** The ServiceAccount the pods run as; the namespace's default when unset. */
  readonly serviceAccountName?: string;
  /** Which settings this version set itself (the rest came from main). Paths as in the input, e.g. `scaling.maxReplicas`. */
  readonly explicit: ReadonlySet<string>;
}

/** A version's pod security after defaults (Pod Security Standards `restricted` unless opted out). */
export interface SecuritySpec {
  readonly runAsNonRoot: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly readOnlyRootFilesystem: boolean;
  readonly allowPrivilegeEscalation: boolean;
  /** Capabilities added back after dropping ALL. */
  readonly addCapabilities: readonly string[];
  /** Paths backed by an emptyDir, so a read-only container can write there. */
  readonly writablePaths: readonly string[];
  readonly seccompProfile: 'RuntimeDefault' | 'Unconfined';
}

/** The secure defaults. */
export const DEFAULT_SECURITY: SecuritySpec = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  addCapabilities: [],
  writablePaths: ['/tmp'],
  seccompProfile: 'RuntimeDefault',
};

export type RoutingSpec =
  | { readonly type: 'random' }
  | { readonly type: 'header'; readonly key: string }
  | { readonly type: 'query'; readonly key: string };

/** The typed guardrail metrics. */
export type GuardrailKind = 'errorRate' | 'p99LatencyMs' | 'predictionDriftPsi' | 'businessMetricDelta';

/** One guardrail after defaults: a metric, which way is better, and its two thresholds. */
export interface GuardrailSpec {
  readonly kind: GuardrailKind;
  /** `lower`: promote below `promote`, roll back above `rollback`; `higher`: the reverse. */
  readonly better: 'lower' | 'higher';
  readonly promote: number;
  readonly rollback: number;
  /** The user's PromQL query; undefined = the default for the router and backend. */
  readonly query?: string;
  /** predictionDriftPsi: the gauge of the PSI the model server exports (selected per version). */
  readonly metric?: string;
  /** businessMetricDelta: the counters of successes and of predictions the model server exports. */
  readonly success?: string;
  readonly total?: string;
  /** A web provider (a drift detector's HTTP endpoint) instead of a query. */
  readonly web?: { readonly url: string; readonly jsonPath: string };
  /** Whether it is one of the default guardrails (none were given); measured only where a default query exists. */
  readonly defaulted?: boolean;
}

/** A progressive rollout after defaults. */
export interface RolloutPlan {
  /** Canary percent at each stage, strictly ascending, ending at 100. */
  readonly stages: readonly number[];
  /** Pause after each stage in seconds; undefined = until promoted by hand. */
  readonly pauses: readonly (number | undefined)[];
  /** `step`: analysis after each pause; `background`: for the whole rollout. */
  readonly analysis: 'step' | 'background';
  /** Seconds between measurements. */
  readonly intervalSeconds: number;
  /** Prometheus' scrape interval of the metrics the guardrails read (the PodMonitor's); rate windows span at least four. */
  readonly scrapeIntervalSeconds: number;
  /** Measurements per analysis (step analysis must terminate). */
  readonly count: number;
  readonly failureLimit: number;
  readonly consecutiveErrorLimit: number;
  /** Requests the canary must have served before a measurement decides. */
  readonly minRequests?: number;
  /** Measure without acting on the results. */
  readonly dryRun: boolean;
  /** Where guardrail queries run. */
  readonly prometheusAddress: string;
  readonly guardrails: readonly GuardrailSpec[];
}

/** A validated canary inference service. */
export interface CanarySpec {
  readonly name: string;
  readonly namespace?: string;
  readonly routing: RoutingSpec;
  readonly main: Version;
  /** Canary versions, in the order they were declared (the mirror excluded). */
  readonly canaries: readonly Version[];
  /** The version receiving a copy of requests (responses discarded), if any. */
  readonly mirror?: Version;
  /** The progressive rollout, if any. */
  readonly rollout?: RolloutPlan;
  /** Whether to emit a per-version monitor (default: with a rollout). */
  readonly monitoring: boolean;
  /** How the service's Grafana dashboard is delivered, when declared (else: a ConfigMap where the router has request metrics). */
  readonly dashboards?: DashboardsSpec;
}

/** How a Grafana dashboard reaches Grafana. */
export interface DashboardsSpec {
  /** A ConfigMap for Grafana's dashboard sidecar, a GrafanaDashboard for grafana-operator, or none. */
  readonly delivery: 'configmap' | 'grafana-operator' | 'off';
  /** The ConfigMap's label the sidecar selects (default `grafana_dashboard: "1"`). */
  readonly label?: Readonly<Record<string, string>>;
  /** The Grafana folder. */
  readonly folder?: string;
  /** The sidecar's folder annotation (default `k8s-sidecar-target-directory`). */
  readonly folderAnnotation?: string;
  /** grafana-operator: the labels of the Grafana instances that load the dashboard (default: every instance of the namespace). */
  readonly instanceSelector?: Readonly<Record<string, string>>;
}

/** Main first, then the canaries, then the mirror. */
export function allVersions(spec: CanarySpec): Version[] {
  return [spec.main, ...spec.canaries, ...(spec.mirror ? [spec.mirror] : [])];
}

/** Versions that receive live traffic: main and the canaries. */
export function servingVersions(spec: CanarySpec): Version[] {
  return [spec.main, ...spec.canaries];
}

/** The input path of a version: `['main']` or `['versions', name]`. */
export function versionPath(version: Version): (string | number)[] {
  return version.role === 'main' ? ['main'] : ['versions', version.name];
}
