/**
 * Seldon Core v1 backend: one SeldonDeployment (machinelearning.seldon.io/v1),
 * one predictor per version, `traffic` = the weights, a mirror as the shadow predictor.
 */
import { allVersions, CanarySpec, deriveName, Issue, MAX_LABEL_LENGTH, servingVersions, Version, versionPath } from '../../spec';
import { MetricsEndpoint, versionEndpoints } from '../common/monitoring';
import {
  containerEnv,
  containerSecurityContext,
  objectLabels,
  placement,
  podLabels,
  podSecurityContext,
  resources,
  scratchVolumeMounts,
  scratchVolumes,
} from '../common/pod';
import { artifactProfile, probes, RuntimeProfile, seldonServerProfile, withProfiles } from '../common/runtime';
import { backendsTaking } from '../router-support';
import { BackendCapabilities, BackendOutput, BackendRenderer, KubeObject, RenderContext } from '../types';

/** Seldon's prepackaged server for each model format. */
export const SELDON_SERVERS: Readonly<Record<string, string>> = {
  sklearn: 'SKLEARN_SERVER',
  xgboost: 'XGBOOST_SERVER',
  tensorflow: 'TENSORFLOW_SERVER',
  mlflow: 'MLFLOW_SERVER',
  triton: 'TRITON_SERVER',
  huggingface: 'HUGGINGFACE_SERVER',
};

/** Formats whose servers speak the Open Inference (v2) protocol only. */
const V2_FORMATS = new Set(['triton', 'huggingface']);

/** Name of the graph node and of its container in every predictor. */
export const SELDON_NODE = 'model';
/** Port name and path of the metrics of Seldon's executor and model wrappers. */
export const SELDON_METRICS_PORT = 'metrics';
export const SELDON_METRICS_PATH = '/prometheus';
/** Port of the Service Seldon creates per predictor (HTTP). */
export const SELDON_PREDICTOR_PORT = 8000;
/** Default HPA target utilization (percent). */
const DEFAULT_UTILIZATION_TARGET = 80;
/** Annotation: the request timeout (milliseconds) of Seldon's service orchestrator. */
export const REST_TIMEOUT_ANNOTATION = 'seldon.io/rest-timeout';
/** Annotation: serve a single-node graph without the service orchestrator. */
export const NO_ENGINE_ANNOTATION = 'seldon.io/no-engine';

/** What Seldon Core v1 can do (printed in the README). */
export const SELDON_CAPABILITIES: BackendCapabilities = {
  canaryAutoscaling: true,
  mainWithoutStorageUri: true,
  splitsTrafficItself: true,
  scaleMetrics: ['cpu', 'memory'],
  routers: ['native', 'istio', 'gateway-api'],
  mirror: true,
  runsStages: false,
};

/** The Seldon Core v1 renderer. */
export class SeldonBackend implements BackendRenderer {
  public readonly name = 'seldon';
  public readonly title = 'Seldon Core v1';
  public readonly routers = SELDON_CAPABILITIES.routers;
  public readonly mirrors = SELDON_CAPABILITIES.mirror;

  /** Seldon's executor and model wrappers (port `metrics`, path /prometheus), and a bento's or image's own server. */
  public metricsEndpoints(spec: CanarySpec): MetricsEndpoint[] {
    return [{ port: SELDON_METRICS_PORT, path: SELDON_METRICS_PATH }, ...versionEndpoints(spec)];
  }

