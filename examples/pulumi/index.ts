/**
 * A Pulumi program with two canary inference services: one defined in code
 * (KServe, per-version InferenceServices behind Istio with sticky header
 * hashing), one read from a BentoCloud-style canary file (Argo Rollouts).
 *
 * In this repository, 'canary-inference/pulumi' resolves to the sources (examples/pulumi/tsconfig.json).
 */
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import { Artifact, Backend, CanaryInferenceService, InstanceType, Router, Routing } from 'canary-inference/pulumi';

// the namespace may come from another resource
const ml = new k8s.core.v1.Namespace('ml', { metadata: { name: 'ml' } });

const recommender = new CanaryInferenceService(
  'recommender',
  {
    namespace: ml.metadata.name,
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
);

const fraud = CanaryInferenceService.fromConfigFile('fraud-detector', path.join(__dirname, '../bentocloud/fraud-detector-rollout.yaml'));

export const recommenderHost = recommender.host;
export const recommenderVersions = recommender.versions;
export const fraudHost = fraud.host;
