/** Pieces every router emits the same way. */
import { objectLabels } from '../backends/common/pod';
import { KubeObject, TrafficTarget } from '../backends/types';
import { CanarySpec } from '../spec';

/** Port of the stable Service clients call. */
export const STABLE_PORT = 80;

/**
 * The one stable host clients call, whatever the versions: a Service named
 * after the service, with no selector. The mesh (Istio sidecars, a GAMMA
 * implementation) routes its traffic to the versions' Services.
 */
export function stableService(spec: CanarySpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: spec.name,
      ...(spec.namespace ? { namespace: spec.namespace } : {}),
      labels: objectLabels(spec),
    },
    spec: {
      ports: [{ name: 'http', port: STABLE_PORT, protocol: 'TCP', targetPort: STABLE_PORT }],
    },
  };
}

/** Targets with a weight above 0, each with its weight; a single one carries 100. */
export function weightedTargets(spec: CanarySpec, targets: readonly TrafficTarget[]): { target: TrafficTarget; weight: number }[] {
  const weights = new Map([spec.main, ...spec.canaries].map((v) => [v.name, v.weight]));
  return targets.filter((t) => (weights.get(t.version) ?? 0) > 0).map((t) => ({ target: t, weight: weights.get(t.version)! }));
}

/** Object metadata for a router object. */
export function routerMetadata(spec: CanarySpec, name: string, namespace = spec.namespace) {
  return { name, ...(namespace ? { namespace } : {}), labels: objectLabels(spec) };
}

/** Splits `namespace/name` (or `name`). */
export function splitRef(ref: string): { namespace?: string; name: string } {
  const slash = ref.indexOf('/');
  return slash < 0 ? { name: ref } : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}
