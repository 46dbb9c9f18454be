/**
 * The services of each workload as plain data, and service i as a canary
 * file's text (BentoCloud format + `kubernetes:` block). No import of the
 * library: the CLI path's child process loads only what the CLI loads.
 */
import { WorkloadName } from './meta';

/** A canary version of every service of a workload. */
export interface CanaryShape {
  readonly name: string;
  readonly weight: number;
  readonly instanceType: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** What every service of a workload looks like. */
export interface Shape {
  /** The file's `kubernetes:` block, after the namespace (the backend, its options, the router). */
  readonly kubernetes: Readonly<Record<string, string>>;
  /** Model artifacts (storage URI + format; all but Argo Rollouts) or bentos. */
  readonly artifact: 'model' | 'bento';
  readonly canaries: readonly CanaryShape[];
  /** Main's env and request timeout (Seldon v2 applies neither, and would warn). */
  readonly envAndTimeout: boolean;
  /** Main's HPA stabilization windows (the Seldon backends apply none, and would warn). */
  readonly windows: boolean;
  /** A progressive rollout: stages 5, 10, 25, 50, 100, 5 minutes apart, the default guardrails (Argo Rollouts). */
  readonly rollout: boolean;
}

export const NAMESPACE = 'ml';
export const MAIN_INSTANCE_TYPE = 'cpu.2';
export const MAIN_REPLICAS = { min: 2, max: 6 };
export const ROLLOUT_STAGES = [5, 10, 25, 50, 100];
const VERSION_TAGS = ['v1', 'v2', 'v3'];

export const SHAPES: Readonly<Record<WorkloadName, Shape>> = {
  'kserve': {
    kubernetes: { backend: 'kserve', kserve_mode: 'standard', kserve_strategy: 'canary' },
    artifact: 'model',
    // KServe's spec.canary[] takes fixed replicas: min = max
    canaries: [
      { name: 'a', weight: 20, instanceType: 'cpu.1', minReplicas: 1, maxReplicas: 1 },
      { name: 'b', weight: 30, instanceType: 'cpu.4', minReplicas: 2, maxReplicas: 2 },
    ],
    envAndTimeout: true,
    windows: true,
    rollout: false,
  },
  'kserve-istio': {
    kubernetes: { backend: 'kserve', kserve_mode: 'standard', kserve_strategy: 'per-version', router: 'istio' },
    artifact: 'model',
    canaries: [
      { name: 'a', weight: 20, instanceType: 'cpu.1', minReplicas: 1, maxReplicas: 3 },
      { name: 'b', weight: 30, instanceType: 'cpu.4', minReplicas: 1, maxReplicas: 3 },
    ],
    envAndTimeout: true,
    windows: true,
    rollout: false,
  },
  'seldon': {
    kubernetes: { backend: 'seldon' },
    artifact: 'model',
    canaries: [
      { name: 'a', weight: 20, instanceType: 'cpu.1', minReplicas: 1, maxReplicas: 1 },
      { name: 'b', weight: 30, instanceType: 'cpu.4', minReplicas: 1, maxReplicas: 3 },
    ],
    envAndTimeout: true,
    windows: false,
    rollout: false,
  },
  'seldon-v2': {
    kubernetes: { backend: 'seldon-v2' },
    artifact: 'model',
    canaries: [
      { name: 'a', weight: 20, instanceType: 'cpu.1', minReplicas: 1, maxReplicas: 1 },
      { name: 'b', weight: 30, instanceType: 'cpu.4', minReplicas: 1, maxReplicas: 3 },
    ],
    envAndTimeout: false,
    windows: false,
    rollout: false,
  },
  'argo-rollouts': {
    kubernetes: { backend: 'argo-rollouts', router: 'istio' },
    artifact: 'bento',
    // one canary: Argo Rollouts runs one pod template
    canaries: [{ name: 'v2', weight: 5, instanceType: 'cpu.2', minReplicas: 2, maxReplicas: 6 }],
    envAndTimeout: true,
    windows: true,
    rollout: true,
  },
};

/** Name of service i (1-based), unique in the workload. */
export const serviceName = (i: number): string => `model-${String(i).padStart(4, '0')}`;

/** Storage URI of version `version` (0 = main) of service i. */
export const modelUri = (i: number, version: number): string => `s3://models/${serviceName(i)}/${VERSION_TAGS[version]}`;

/** Bento tag of version `version` (0 = main) of service i. */
export const bentoTag = (i: number, version: number): string => `${serviceName(i)}:${VERSION_TAGS[version]}`;

function artifactYaml(shape: Shape, i: number, version: number, indent: string): string {
  return shape.artifact === 'model'
    ? `${indent}model:\n${indent}  storage_uri: ${modelUri(i, version)}\n${indent}  format: huggingface\n`
    : `${indent}bento: ${bentoTag(i, version)}\n`;
}

/** Service i of a workload as a canary file. */
export function fileText(workload: WorkloadName, i: number): string {
  const shape = SHAPES[workload];
  const lines: string[] = [`name: ${serviceName(i)}`, artifactYaml(shape, i, 0, '').trimEnd()];
  lines.push('services:', '  Model:', `    instance_type: ${MAIN_INSTANCE_TYPE}`);
  lines.push('    scaling:', `      min_replicas: ${MAIN_REPLICAS.min}`, `      max_replicas: ${MAIN_REPLICAS.max}`);
  if (shape.windows) lines.push('      policy:', '        scale_up_stabilization_window: 0', '        scale_down_stabilization_window: 600');
  if (shape.envAndTimeout) {
    lines.push('    config_overrides:', '      traffic:', '        timeout: 30');
    lines.push('    envs:', '      - name: LOG_LEVEL', '        value: info');
  }
  lines.push('canary:', '  route_type: random', '  versions:');
  shape.canaries.forEach((c, k) => {
    lines.push(`    ${c.name}:`, artifactYaml(shape, i, k + 1, '      ').trimEnd(), `      weight: ${c.weight}`);
    lines.push('      services:', '        Model:', `          instance_type: ${c.instanceType}`);
    lines.push('          scaling:', `            min_replicas: ${c.minReplicas}`, `            max_replicas: ${c.maxReplicas}`);
  });
  if (shape.rollout) lines.push('rollout:', `  stages: [${ROLLOUT_STAGES.join(', ')}]`, '  pause: 5m');
  lines.push('kubernetes:', `  namespace: ${NAMESPACE}`, ...Object.entries(shape.kubernetes).map(([k, v]) => `  ${k}: ${v}`));
  return `${lines.join('\n')}\n`;
}
