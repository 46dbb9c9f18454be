export * from './errors';
export * from './instance-types';
export * from './model';
export * from './names';
export * from './normalize';
export type {
  ArtifactInput,
  CanaryServiceInput,
  CanaryVersionInput,
  EnvVarInput,
  RoutingInput,
  ScalingInput,
  VersionInput,
} from './schema';
export * from './choices';
