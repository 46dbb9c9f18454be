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

// the definition: props and choices, catalog, backends, routers, problems
export * from './definition';

// rendering without a front end
export { synthesize, toYaml } from './render';
export type { Synthesized, SynthesizeOptions } from './render';
export { synthesizeConfigFile } from './config';
export type { ConfigOverrides, ConfigSynthesizeOptions } from './config';
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