  public check(spec: CanarySpec, context: RenderContext): Issue[] {
    const issues: Issue[] = [];
    if (!this.routers.includes(context.router)) {
      issues.push({
        path: ['router'],
        message: `Seldon Core v1 takes router ${this.routers.map((r) => `"${r}"`).join(', ')} (to the Services Seldon creates per predictor), got "${context.router}"; use one of those` +
          `${backendsTaking(context.router, 'seldon') ? `, or ${backendsTaking(context.router, 'seldon')} with router "${context.router}"` : ''}`,
      });
    }
    const versions = allVersions(spec);
    const formats = new Set<string>();
    for (const v of versions) {
      const path = versionPath(v);
      const a = v.artifact;
      if (a.kind === 'model') {
        formats.add(a.format);
        if (!SELDON_SERVERS[a.format]) {
          issues.push({
            path: [...path, 'artifact', 'format'],
            message: `Seldon Core v1 has no prepackaged server for format ${JSON.stringify(a.format)}; use one of ${Object.keys(SELDON_SERVERS).join(', ')}, or serve it from a container image`,
          });
        }
        if (a.runtime !== undefined) {
          issues.push({ path: [...path, 'artifact', 'runtime'], message: 'Seldon Core v1 picks the server from the format; remove runtime, or use a container image' });
        }
      }
      if (v.scaling.minReplicas === 0) {
        issues.push({ path: [...path, 'scaling', 'minReplicas'], message: 'Seldon Core v1 cannot scale to zero (HPA), got 0; set min replicas to 1 or more' });
      }
      if (v.scaling.metric === 'concurrency' || v.scaling.metric === 'rps') {
        issues.push({
          path: [...path, 'scaling', 'metric'],
          message: `Seldon Core v1 autoscales with an HPA on "cpu" or "memory", got ${JSON.stringify(v.scaling.metric)}; use metric "cpu" or "memory"`,
        });
      }
      if (v.scaling.target !== undefined && v.scaling.target > 100) {
        issues.push({ path: [...path, 'scaling', 'target'], message: `a ${v.scaling.metric ?? 'cpu'} utilization target is a percent from 1 to 100, got ${v.scaling.target}; lower the target` });
      }
      if (v.deploymentStrategy === 'Recreate') {
        issues.push({ path: [...path, 'deploymentStrategy'], message: 'Seldon Core v1 rolls out predictors itself and has no Recreate strategy; remove it' });
      }
      if (v.timeoutSeconds !== spec.main.timeoutSeconds) {
        issues.push({
          path: [...path, 'timeoutSeconds'],
          message: `Seldon Core v1 applies one request timeout per SeldonDeployment (${REST_TIMEOUT_ANNOTATION}), and main has ${String(spec.main.timeoutSeconds ?? 'none')} while this version has ${String(v.timeoutSeconds ?? 'none')}; give every version the same timeout`,
        });
      }
    }
    if (formats.has('tensorflow') && [...formats].some((f) => V2_FORMATS.has(f))) {
      issues.push({
        path: ['versions'],
        message: `Seldon Core v1 runs one protocol per SeldonDeployment: format "tensorflow" uses the tensorflow protocol and ${[...formats].filter((f) => V2_FORMATS.has(f)).join(', ')} the v2 protocol; serve them from separate services`,
      });
    }
    if (context.router !== 'native') {
      for (const v of versions) {
        const service = deriveName(spec.name, v.name);
        if (service.length > MAX_LABEL_LENGTH) {
          issues.push({
            path: versionPath(v),
            message: `Seldon names the predictor's Service "${service}" (${service.length} characters) and hashes names over ${MAX_LABEL_LENGTH}, which the router could not address; shorten the service or version name`,
          });
        }
      }
    }
    return issues;
  }

  public render(input: CanarySpec, context: RenderContext): BackendOutput {
    const needsV2 = allVersions(input).some((v) => v.artifact.kind === 'model' && V2_FORMATS.has(v.artifact.format));
    const profileOf = (v: Version) => serverProfile(v, needsV2);
    const spec = withProfiles(input, profileOf);
    const versions = allVersions(spec);
    const single = servingVersions(spec).length === 1;
    const sdep: KubeObject = {
      apiVersion: 'machinelearning.seldon.io/v1',
      kind: 'SeldonDeployment',
      metadata: { name: spec.name, ...(spec.namespace ? { namespace: spec.namespace } : {}), labels: objectLabels(spec) },
      spec: {
        ...(spec.main.timeoutSeconds !== undefined ? { annotations: { [REST_TIMEOUT_ANNOTATION]: String(spec.main.timeoutSeconds * 1000) } } : {}),
        ...(needsV2 ? { protocol: 'v2' } : {}),
        predictors: versions.map((v) => predictor(spec, v, single, profileOf(v))),
      },
    };
    // a bento or image runs without Seldon's engine: its predictor Service serves the server's own port
    const targets =
      context.router === 'native'
        ? undefined
        : versions.map((v) => ({ version: v.name, service: deriveName(spec.name, v.name), port: artifactProfile(v)?.port ?? SELDON_PREDICTOR_PORT }));
    const windowed = versionsWithWindows(spec);
    const warnings = windowed.length === 0 ? [] : [
      `Seldon Core v1's hpaSpec has no scaling behavior, so stabilization windows cannot be set; ${windowed.map((v) => v.name).join(', ')} autoscale with the HPA defaults (scale-up 0 s, scale-down 300 s)`,
    ];
    // Seldon's own Istio integration writes a VirtualService named after the SeldonDeployment
    return { objects: [sdep], warnings, ...(targets ? { targets, routeName: deriveName(spec.name, 'split') } : {}) };
  }
}

