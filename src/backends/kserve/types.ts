/**
 * The subset of KServe's InferenceService (serving.kserve.io/v1beta1) this
 * backend writes, described in our own words.
 */
import { ObjectMeta } from '../types';

/** A container in our output (a subset of core/v1 Container). */
export interface ContainerFields {
  readonly name?: string;
  readonly image?: string;
  readonly ports?: readonly { containerPort: number; protocol: 'TCP' }[];
  readonly env?: readonly Record<string, unknown>[];
  readonly resources: { requests: Record<string, string>; limits: Record<string, string> };
  readonly securityContext: Record<string, unknown>;
  readonly volumeMounts: readonly Record<string, unknown>[];
  readonly readinessProbe?: Record<string, unknown>;
  readonly livenessProbe?: Record<string, unknown>;
}

/** `predictor.model`: a model served by a ServingRuntime picked by format. */
export interface ModelSpec extends ContainerFields {
  readonly modelFormat: { name: string; version?: string };
  readonly runtime?: string;
  readonly protocolVersion?: 'v1' | 'v2';
  readonly storageUri: string;
}

/** HPA behavior, as KServe passes it to the HorizontalPodAutoscaler. */
export interface ScalingBehavior {
  readonly scaleUp?: { stabilizationWindowSeconds: number };
  readonly scaleDown?: { stabilizationWindowSeconds: number };
}

/** `predictor.autoScaling`. */
export interface AutoScalingSpec {
  readonly metrics: readonly {
    type: 'Resource';
    resource: { name: 'cpu' | 'memory'; target: { type: 'Utilization'; averageUtilization: number } };
  }[];
  readonly behavior?: ScalingBehavior;
}

/** A predictor: pod fields, replica bounds, and exactly one implementation (`model` or `containers`). */
export interface PredictorSpec {
  readonly name?: string;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly scaleMetric?: 'concurrency' | 'rps';
  readonly scaleTarget?: number;
  readonly autoScaling?: AutoScalingSpec;
  readonly canaryTrafficPercent?: number;
  readonly timeout?: number;
  /** The ServiceAccount of the predictor's pods. */
  readonly serviceAccountName?: string;
  readonly deploymentStrategy?: { type: 'RollingUpdate' | 'Recreate' };
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: readonly Record<string, unknown>[];
  readonly securityContext?: Record<string, unknown>;
  readonly volumes: readonly Record<string, unknown>[];
  readonly model?: ModelSpec;
  readonly containers?: readonly ContainerFields[];
}

/** `spec.canary[]` (KServe ≥ 0.20, Standard mode). */
export interface CanaryEntry {
  readonly trafficPercent: number;
  readonly predictor: PredictorSpec;
}

export type InferenceService = {
  readonly apiVersion: 'serving.kserve.io/v1beta1';
  readonly kind: 'InferenceService';
  readonly metadata: ObjectMeta;
  readonly spec: { predictor: PredictorSpec; canary?: readonly CanaryEntry[] };
};

/** Annotation selecting KServe's deployment mode. */
export const DEPLOYMENT_MODE_ANNOTATION = 'serving.kserve.io/deploymentMode';
/** Annotation selecting KServe's autoscaler in Standard mode. */
export const AUTOSCALER_CLASS_ANNOTATION = 'serving.kserve.io/autoscalerClass';
/** Knative annotation: how long to wait before scaling down. */
export const KNATIVE_SCALE_DOWN_DELAY_ANNOTATION = 'autoscaling.knative.dev/scale-down-delay';
/** Knative annotation choosing the autoscaler class. */
export const KNATIVE_CLASS_ANNOTATION = 'autoscaling.knative.dev/class';
/** Knative's HPA autoscaler class (needed for cpu/memory metrics). */
export const KNATIVE_HPA_CLASS = 'hpa.autoscaling.knative.dev';

/** Name of the container KServe treats as the custom predictor. */
export const KSERVE_CONTAINER = 'kserve-container';

/** Storage URI prefixes KServe's storage initializer accepts. */
export const KSERVE_STORAGE_PREFIXES = [
  'gs://',
  's3://',
  'pvc://',
  'file://',
  'https://',
  'http://',
  'hdfs://',
  'webhdfs://',
  'oci://',
  'oci+native://',
  'oci+fetch://',
  'hf://',
] as const;
