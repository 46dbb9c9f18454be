/**
 * Argo Rollouts backend: one Rollout (canary strategy) whose pod template is
 * the version being rolled out, stepping through the rollout's stages with
 * pauses and analysis; stable/canary Services, the traffic-routing objects of
 * the chosen router, an HPA on the Rollout and the guardrails' AnalysisTemplate.
 */
import { checkGuardrailQueries, measuredPlan, serviceAnalysisTemplate } from './analysis';
import { CanarySpec, deriveName, goDuration, Issue, MAX_LABEL_LENGTH, Version, versionPath } from '../../spec';
import { hpaBehavior, hpaMetrics } from '../common/hpa';
import { METRICS_PATH, MetricsEndpoint } from '../common/monitoring';
import {
  containerEnv,
  containerSecurityContext,
  NAME_LABEL,
  objectLabels,
  placement,
  podLabels,
  podSecurityContext,
  resources,
  scratchVolumeMounts,
  scratchVolumes,
} from '../common/pod';
import { artifactProfile, probes, withProfile } from '../common/runtime';
import { backendsTaking } from '../router-support';
import { BackendCapabilities, BackendOutput, BackendRenderer, KubeObject, RenderContext, RolloutController } from '../types';

export * from './analysis';

/** What Argo Rollouts can do (printed in the README). */
export const ARGO_CAPABILITIES: BackendCapabilities = {
  maxCanaries: 1,
  canaryAutoscaling: true,
  mainWithoutStorageUri: true,
  splitsTrafficItself: false,
  scaleMetrics: ['cpu', 'memory'],
  routers: ['native', 'istio', 'gateway-api', 'nginx', 'smi'],
  mirror: false,
  runsStages: true,
};

/** Name of the server container in the Rollout's pod template. */
export const ARGO_CONTAINER = 'server';
/** Port of the Services (stable host, stable, canary). */
export const ARGO_SERVICE_PORT = 80;
/** Name of the managed route that pins requests to the canary by header. */
export const PIN_ROUTE = 'pin';
/** Name of the Istio HTTP route whose weights Argo Rollouts sets. */
export const PRIMARY_ROUTE = 'primary';
/** The Gateway API plugin of Argo Rollouts. */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/** Routers that can pin a request to the canary by header (setHeaderRoute). */
const PINNING_ROUTERS = ['istio', 'gateway-api'];

/** The Argo Rollouts renderer. */
export class ArgoRolloutsBackend implements BackendRenderer {
  public readonly name = 'argo-rollouts';
  public readonly title = 'Argo Rollouts';
  public readonly routers = ARGO_CAPABILITIES.routers;
  public readonly mirrors = ARGO_CAPABILITIES.mirror;
  public readonly hashingHint = 'Argo Rollouts splits by weight only';
  public readonly hashingRouters: readonly string[] = [];

  public rolloutController(spec: CanarySpec): RolloutController {
    return { promote: `kubectl argo rollouts promote ${spec.name}`, rollback: `kubectl argo rollouts abort ${spec.name}` };
  }

  /** The server container's `http` port. */
  public metricsEndpoints(): MetricsEndpoint[] {
    return [{ port: 'http', path: METRICS_PATH }];
  }

