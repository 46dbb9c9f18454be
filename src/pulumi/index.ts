/**
 * The Pulumi front end (`canary-inference/pulumi`): a ComponentResource that
 * creates one Pulumi resource per rendered object. A thin shell: validation
 * and rendering are the spec's and the backends', as for cdk8s and the CLI.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { dependenciesOf, KubeObject } from '../backends';
import { ConfigOverrides, LoadedConfig, loadConfigFile, synthesizeConfig } from '../config';
import { validateAgainstCrds } from '../crd';
import { CanaryServiceOptions, CanaryVersionProps, serviceInput } from '../props';
import { synthesize, Synthesized } from '../render';
import { formatIssue, ValidationError } from '../spec';

export * from '../spec';
export * from '../props';
export { Backend, KServeMode, KServeStrategy } from '../backends';
export { Router } from '../routers';
export { validateAgainstCrds } from '../crd';

/** The Pulumi type token of the component. */
export const COMPONENT_TYPE = 'canary-inference:index:CanaryInferenceService';

/** Arguments of {@link CanaryInferenceService}: the same definition as the cdk8s construct's props. */
export interface CanaryInferenceServiceArgs extends Omit<CanaryServiceOptions, 'namespace'> {
  /**
   * Name of the service; every object's name derives from it.
   * @default - the resource name
   */
  readonly serviceName?: string;
  /**
   * Canary versions by name.
   * @default - none
   */
  readonly versions?: Readonly<Record<string, CanaryVersionProps>>;
  /**
   * Render this stage of the rollout (1-based), for backends without a rollout controller.
   * @default - the weights as declared
   */
  readonly stage?: number;
  /**
   * Render the state after promoting this canary version to main.
   * @default - no promotion
   */
  readonly promote?: string;
  /**
   * Render the rolled-back state: every canary at weight 0.
   * @default false
   */
  readonly rollback?: boolean;
}

/** Options of {@link CanaryInferenceService}: Pulumi's, plus where the objects go. */
export interface CanaryInferenceServiceOptions extends pulumi.ComponentResourceOptions {
  /**
   * Namespace of every object (a file's `kubernetes.namespace` yields to it).
   * @default - the provider's namespace
   */
  readonly namespace?: string;
  /**
   * Check the objects against the CRDs the target cluster has (a file or
   * folder of CRD YAML, e.g. from `kubectl get crd -o yaml`) before creating any.
   * @default - checked against nothing but the library's own rules
   */
  readonly clusterCrds?: string | readonly string[];
}

/** One version as the component reports it. */
export interface VersionOutput {
  /** `main`, `canary` or `mirror`. */
  readonly role: string;
  /** Percent of live traffic (of copied traffic for a mirror). */
  readonly weight: number;
  /** In-cluster host of the version's own Service, when a router splits traffic between per-version workloads. */
  readonly host?: string;
}

/** Where a component's definition comes from. */
type Source = { readonly args: CanaryInferenceServiceArgs } | { readonly config: LoadedConfig };

const CONFIG = Symbol('canary-inference.config');

/**
 * An inference service with a main version and canary versions, created as
 * the chosen backend's Kubernetes objects. Invalid definitions fail with a
 * `ResourceError` listing every problem, in the words of the CLI.
 */
