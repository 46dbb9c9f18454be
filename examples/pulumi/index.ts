/**
 * A Pulumi program with two canary inference services: one defined in code
 * (KServe, per-version InferenceServices behind Istio with sticky header
 * hashing), one read from a BentoCloud-style canary file (Argo Rollouts).
 *
 * In your own project, import from 'canary-inference/pulumi' instead of '../../src/pulumi'.
 */
import * as path from 'path';
import { Artifact, Backend, CanaryInferenceService, InstanceType, Router, Routing } from '../../src/pulumi';

const recommender = new CanaryInferenceService(
  'recommender',
  {
    backend: Backend.kserve(),
    router: Router.istio(),
    routing: Routing.header('x-user-id'),
    main: {
      artifact: Artifact.model({ storageUri: 's3://models/recommender/v1', format: 'sklearn' }),
      instanceType: InstanceType.of('cpu.1'),
      scaling: { minReplicas: 1, maxReplicas: 3 },
    },
    versions: {
      v2: { weight: 20, artifact: Artifact.model({ storageUri: 's3://models/recommender/v2', format: 'sklearn' }) },
    },
  },
  { namespace: 'ml' },
);

const fraud = CanaryInferenceService.fromConfigFile('fraud-detector', path.join(__dirname, '../bentocloud/fraud-detector-rollout.yaml'));

export const recommenderHost = recommender.host;
export const recommenderVersions = recommender.versions;
export const fraudHost = fraud.host;