  public check(spec: CanarySpec, context: RenderContext): Issue[] {
    const issues: Issue[] = [];
    if (!this.routers.includes(context.router)) {
      issues.push({
        path: ['router'],
        message: `Argo Rollouts takes router ${this.routers.map((r) => `"${r}"`).join(', ')}, got "${context.router}"; use one of those` +
          `${backendsTaking(context.router, 'argo-rollouts') ? `, or ${backendsTaking(context.router, 'argo-rollouts')} with router "${context.router}"` : ''}`,
      });
    }
    if (spec.mirror) {
      issues.push({
        path: ['versions', spec.mirror.name, 'mirror'],
        message: `Argo Rollouts runs one pod template and cannot run a separate mirror version (${spec.mirror.name}); remove mirror, or use backend "seldon" (native) or "kserve" with router "istio", which mirror`,
      });
    }
    if (spec.canaries.length > 1) {
      issues.push({
        path: ['versions'],
        message: `Argo Rollouts runs one pod template, so one canary beside main, got ${spec.canaries.length} (${spec.canaries.map((c) => c.name).join(', ')}); keep one, or use backend "kserve" or "seldon", which run several`,
      });
    }
    for (const v of [spec.main, ...spec.canaries]) {
      const path = versionPath(v);
      if (v.artifact.kind === 'model') {
        issues.push({
          path: [...path, 'artifact'],
          message: `Argo Rollouts runs a container, and a model (${v.artifact.format} at ${v.artifact.storageUri}) needs a serving runtime; use an image (with storage_uri) or a bento, or backend "kserve" or "seldon"`,
        });
      }
      if (v.scaling.minReplicas === 0) {
        issues.push({ path: [...path, 'scaling', 'minReplicas'], message: 'Argo Rollouts with an HPA cannot scale to zero, got 0; set min replicas to 1 or more' });
      }
      if (v.scaling.metric === 'concurrency' || v.scaling.metric === 'rps') {
        issues.push({
          path: [...path, 'scaling', 'metric'],
          message: `Argo Rollouts autoscales with an HPA on "cpu" or "memory", got ${JSON.stringify(v.scaling.metric)}; use metric "cpu" or "memory"`,
        });
      }
      if (v.scaling.target !== undefined && v.scaling.target > 100) {
        issues.push({ path: [...path, 'scaling', 'target'], message: `a ${v.scaling.metric ?? 'cpu'} utilization target is a percent from 1 to 100, got ${v.scaling.target}; lower the target` });
      }
      if (v.deploymentStrategy === 'Recreate' && (v.role === 'main' || v.explicit.has('deploymentStrategy'))) {
        issues.push({ path: [...path, 'deploymentStrategy'], message: 'Argo Rollouts replaces pods by its canary steps and has no Recreate strategy; remove it' });
      }
    }
    if (context.router === 'nginx' && (context.hosts ?? []).length === 0) {
      issues.push({ path: ['hosts'], message: 'router "nginx" serves the stable Ingress on external host names; set hosts, e.g. ["fraud.example.com"]' });
    }
    if (context.router === 'nginx' || context.router === 'smi') {
      if (context.gateway !== undefined) issues.push({ path: ['gateway'], message: `router "${context.router}" takes no gateway; remove it` });
    }
    for (const suffix of ['stable', 'canary']) {
      const service = deriveName(spec.name, suffix);
      if (service.length > MAX_LABEL_LENGTH) {
        issues.push({ path: ['name'], message: `the ${suffix} Service "${service}" would be ${service.length} characters, over ${MAX_LABEL_LENGTH}; shorten the service name` });
      }
    }
    issues.push(...checkGuardrailQueries(spec, context.router));
    return issues;
  }