export class CanaryInferenceService extends pulumi.ComponentResource {
  /**
   * A component from a BentoCloud-style canary file (the CLI's format).
   * @param overrides settings of the file's `kubernetes:` block, in camelCase (`backend`, `router`, `namespace`, `kserveMode`, ...)
   */
  public static fromConfigFile(
    name: string,
    path: string,
    overrides: ConfigOverrides = {},
    opts: CanaryInferenceServiceOptions = {},
  ): CanaryInferenceService {
    let config: LoadedConfig;
    try {
      config = loadConfigFile(path, { ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}), ...overrides });
    } catch (e) {
      if (e instanceof ValidationError) throw new pulumi.RunError(problems(e));
      throw e;
    }
    return new CanaryInferenceService(name, { [CONFIG]: config } as unknown as CanaryInferenceServiceArgs, opts);
  }

  /** Name of the service. */
  public readonly serviceName: string;
  /** Namespace of the objects, when set. */
  public readonly namespace?: string;
  /** Every version: role, weight and (with a router) host. */
  public readonly versions: pulumi.Output<Readonly<Record<string, VersionOutput>>>;
  /** In-cluster host clients call, when the service has a Service of its own name (routers, Argo Rollouts). */
  public readonly host: pulumi.Output<string | undefined>;
  /** The created resources, one per rendered object, in order. */
  public readonly resources: readonly pulumi.CustomResource[];
  /** Warnings of the rendering (also logged). */
  public readonly warnings: readonly string[];

  constructor(name: string, args: CanaryInferenceServiceArgs, opts: CanaryInferenceServiceOptions = {}) {
    const { namespace, clusterCrds, ...componentOpts } = opts;
    super(COMPONENT_TYPE, name, {}, componentOpts);
    const config = (args as unknown as Record<symbol, LoadedConfig | undefined>)[CONFIG];
    const source: Source = config ? { config } : { args };
    let rendered: Synthesized;
    try {
      rendered = render(name, source, namespace);
    } catch (e) {
      if (e instanceof ValidationError) throw new pulumi.ResourceError(problems(e), this);
      throw e;
    }
    if (clusterCrds !== undefined) {
      const refused = validateAgainstCrds(rendered.objects, clusterCrds);
      if (refused.length > 0) {
        throw new pulumi.ResourceError(`the cluster's CRDs refuse:\n${refused.map((l) => `  ${l}`).join('\n')}`, this);
      }
    }
    const spec = rendered.spec;
    this.serviceName = spec.name;
    this.namespace = spec.namespace;
    this.warnings = rendered.warnings;
    for (const w of rendered.warnings) void pulumi.log.warn(w, this);

    const created = new Map<KubeObject, pulumi.CustomResource>();
    for (const obj of rendered.objects) {
      const dependsOn = dependenciesOf(obj, rendered.objects).map((d) => created.get(d)).filter((r): r is pulumi.CustomResource => r !== undefined);
      created.set(obj, createResource(`${name}-${obj.kind.toLowerCase()}-${obj.metadata.name}`, obj, { parent: this, ...(dependsOn.length > 0 ? { dependsOn } : {}) }));
    }
    this.resources = [...created.values()];

    const suffix = spec.namespace ? `.${spec.namespace}.svc.cluster.local` : '';
    const targets = new Map((rendered.targets ?? []).map((t) => [t.version, t]));
    const versions: Record<string, VersionOutput> = {};
    for (const v of [spec.main, ...spec.canaries, ...(spec.mirror ? [spec.mirror] : [])]) {
      const t = targets.get(v.name);
      versions[v.name] = { role: v.role, weight: v.weight, ...(t ? { host: `${t.service}${suffix}` } : {}) };
    }
    const front = rendered.objects.find((o) => o.apiVersion === 'v1' && o.kind === 'Service' && o.metadata.name === spec.name);
    this.versions = pulumi.output(versions);
    this.host = pulumi.output(front ? `${spec.name}${suffix}` : undefined);
    this.registerOutputs({ serviceName: this.serviceName, namespace: this.namespace, versions: this.versions, host: this.host });
  }
}

function problems(e: ValidationError): string {
  return `invalid canary inference service:\n${e.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`;
}

function render(name: string, source: Source, namespace: string | undefined): Synthesized {
  if ('config' in source) return synthesizeConfig(source.config);
  const { args } = source;
  const input = serviceInput(
    args.serviceName ?? name,
    { ...args, namespace },
    Object.entries(args.versions ?? {}),
  );
  return synthesize(input, {
    backend: args.backend,
    router: args.router,
    instanceTypes: args.instanceTypes,
    stage: args.stage,
    promote: args.promote,
    rollback: args.rollback,
  });
}

/** The typed resource for core kinds, a CustomResource for everything else. */
function createResource(name: string, obj: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const body = { metadata, ...rest };
  switch (`${apiVersion}/${kind}`) {
    case 'v1/Service':
      return new k8s.core.v1.Service(name, body as k8s.core.v1.ServiceArgs, opts);
    case 'autoscaling/v2/HorizontalPodAutoscaler':
      return new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, body as k8s.autoscaling.v2.HorizontalPodAutoscalerArgs, opts);
    case 'networking.k8s.io/v1/Ingress':
      return new k8s.networking.v1.Ingress(name, body as k8s.networking.v1.IngressArgs, opts);
    default:
      return new k8s.apiextensions.CustomResource(name, { apiVersion, kind, ...body }, opts);
  }
}
