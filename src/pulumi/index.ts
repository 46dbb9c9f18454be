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

// the definition's props and choices, as in the main entry (Artifact and EnvValue: this entry's own, above)
export * from '../definition';
export type { RoutingInput } from '../spec/input';
