/**
 * The definition's public names, shared by both entries (the main one and `canary-inference/pulumi`): props and
 * choices, the instance-type catalog, backends and routers, and the problem type. The Pulumi entry shadows
 * `Artifact` and `EnvValue` with its own, which take `pulumi.Input`s.
 */
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
export { validateAgainstCrds } from './crd';
