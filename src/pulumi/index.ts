/**
 * The Pulumi front end (`canary-inference/pulumi`): a ComponentResource that
 * creates one Pulumi resource per rendered object, and everything a program
 * needs to define one. `Artifact` and `EnvValue` are this entry's own: they
 * take `pulumi.Input`s where a value may come from another resource.
 * Every name exported here is public API (see etc/canary-inference-pulumi.api.md).
 */
export { Duration } from 'cdk8s';
export { CanaryInferenceService, COMPONENT_TYPE } from './component';
export type { CanaryInferenceServiceArgs, CanaryInferenceServiceFileOptions, CanaryInferenceServiceOptions, VersionOutput } from './component';
export { Artifact, EnvValue } from './inputs';
export type { CanaryServiceArgs, CanaryVersionArgs, ImageArtifactArgs, ModelArtifactArgs, VersionArgs } from './inputs';

// the definition's other choices and props, as in the main entry
export { AnalysisMode, Dashboards, Pause } from '../props';
export type { ConfigMapDashboardOptions, GrafanaOperatorDashboardOptions } from '../props';
export type { AnalysisProps, CanaryServiceOptions, CanaryVersionProps, RolloutProps, ScalingProps, SecurityProps, VersionProps } from '../props';
export type { RoutingInput } from '../spec/input';
export { Guardrail, InstanceType, Routing, ScaleMetric, SeccompProfile } from '../spec/choices';
export type {
  BusinessMetricOptions,
  DriftGuardrailOptions,
  ImageArtifactOptions,
  KeyRefOptions,
  LowerIsBetterOptions,
  ModelArtifactOptions,
  NamedObject,
  PlainValueOptions,
} from '../spec/choices';
export { InstanceTypeCatalog } from '../spec/instance-types';
export type { InstanceTypeDefinition, ResolvedInstanceType, Toleration } from '../spec/instance-types';
export { Backend, KServeMode, KServeStrategy } from '../backends';
export type { KServeBackendOptions } from '../backends';
export type { KServeModeName, KServeStrategyName } from '../backends/kserve';
export { Router } from '../routers';
export type { RouterOptions } from '../routers';
export { ConfigFileError, formatIssue, ValidationError } from '../spec/errors';
export type { Issue, IssuePath, SourcePosition } from '../spec/errors';
export { validateAgainstCrds } from '../crd';