/** Resources of Seldon's TensorFlow Serving proxy (the size Seldon gives its own engine container). */
const TF_PROXY_RESOURCES = { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
/** REST port of the TensorFlow Serving container Seldon runs beside its proxy. */
const TF_SERVING_REST_PORT = 2001;

/**
 * The TensorFlow Serving container Seldon adds beside its proxy for format tensorflow. Declared here under
 * Seldon's name (`tfserving`), Seldon keeps it and fills in the image, arguments and ports: so it gets the
 * instance type's resources, the restricted security context and a readiness check on its REST port.
 * @see seldon-core (v1) operator/controllers/seldondeployment_prepackaged_servers.go (addTFServerContainer)
 */
function tfServingContainer(v: Version): Record<string, unknown> {
  return {
    name: 'tfserving',
    resources: resources(v),
    securityContext: containerSecurityContext(v),
    volumeMounts: scratchVolumeMounts(v),
    readinessProbe: { tcpSocket: { port: TF_SERVING_REST_PORT } },
  };
}

/** A bento's or image's own server, else Seldon's prepackaged server (MLServer's images under the v2 protocol, but Triton). */
function serverProfile(v: Version, v2: boolean): RuntimeProfile {
  const a = v.artifact;
  if (a.kind !== 'model') return artifactProfile(v)!;
  const implementation = SELDON_SERVERS[a.format];
  return seldonServerProfile(implementation, v2 && implementation !== 'TRITON_SERVER');
}

/** Versions that autoscale and ask for stabilization windows, for backends that cannot apply them. */
export function versionsWithWindows(spec: CanarySpec): Version[] {
  return allVersions(spec).filter(
    (v) => v.scaling.maxReplicas > v.scaling.minReplicas &&
      (v.scaling.scaleUpStabilizationWindowSeconds !== undefined || v.scaling.scaleDownStabilizationWindowSeconds !== undefined),
  );
}

function predictor(spec: CanarySpec, v: Version, single: boolean, profile: RuntimeProfile): Record<string, unknown> {
  const a = v.artifact;
  const s = v.scaling;
  const autoscales = s.maxReplicas > s.minReplicas;
  const custom = a.kind !== 'model';
  const tfServing = a.kind === 'model' && SELDON_SERVERS[a.format] === 'TENSORFLOW_SERVER';
  const container: Record<string, unknown> = {
    name: SELDON_NODE,
    ...(custom ? { image: a.image } : {}),
    ...(v.env.length > 0 || (a.kind === 'image' && a.storageUri) ? {
      env: [...containerEnv(v.env), ...(a.kind === 'image' && a.storageUri ? [{ name: 'STORAGE_URI', value: a.storageUri }] : [])],
    } : {}),
    // TensorFlow Serving runs beside Seldon's proxy: the instance type sizes the server, the proxy gets a small share
    resources: tfServing ? TF_PROXY_RESOURCES : resources(v),
    securityContext: containerSecurityContext(v),
    volumeMounts: scratchVolumeMounts(v),
    // Seldon takes the port named `http` as the server's (else it assigns 9000 and probes that);
    // probes of our own keep Seldon from adding TCP checks
    ...(custom ? { ports: [{ name: 'http', containerPort: profile.port, protocol: 'TCP' }], ...probes(profile, 'http') } : {}),
  };
  const graph: Record<string, unknown> = custom
    ? { name: SELDON_NODE, type: 'MODEL', endpoint: { type: 'REST', httpPort: profile.port }, children: [] }
    : { name: SELDON_NODE, implementation: SELDON_SERVERS[a.format], modelUri: a.storageUri, children: [] };
  const componentSpec: Record<string, unknown> = {
    metadata: { labels: podLabels(spec, v), ...(Object.keys(v.annotations).length > 0 ? { annotations: { ...v.annotations } } : {}) },
    spec: {
      containers: [container, ...(tfServing ? [tfServingContainer(v)] : [])],
      securityContext: podSecurityContext(v),
      ...(v.serviceAccountName !== undefined ? { serviceAccountName: v.serviceAccountName } : {}),
      ...placement(v),
      volumes: scratchVolumes(v),
    },
    ...(autoscales
      ? {
        hpaSpec: {
          minReplicas: s.minReplicas,
          maxReplicas: s.maxReplicas,
          metricsv2: [
            {
              type: 'Resource',
              resource: {
                name: s.metric === 'memory' ? 'memory' : 'cpu',
                target: { type: 'Utilization', averageUtilization: s.target ?? DEFAULT_UTILIZATION_TARGET },
              },
            },
          ],
        },
      }
      : { replicas: s.minReplicas }),
  };
  const traffic = v.role === 'mirror' ? v.weight : single ? 100 : v.weight;
  return {
    name: v.name,
    ...(custom ? { annotations: { [NO_ENGINE_ANNOTATION]: 'true' } } : {}),
    labels: { version: v.name },
    componentSpecs: [componentSpec],
    graph,
    traffic,
    ...(v.role === 'mirror' ? { shadow: true } : {}),
  };
}