  public render(spec: CanarySpec, context: RenderContext): BackendOutput {
    const target = spec.canaries[0] ?? spec.main;
    const router = context.router;
    const ns = spec.namespace;
    const meta = (name: string) => ({ name, ...(ns ? { namespace: ns } : {}), labels: objectLabels(spec) });
    const selector = { [NAME_LABEL]: spec.name };
    const stable = deriveName(spec.name, 'stable');
    const canary = deriveName(spec.name, 'canary');
    const plan = spec.rollout;
    const withAnalysis = plan !== undefined && measuredPlan(plan, router).guardrails.length > 0;
    const pinning = PINNING_ROUTERS.includes(router) && spec.canaries.length > 0;

    const service = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: { selector: { ...selector }, ports: [{ name: 'http', port: ARGO_SERVICE_PORT, protocol: 'TCP', targetPort: 'http' }] },
    });

    const args = [
      { name: 'service', value: spec.name },
      { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'canary-version', value: target.name },
      { name: 'stable-version', value: spec.main.name },
      { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
    ];
    const analysisRef = { templates: [{ templateName: spec.name }], args };

    const steps: Record<string, unknown>[] = [];
    if (pinning) {
      steps.push({
        setHeaderRoute: {
          name: PIN_ROUTE,
          match: [{ headerName: context.pinHeader ?? 'x-canary-version', headerValue: { exact: target.name } }],
        },
      });
    }
    if (plan) {
      plan.stages.forEach((weight, i) => {
        steps.push({ setWeight: weight });
        const pause = plan.pauses[i];
        steps.push({ pause: pause !== undefined ? { duration: goDuration(pause) } : {} });
        if (withAnalysis && plan.analysis === 'step') steps.push({ analysis: analysisRef });
      });
    } else if (spec.canaries.length > 0) {
      // no schedule: hold at the canary's weight until promoted by hand
      steps.push({ setWeight: target.weight }, { pause: {} });
    }

    const objects: KubeObject[] = [];
    const trafficRouting = this.trafficRouting(spec, router, pinning, context);
    const rollout: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: meta(spec.name),
      spec: {
        replicas: target.scaling.minReplicas,
        selector: { matchLabels: { ...selector } },
        template: podTemplate(spec, target),
        strategy: {
          canary: {
            stableService: stable,
            canaryService: canary,
            ...(trafficRouting ? { trafficRouting } : {}),
            ...(withAnalysis && plan!.analysis === 'background' ? { analysis: analysisRef } : {}),
            steps,
          },
        },
      },
    };
    objects.push(rollout, service(spec.name), service(stable), service(canary));
    objects.push(...this.routingObjects(spec, router, stable, context));
    if (target.scaling.maxReplicas > target.scaling.minReplicas) {
      const behavior = hpaBehavior(target);
      objects.push({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: meta(spec.name),
        spec: {
          scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: spec.name },
          minReplicas: target.scaling.minReplicas,
          maxReplicas: target.scaling.maxReplicas,
          metrics: hpaMetrics(target),
          ...(behavior ? { behavior } : {}),
        },
      });
    }
    if (withAnalysis) objects.push(serviceAnalysisTemplate(spec, router, plan!.analysis === 'step'));

    const warnings: string[] = [];
    if (spec.canaries.length > 0) {
      warnings.push(
        `Argo Rollouts: the Rollout's pod template is version ${target.name}; it rolls out over the template already running (${spec.main.name}), so apply ${spec.main.name} first (a file without canaries) — applied to an empty cluster it starts at 100%`,
      );
    }
    return { objects, warnings };
  }

  private trafficRouting(spec: CanarySpec, router: string, pinning: boolean, context: RenderContext): Record<string, unknown> | undefined {
    const managed = pinning ? { managedRoutes: [{ name: PIN_ROUTE }] } : {};
    switch (router) {
      case 'istio':
        return {
          istio: {
            virtualService: { name: spec.name, routes: [PRIMARY_ROUTE] },
            destinationRule: { name: spec.name, canarySubsetName: 'canary', stableSubsetName: 'stable' },
          },
          ...managed,
        };
      case 'gateway-api': {
        // with a Gateway, the plugin sets the weights of both routes: the Gateway's and the in-mesh one
        const routes = context.gateway
          ? { httpRoutes: [spec.name, meshRouteName(spec)].map((name) => ({ name, useHeaderRoutes: true })) }
          : { httpRoute: spec.name };
        return { plugins: { [GATEWAY_API_PLUGIN]: { ...routes, ...(spec.namespace ? { namespace: spec.namespace } : {}) } }, ...managed };
      }
      case 'nginx':
        return { nginx: { stableIngress: spec.name } };
      case 'smi':
        return { smi: { rootService: spec.name, trafficSplitName: spec.name } };
      default:
        return undefined;
    }
  }

  private routingObjects(spec: CanarySpec, router: string, stable: string, context: RenderContext): KubeObject[] {
    const ns = spec.namespace;
    const meta = (name: string) => ({ name, ...(ns ? { namespace: ns } : {}), labels: objectLabels(spec) });
    const hosts = context.hosts ?? [];
    if (router === 'istio') {
      const host = spec.name;
      return [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: meta(spec.name),
          spec: {
            hosts: [host, ...hosts],
            ...(context.gateway ? { gateways: ['mesh', context.gateway] } : {}),
            http: [
              {
                name: PRIMARY_ROUTE,
                route: [
                  { destination: { host, subset: 'stable', port: { number: ARGO_SERVICE_PORT } }, weight: 100 },
                  { destination: { host, subset: 'canary', port: { number: ARGO_SERVICE_PORT } }, weight: 0 },
                ],
              },
            ],
          },
        },
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          metadata: meta(spec.name),
          spec: {
            host,
            // Argo Rollouts adds the rollouts-pod-template-hash label to each subset
            subsets: [
              { name: 'stable', labels: { [NAME_LABEL]: spec.name } },
              { name: 'canary', labels: { [NAME_LABEL]: spec.name } },
            ],
          },
        },
      ];
    }
    if (router === 'gateway-api') {
      const gateway = context.gateway;
      const slash = gateway?.indexOf('/') ?? -1;
      const mesh = { group: '', kind: 'Service', name: spec.name, port: ARGO_SERVICE_PORT };
      const route = (name: string, parentRef: Record<string, unknown>, hostnames: readonly string[]): KubeObject => ({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: meta(name),
        spec: {
          parentRefs: [parentRef],
          ...(hostnames.length > 0 ? { hostnames: [...hostnames] } : {}),
          rules: [
            {
              backendRefs: [
                { group: '', kind: 'Service', name: stable, port: ARGO_SERVICE_PORT, weight: 100 },
                { group: '', kind: 'Service', name: deriveName(spec.name, 'canary'), port: ARGO_SERVICE_PORT, weight: 0 },
              ],
            },
          ],
        },
      });
      if (!gateway) return [route(spec.name, mesh, [])];
      const gatewayRef = slash < 0 ? { name: gateway } : { namespace: gateway.slice(0, slash), name: gateway.slice(slash + 1) };
      // in-mesh callers of the Service NAME keep reaching the versions through a second route (GAMMA)
      return [route(spec.name, gatewayRef, hosts), route(meshRouteName(spec), mesh, [])];
    }
    if (router === 'nginx') {
      return [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: meta(spec.name),
          spec: {
            ingressClassName: 'nginx',
            rules: hosts.map((host) => ({
              host,
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: stable, port: { number: ARGO_SERVICE_PORT } } } }] },
            })),
          },
        },
      ];
    }
    return [];
  }
}

