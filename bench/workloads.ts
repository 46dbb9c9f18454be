/**
 * Service i of a workload as cdk8s props (the construct's props and the
 * canaries given to `addVersion`), and as the input `synthesize` takes. The
 * same service as bench/shapes.ts `fileText` (bench/case.ts `verify` checks
 * that every path renders the same objects).
 */
import { Duration } from 'cdk8s';
import {
  Artifact,
  Backend,
  CanaryInferenceServiceProps,
  CanaryVersionProps,
  EnvValue,
  InstanceType,
  KServeMode,
  KServeStrategy,
  Pause,
  Router,
  Routing,
  SynthesizeOptions,
  VersionProps,
} from '../src';
import { WorkloadName } from './meta';
import { bentoTag, MAIN_INSTANCE_TYPE, MAIN_REPLICAS, modelUri, NAMESPACE, ROLLOUT_STAGES, serviceName, Shape, SHAPES } from './shapes';
import { serviceInput } from '../src/props';

/** One service as cdk8s props: the construct's props and the canaries added with `addVersion`. */
export interface ServiceProps {
  readonly props: CanaryInferenceServiceProps & { readonly name: string };
  readonly canaries: ReadonlyArray<readonly [string, CanaryVersionProps]>;
}

/** The backend and router of each workload, as a cdk8s user writes them. */
const TARGETS: Readonly<Record<WorkloadName, () => { backend: Backend; router?: Router }>> = {
  'kserve': () => ({ backend: Backend.kserve({ mode: KServeMode.STANDARD, strategy: KServeStrategy.CANARY }) }),
  'kserve-istio': () => ({ backend: Backend.kserve({ mode: KServeMode.STANDARD, strategy: KServeStrategy.PER_VERSION }), router: Router.istio() }),
  'seldon': () => ({ backend: Backend.seldon() }),
  'seldon-v2': () => ({ backend: Backend.seldonV2() }),
  'argo-rollouts': () => ({ backend: Backend.argoRollouts(), router: Router.istio() }),
};

function artifact(shape: Shape, i: number, version: number): Artifact {
  return shape.artifact === 'model'
    ? Artifact.model({ storageUri: modelUri(i, version), format: 'huggingface' })
    : Artifact.bento(bentoTag(i, version));
}

/** Service i of a workload as cdk8s props. */
export function serviceProps(workload: WorkloadName, i: number): ServiceProps {
  const shape = SHAPES[workload];
  const main: VersionProps = {
    artifact: artifact(shape, i, 0),
    instanceType: InstanceType.of(MAIN_INSTANCE_TYPE),
    scaling: shape.windows
      ? {
        minReplicas: MAIN_REPLICAS.min,
        maxReplicas: MAIN_REPLICAS.max,
        scaleUpStabilizationWindow: Duration.seconds(0),
        scaleDownStabilizationWindow: Duration.minutes(10),
      }
      : { minReplicas: MAIN_REPLICAS.min, maxReplicas: MAIN_REPLICAS.max },
    ...(shape.envAndTimeout ? { timeout: Duration.seconds(30), env: { LOG_LEVEL: EnvValue.fromValue('info') } } : {}),
  };
  return {
    props: {
      name: serviceName(i),
      namespace: NAMESPACE,
      ...TARGETS[workload](),
      routing: Routing.random(),
      main,
      ...(shape.rollout ? { rollout: { stages: ROLLOUT_STAGES, pause: Pause.of(Duration.minutes(5)) } } : {}),
    },
    canaries: shape.canaries.map((c, k) => [
      c.name,
      {
        weight: c.weight,
        artifact: artifact(shape, i, k + 1),
        instanceType: InstanceType.of(c.instanceType),
        scaling: { minReplicas: c.minReplicas, maxReplicas: c.maxReplicas },
      },
    ] as const),
  };
}

/** Service i of a workload as the input and options of `synthesize` (what the construct passes it). */
export function synthesizeArgs(workload: WorkloadName, i: number): { input: Record<string, unknown>; options: SynthesizeOptions } {
  const { props, canaries } = serviceProps(workload, i);
  return { input: serviceInput(props.name, props, canaries), options: { backend: props.backend, router: props.router } };
}
