/** HorizontalPodAutoscaler pieces shared by the backends that emit or pass them. */
import { Version } from '../../spec';

/** Default target utilization (percent) of CPU or memory. */
export const DEFAULT_UTILIZATION_TARGET = 80;

/** autoscaling/v2 metrics: CPU (default) or memory utilization. */
export function hpaMetrics(version: Version): Record<string, unknown>[] {
  const s = version.scaling;
  return [
    {
      type: 'Resource',
      resource: {
        name: s.metric === 'memory' ? 'memory' : 'cpu',
        target: { type: 'Utilization', averageUtilization: s.target ?? DEFAULT_UTILIZATION_TARGET },
      },
    },
  ];
}

/** autoscaling/v2 behavior from the stabilization windows, or undefined when none is set. */
export function hpaBehavior(version: Version): Record<string, unknown> | undefined {
  const s = version.scaling;
  const up = s.scaleUpStabilizationWindowSeconds;
  const down = s.scaleDownStabilizationWindowSeconds;
  const behavior = {
    ...(up !== undefined ? { scaleUp: { stabilizationWindowSeconds: up } } : {}),
    ...(down !== undefined ? { scaleDown: { stabilizationWindowSeconds: down } } : {}),
  };
  return Object.keys(behavior).length > 0 ? behavior : undefined;
}
