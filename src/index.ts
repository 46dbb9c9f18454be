/**
 * canary-inference: one definition of a canary rollout for ML model servers,
 * rendered to KServe, Seldon Core and Argo Rollouts manifests.
 *
 * This entry is for cdk8s users and plain functions; it never loads `@pulumi/*`.
 * Every name exported here is public API (see etc/canary-inference.api.md).
 */

// cdk8s constructs
export {
  AnalysisTemplate,
  CanaryInferenceService,
  CanaryVersion,
  ObjectRole,
  WARNING_METADATA,
} from './cdk8s';
export type { AnalysisTemplateProps, CanaryInferenceServiceProps, ConfigFileOptions, FrontService } from './cdk8s';
export { ClusterCrdValidation } from './cdk8s/validation';
export type { ClusterCrdValidationProps, CrdValidationContext } from './cdk8s/validation';

// the definition: props and choices
export { AnalysisMode, Dashboards, Pause } from './props';
export type { ConfigMapDashboardOptions, GrafanaOperatorDashboardOptions } from './props';
export type { AnalysisProps, CanaryServiceOptions, CanaryVersionProps, RolloutProps, ScalingProps, SecurityProps, VersionProps } from './props';
export { Artifact, EnvValue, Guardrail, InstanceType, Routing, ScaleMetric, SeccompProfile } from './spec/choices';
export type {
  BusinessMetricOptions,
  DriftGuardrailOptions,
  ImageArtifactOptions,
  KeyRefOptions,
  LowerIsBetterOptions,
  ModelArtifactOptions,
  NamedObject,
  PlainValueOptions,
} from './spec/choices';
export { InstanceTypeCatalog } from './spec/instance-types';
export type { InstanceTypeDefinition, ResolvedInstanceType, Toleration } from './spec/instance-types';
export { Backend, KServeMode, KServeStrategy } from './backends';
export type { KServeBackendOptions } from './backends';
export type { KServeModeName, KServeStrategyName } from './backends/kserve';
export { Router } from './routers';
export type { RouterOptions } from './routers';

// problems
export { ConfigFileError, formatIssue, ValidationError } from './spec/errors';
export type { Issue, IssuePath, SourcePosition } from './spec/errors';

// rendering without a front end
export { synthesize, toYaml } from './render';
export type { Synthesized, SynthesizeOptions } from './render';
export { synthesizeConfigFile } from './config';
export type { ConfigOverrides, ConfigSynthesizeOptions } from './config';
export { validateAgainstCrds } from './crd';
export type { KubeObject, ObjectMeta, Rendered, TrafficTarget } from './backends/types';
export type {
  ArtifactSpec,
  BentoArtifact,
  CanarySpec,
  DashboardsSpec,
  EnvVar,
  GuardrailKind,
  GuardrailSpec,
  ImageArtifact,
  KeyRef,
  ModelArtifact,
  RolloutPlan,
  RoutingSpec,
  Scaling,
  ScaleMetricName,
  SecuritySpec,
  Version,
  VersionRole,
} from './spec/model';
export type {
  ArtifactInput,
  BentoArtifactInput,
  BusinessGuardrailInput,
  CanaryServiceInput,
  CanaryVersionInput,
  DashboardsInput,
  DriftGuardrailInput,
  DurationInput,
  EnvVarInput,
  GuardrailsInput,
  ImageArtifactInput,
  KeyRefInput,
  ModelArtifactInput,
  RolloutInput,
  RoutingInput,
  ScalingInput,
  SecurityInput,
  ThresholdsInput,
  VersionInput,
} from './spec/input';
