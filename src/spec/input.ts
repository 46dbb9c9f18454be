/**
 * The spec's input, as callers write it (hand-written; `schema.ts` checks at compile time that its zod
 * schemas take exactly these shapes). Values are checked by the schemas, not by these types.
 */

/** A bento built by BentoML: `name:version`. */
export interface BentoArtifactInput {
  readonly type: 'bento';
  /** The bento tag, e.g. `summarization:xq4dggshm25lecvj`. */
  readonly tag: string;
}

/** A container image serving the model. */
export interface ImageArtifactInput {
  readonly type: 'image';
  /** Image reference `registry/path[:tag][@sha256:digest]`. */
  readonly image: string;
  /** Storage URI of a model the image loads (passed as `STORAGE_URI`). */
  readonly storageUri?: string;
  /** Port the server listens on. */
  readonly port?: number;
  /** HTTP path answering once the server is ready. */
  readonly readinessPath?: string;
  /** HTTP path answering while the server is alive. */
  readonly livenessPath?: string;
  /** Numeric user the image runs as. */
  readonly user?: number;
  /** Numeric group the image runs as. */
  readonly group?: number;
}

/** A model in storage, served by the backend's runtime for its format. */
export interface ModelArtifactInput {
  readonly type: 'model';
  /** Where the model is, e.g. `s3://bucket/path`. */
  readonly storageUri: string;
  /** Model format, e.g. `sklearn`, `huggingface`. */
  readonly format: string;
  /** Version of the format. */
  readonly formatVersion?: string;
  /** A serving runtime of the cluster by name. */
  readonly runtime?: string;
}

/** Where a version's model server comes from. */
export type ArtifactInput = BentoArtifactInput | ImageArtifactInput | ModelArtifactInput;

/** A key of a Secret or ConfigMap. */
export interface KeyRefInput {
  readonly name: string;
  readonly key: string;
  readonly optional?: boolean;
}

/** One environment variable: a plain value or a reference to a Secret or ConfigMap key. */
export interface EnvVarInput {
  readonly name: string;
  readonly value?: string;
  readonly allowPlaintext?: boolean;
  readonly secretKeyRef?: KeyRefInput;
  readonly configMapKeyRef?: KeyRefInput;
}

/** Replica bounds and autoscaling of one version. */
export interface ScalingInput {
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly metric?: 'cpu' | 'memory' | 'concurrency' | 'rps';
  readonly target?: number;
  readonly scaleUpStabilizationWindowSeconds?: number;
  readonly scaleDownStabilizationWindowSeconds?: number;
}

/** Opt-outs of the secure pod defaults. */
export interface SecurityInput {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly addCapabilities?: readonly string[];
  readonly writablePaths?: readonly string[];
  readonly seccompProfile?: 'RuntimeDefault' | 'Unconfined';
}

/** Settings of one version; canaries inherit every setting of main they leave out. */
export interface VersionInput {
  readonly artifact?: ArtifactInput;
  readonly instanceType?: string;
  readonly scaling?: ScalingInput;
  readonly env?: readonly EnvVarInput[];
  readonly timeoutSeconds?: number;
  readonly deploymentStrategy?: 'RollingUpdate' | 'Recreate';
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly security?: SecurityInput;
  /** The ServiceAccount the pods run as (e.g. one allowed to read the model's storage). */
  readonly serviceAccountName?: string;
}

/** A canary version. */
export interface CanaryVersionInput extends VersionInput {
  /** Percent of live traffic (of copied traffic for a mirror). */
  readonly weight: number;
  readonly mirror?: boolean;
}

/** How requests are assigned to versions. */
export type RoutingInput = { readonly type: 'random' } | { readonly type: 'header'; readonly key: string } | { readonly type: 'query'; readonly key: string };

/** A duration: whole seconds, or a string such as `30s`, `5m`, `1h30m`. */
export type DurationInput = number | string;

/** Thresholds of a guardrail (the direction's pair), or a query of its own. */
export interface ThresholdsInput {
  readonly promoteBelow?: number;
  readonly rollbackAbove?: number;
  readonly promoteAbove?: number;
  readonly rollbackBelow?: number;
  readonly query?: string;
}

/** The prediction-drift guardrail: a metric, a query or a detector's URL. */
export interface DriftGuardrailInput extends ThresholdsInput {
  readonly metric?: string;
  readonly url?: string;
  readonly jsonPath?: string;
}

/** The business-metric guardrail: successes per prediction, canary against main. */
export interface BusinessGuardrailInput extends ThresholdsInput {
  readonly success?: string;
  readonly total?: string;
}

/** Guardrails by kind. */
export interface GuardrailsInput {
  readonly errorRate?: ThresholdsInput;
  readonly p99LatencyMs?: ThresholdsInput;
  readonly predictionDriftPsi?: DriftGuardrailInput;
  readonly businessMetricDelta?: BusinessGuardrailInput;
}

/** A progressive rollout: stages, pauses and the guardrails deciding promote or roll back. */
export interface RolloutInput {
  readonly stages?: readonly number[];
  readonly pause?: DurationInput | null | readonly (DurationInput | null)[];
  readonly analysis?: 'step' | 'background';
  readonly interval?: DurationInput;
  readonly scrapeInterval?: DurationInput;
  readonly count?: number;
  readonly failureLimit?: number;
  readonly consecutiveErrorLimit?: number;
  readonly minRequests?: number;
  readonly dryRun?: boolean;
  readonly prometheusAddress?: string;
  readonly guardrails?: GuardrailsInput;
}

/** How a Grafana dashboard reaches Grafana. */
export interface DashboardsInput {
  readonly delivery: 'configmap' | 'grafana-operator' | 'off';
  readonly label?: Readonly<Record<string, string>>;
  readonly folder?: string;
  readonly folderAnnotation?: string;
  readonly instanceSelector?: Readonly<Record<string, string>>;
}

/** The whole input of one canary inference service. */
export interface CanaryServiceInput {
  readonly name: string;
  readonly namespace?: string;
  readonly mainVersionName?: string;
  readonly main: VersionInput;
  readonly versions?: Readonly<Record<string, CanaryVersionInput>>;
  readonly routing?: RoutingInput;
  readonly rollout?: RolloutInput;
  readonly monitoring?: boolean;
  readonly dashboards?: DashboardsInput;
  readonly imageRepository?: string;
}
