/**
 * Seldon Core v2 backend (mlops.seldon.io/v1alpha1): a Model per version, a
 * Server per server configuration and instance type (sized by the instance
 * type, so the scheduler finds room for the models on it), and an Experiment
 * that splits traffic between the versions' Models.
 */
import { allVersions, CanarySpec, deriveName, Issue, servingVersions, Version, versionPath } from '../../spec';
import { containerEnv, containerSecurityContext, objectLabels, placement, podSecurityContext, resources, scratchVolumeMounts, scratchVolumes } from '../common/pod';
import { SELDON_V2_SERVER_PROFILES, withProfile } from '../common/runtime';
import { backendsTaking } from '../router-support';
import { versionsWithWindows } from '../seldon';
import { BackendCapabilities, BackendOutput, BackendRenderer, KubeObject, RenderContext } from '../types';

/** A Seldon v2 server configuration and the model formats its servers load. */
interface ServerKind {
  /** Name of the ServerConfig (and of the server container in its pod). */
  readonly config: 'mlserver' | 'triton';
}

/** The server configuration that loads each model format; the format is the Model's requirement. */
export const SELDON_V2_FORMATS: Readonly<Record<string, ServerKind>> = {
  sklearn: { config: 'mlserver' },
  xgboost: { config: 'mlserver' },
  lightgbm: { config: 'mlserver' },
  mlflow: { config: 'mlserver' },
  huggingface: { config: 'mlserver' },
  onnx: { config: 'triton' },
  pytorch: { config: 'triton' },
  tensorflow: { config: 'triton' },
  tensorrt: { config: 'triton' },
  triton: { config: 'triton' },
};

const API_VERSION = 'mlops.seldon.io/v1alpha1';

/** What Seldon Core v2 can do (printed in the README). */
export const SELDON_V2_CAPABILITIES: BackendCapabilities = {
  canaryAutoscaling: true,
  mainWithoutStorageUri: false,
  splitsTrafficItself: true,
  scaleMetrics: [],
  routers: ['native'],
  mirror: true,
  runsStages: false,
};

/** The Seldon Core v2 renderer. */
export class SeldonV2Backend implements BackendRenderer {
  public readonly name = 'seldon-v2';
  public readonly title = 'Seldon Core v2';
  public readonly routers = SELDON_V2_CAPABILITIES.routers;
  public readonly mirrors = SELDON_V2_CAPABILITIES.mirror;
  public readonly sharedServers = true;
  public readonly monitoringNote =
    'Seldon Core v2 scrapes its own servers and Envoy (the PodMonitors of its Helm chart), with per-model labels; no PodMonitor is emitted';
  public readonly hashingHint = 'Seldon Core v2 has no key hashing; a client stays on the version it got by replaying the x-seldon-route response header';

  public check(spec: CanarySpec, context: RenderContext): Issue[] {
    const issues: Issue[] = [];
    if (context.router !== 'native') {
      issues.push({
        path: ['router'],
        message: `Seldon Core v2 splits traffic in its own Envoy (the Experiment), so it takes router "native", got "${context.router}"; remove the router${backendsTaking(context.router, 'seldon-v2') ? `, or use ${backendsTaking(context.router, 'seldon-v2')} with router "${context.router}"` : ''}`,
      });
    }
    for (const v of allVersions(spec)) {
      const path = versionPath(v);
      const a = v.artifact;
      if (a.kind !== 'model') {
        issues.push({
          path: [...path, 'artifact'],
          message: `a Seldon Core v2 Model runs inside a shared server and is loaded from a storage URI, and this version is ${a.kind === 'bento' ? `the bento ${JSON.stringify(a.tag)}` : `the image ${JSON.stringify(a.image)}`}; give it a model (storage URI and format), or use backend "seldon" (Seldon Core v1) or "kserve"`,
        });
        continue;
      }
      if (!SELDON_V2_FORMATS[a.format]) {
        issues.push({
          path: [...path, 'artifact', 'format'],
          message: `Seldon Core v2's servers (mlserver, triton) do not load format ${JSON.stringify(a.format)}; use one of ${Object.keys(SELDON_V2_FORMATS).join(', ')}`,
        });
      }
      if (a.runtime !== undefined) {
        issues.push({ path: [...path, 'artifact', 'runtime'], message: 'Seldon Core v2 places a model on a server by its format; remove runtime' });
      }
      if (v.scaling.minReplicas === 0) {
        issues.push({ path: [...path, 'scaling', 'minReplicas'], message: 'Seldon Core v2 keeps at least one replica of a loaded model, got 0; set min replicas to 1 or more' });
      }
      for (const field of ['metric', 'target'] as const) {
        if (v.scaling[field] !== undefined && (v.role === 'main' || v.explicit.has(`scaling.${field}`))) {
          issues.push({
            path: [...path, 'scaling', field],
            message: `Seldon Core v2 scales models on their inference load and takes no ${field}; remove scaling.${field}`,
          });
        }
      }
      if (v.deploymentStrategy === 'Recreate' && (v.role === 'main' || v.explicit.has('deploymentStrategy'))) {
        issues.push({ path: [...path, 'deploymentStrategy'], message: 'Seldon Core v2 loads a new model version beside the old one and has no Recreate strategy; remove it, or use "RollingUpdate"' });
      }
    }
    return issues;
  }

