/**
 * Apply order between the objects of one service: what a controller must find
 * in the cluster before it reconciles an object that references it. Front ends
 * that create objects one by one (Pulumi) make each wait for these.
 */
import { KubeObject } from './types';

/** For each kind, the kinds of the same service it waits for. */
export const APPLY_AFTER: Readonly<Record<string, readonly string[]>> = {
  // Argo Rollouts checks the Services, routing objects and analysis templates a Rollout names
  Rollout: ['Service', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'VirtualService', 'DestinationRule', 'Ingress', 'HTTPRoute'],
  // an HPA scales a workload that exists
  HorizontalPodAutoscaler: ['Rollout'],
  // Seldon Core v2 schedules Models onto Servers, and an Experiment splits between Models
  Model: ['Server'],
  Experiment: ['Model'],
};

/** The objects among `objects` that `obj` waits for, in their order. */
export function dependenciesOf(obj: KubeObject, objects: readonly KubeObject[]): KubeObject[] {
  const kinds = APPLY_AFTER[obj.kind] ?? [];
  return objects.filter((o) => o !== obj && kinds.includes(o.kind));
}
