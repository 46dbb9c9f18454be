export * from './errors';
export * from './instance-types';
export * from './model';
export * from './names';
export * from './normalize';
export * from './rollout';
export { QUERY_ARGS, placeholderProblems, promqlSyntaxProblem } from './promql';
export * from './stages';
export type {
  ArtifactInput,
  CanaryServiceInput,
  CanaryVersionInput,
  EnvVarInput,
  RolloutInput,
  RoutingInput,
  ScalingInput,
  VersionInput,
} from './schema';
export * from './choices';