  public render(spec: CanarySpec, _context: RenderContext): BackendOutput {
    const versions = allVersions(spec);
    const servers = new Map<string, { config: 'mlserver' | 'triton'; versions: Version[] }>();
    for (const v of versions) {
      const config = kindOf(v).config;
      const name = serverName(spec, v, config);
      const entry = servers.get(name) ?? { config, versions: [] };
      entry.versions.push(v);
      servers.set(name, entry);
    }
    const objects: KubeObject[] = versions.map((v) => model(spec, v));
    for (const [name, entry] of [...servers.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      objects.push(server(spec, name, entry.config, entry.versions));
    }
    if (spec.canaries.length > 0 || spec.mirror) objects.push(experiment(spec));
    const warnings: string[] = [
      `Seldon Core v2: the models run on Servers sized by their instance types (${[...servers.keys()].sort().join(', ')}), not on the shared mlserver and triton Servers ` +
        '(about 1 GiB each, which a model asking for its instance type\'s memory would not fit); the Models declare no memory of their own',
    ];
    const windowed = versionsWithWindows(spec);
    if (windowed.length > 0) {
      warnings.push(`Seldon Core v2 scales models on their inference load and has no stabilization windows; the windows of ${windowed.map((v) => v.name).join(', ')} are not applied`);
    }
    const timed = versions.filter((v) => v.timeoutSeconds !== undefined);
    if (timed.length > 0) {
      warnings.push(`Seldon Core v2 has no per-model request timeout; the timeout of ${timed.map((v) => v.name).join(', ')} is not applied`);
    }
    const withAccount = versions.filter((v) => v.serviceAccountName !== undefined);
    if (withAccount.length > 0) {
      warnings.push(
        `Seldon Core v2 loads models into shared servers, whose pods run as the server's ServiceAccount; the service account of ${withAccount.map((v) => v.name).join(', ')} is not applied (give the storage credentials to the server, or use a secret in the model's storage URI configuration)`,
      );
    }
    const withEnv = versions.filter((v) => v.env.length > 0);
    if (withEnv.length > 0) {
      warnings.push(
        `Seldon Core v2 loads models into shared servers, which take no per-model environment; the env of ${withEnv.map((v) => v.name).join(', ')} is not applied (set it on the server's ServerConfig)`,
      );
    }
    return { objects, warnings };
  }
}

/** The Model name of a version. */
export function modelName(spec: CanarySpec, v: Version): string {
  return deriveName(spec.name, v.name);
}

function kindOf(v: Version): ServerKind {
  return SELDON_V2_FORMATS[(v.artifact as { format: string }).format];
}

function serverName(spec: CanarySpec, v: Version, config: string): string {
  const type = v.instanceType.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return deriveName(spec.name, config, type);
}

function model(spec: CanarySpec, v: Version): KubeObject {
  const a = v.artifact as { storageUri: string; format: string };
  const s = v.scaling;
  const config = kindOf(v).config;
  return {
    apiVersion: API_VERSION,
    kind: 'Model',
    metadata: {
      name: modelName(spec, v),
      ...(spec.namespace ? { namespace: spec.namespace } : {}),
      labels: { ...v.labels, ...objectLabels(spec), version: v.name },
      ...(Object.keys(v.annotations).length > 0 ? { annotations: { ...v.annotations } } : {}),
    },
    spec: {
      storageUri: a.storageUri,
      requirements: [a.format],
      replicas: s.minReplicas,
      ...(s.maxReplicas > s.minReplicas ? { minReplicas: s.minReplicas, maxReplicas: s.maxReplicas } : {}),
      // the instance type sizes the Server; the model's own footprint is unknown, so no memory request that
      // the scheduler would weigh against the server's (a model asking for the whole pod would not fit beside another)
      server: serverName(spec, v, config),
    },
  };
}

/**
 * Seldon's own containers in every server pod. Seldon merges `podSpec` into the
 * ServerConfig's containers by name (lists appended), and its stock
 * ServerConfigs give these no security context: ours hold them to the same
 * profile, with scratch space for what they write (rclone its configuration
 * file /rclone/rclone.conf and its cache; the agent its models on its own volume).
 * @see seldon-core (v2) operator/controllers/reconcilers/common/patch_utils.go, scheduler/Dockerfile.rclone
 */
const RCLONE_CONFIG = { name: 'rclone-config', mountPath: '/rclone' };

function server(spec: CanarySpec, name: string, config: 'mlserver' | 'triton', versions: readonly Version[]): KubeObject {
  const profile = SELDON_V2_SERVER_PROFILES[config];
  const first = withProfile({ ...versions[0], env: [] }, profile);
  const replicas = Math.max(...versions.map((v) => v.scaling.minReplicas));
  const max = Math.max(...versions.map((v) => v.scaling.maxReplicas));
  const env = containerEnv(first.env);
  // Seldon's own containers write to /tmp at most (the server's shared memory is the server's)
  const scratch = scratchVolumeMounts(first).filter((m) => m.mountPath === '/tmp');
  const sidecars = [
    { name: 'agent', securityContext: containerSecurityContext(first), volumeMounts: scratch },
    {
      name: 'rclone',
      env: [{ name: 'XDG_CACHE_HOME', value: '/tmp/cache' }],
      securityContext: containerSecurityContext(first),
      volumeMounts: [...scratch, { name: RCLONE_CONFIG.name, mountPath: RCLONE_CONFIG.mountPath }],
    },
  ];
  return {
    apiVersion: API_VERSION,
    kind: 'Server',
    metadata: { name, ...(spec.namespace ? { namespace: spec.namespace } : {}), labels: objectLabels(spec) },
    spec: {
      serverConfig: config,
      replicas,
      ...(max > replicas ? { minReplicas: replicas, maxReplicas: max } : {}),
      podSpec: {
        containers: [
          {
            name: config,
            ...(env.length > 0 ? { env } : {}),
            resources: resources(first),
            securityContext: containerSecurityContext(first),
            volumeMounts: scratchVolumeMounts(first),
          },
          ...sidecars,
        ],
        securityContext: podSecurityContext(first),
        ...placement(first),
        volumes: [...scratchVolumes(first), { name: RCLONE_CONFIG.name, emptyDir: {} }],
      },
    },
  };
}

function experiment(spec: CanarySpec): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Experiment',
    metadata: { name: spec.name, ...(spec.namespace ? { namespace: spec.namespace } : {}), labels: objectLabels(spec) },
    spec: {
      default: modelName(spec, spec.main),
      // weights are relative; the spec's percents sum to 100, so each share is its percent
      candidates: servingVersions(spec).map((v) => ({ name: modelName(spec, v), weight: v.weight })),
      ...(spec.mirror ? { mirror: { name: modelName(spec, spec.mirror), percent: spec.mirror.weight } } : {}),
    },
  };
}