/** The pod of a bento or image version (model artifacts are refused by the check): its server's port, probes, user and writes. */
/** Name of the in-mesh HTTPRoute beside a Gateway's. */
function meshRouteName(spec: CanarySpec): string {
  return deriveName(spec.name, 'mesh');
}

function podTemplate(spec: CanarySpec, version: Version): Record<string, unknown> {
  const profile = artifactProfile(version)!;
  const v = withProfile(version, profile);
  const a = v.artifact;
  const image = a.kind === 'bento' || a.kind === 'image' ? a.image : '';
  const env = [...containerEnv(v.env), ...(a.kind === 'image' && a.storageUri ? [{ name: 'STORAGE_URI', value: a.storageUri }] : [])];
  return {
    metadata: {
      labels: podLabels(spec, v),
      ...(Object.keys(v.annotations).length > 0 ? { annotations: { ...v.annotations } } : {}),
    },
    spec: {
      ...(v.serviceAccountName !== undefined ? { serviceAccountName: v.serviceAccountName } : {}),
      containers: [
        {
          name: ARGO_CONTAINER,
          image,
          ports: [{ name: 'http', containerPort: profile.port, protocol: 'TCP' }],
          ...(env.length > 0 ? { env } : {}),
          resources: resources(v),
          securityContext: containerSecurityContext(v),
          volumeMounts: scratchVolumeMounts(v),
          // Argo Rollouts shifts weight only to available (Ready) pods
          ...probes(profile, 'http'),
        },
      ],
      securityContext: podSecurityContext(v),
      ...placement(v),
      volumes: scratchVolumes(v),
    },
  };
}
