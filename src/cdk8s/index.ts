/**
 * cdk8s constructs: a thin shell over the spec and the backends.
 */
import { ApiObject, Chart, JsonPatch, Lazy, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { analysisTemplate, analysisTemplateIssues, KubeObject, measuredPlan } from '../backends';
import { ConfigOverrides, ConfigSynthesizeOptions, LoadedConfig, loadConfigFile, specOfConfig, synthesizeConfig } from '../config';
import { AnalysisMode, AnalysisProps, analysisInput, CanaryServiceOptions, CanaryVersionProps, serviceInput } from '../props';
import { Synthesized, synthesizeProps } from '../render';
import { assignKey, Router } from '../routers';
import { formatIssue, normalizeService, parseRollout, ValidationError } from '../spec';

/** The problems `render` reports, one line each, for a construct's validation. */
function problemsOf(render: () => unknown): string[] {
  try {
    render();
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
}

/** A definition read from a canary file, or why it could not be read. */
interface FileSource {
  readonly config?: LoadedConfig;
  readonly error?: ValidationError;
  readonly options: ConfigFileOptions;
}

const FILE = Symbol('canary-inference.file');

/** Options of {@link CanaryInferenceService.fromConfigFile}: the file's `kubernetes:` settings, and what code can add. */
export interface ConfigFileOptions extends ConfigOverrides, ConfigSynthesizeOptions {
  /**
   * Fail `cdk8s synth` on the rendering's warnings instead of printing them.
   * @default false
   */
  readonly failOnWarnings?: boolean;
}

/** Props of {@link CanaryInferenceService}. */
export interface CanaryInferenceServiceProps extends CanaryServiceOptions {
  /**
   * Name of the service; every object's name derives from it.
   * @default - a DNS label generated from the construct path (at most 39 characters)
   */
  readonly name?: string;
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
  /**
   * Fail `cdk8s synth` on the rendering's warnings (settings a backend cannot apply, assumed image
   * defaults, ...) instead of printing them.
   * @default false
   */
  readonly failOnWarnings?: boolean;
}

/** Metadata type under which each rendering warning is recorded on its construct. */
export const WARNING_METADATA = 'canary-inference:warning';

/** A canary version of a {@link CanaryInferenceService}. */
export class CanaryVersion extends Construct {
  /** Name of the version (the construct id). */
  public readonly versionName: string;
  /** The version's props. */
  public readonly props: CanaryVersionProps;

  constructor(scope: CanaryInferenceService, id: string, props: CanaryVersionProps) {
    super(scope, id);
    this.versionName = id;
    this.props = props;
  }

  /** Percent of traffic this version receives. */
  public get weight(): number {
    return this.props.weight;
  }
}

/** The Service clients of a {@link CanaryInferenceService} call. */
export interface FrontService {
  /** Name of the Service. */
  readonly name: string;
  /** Its HTTP port. */
  readonly port: number;
  /** The pods' port behind it (a number, or a container port's name). */
  readonly targetPort?: number | string;
}

/** What a {@link CanaryInferenceService}'s rendered object is for. */
export class ObjectRole {
  /** The serving workload: an InferenceService, SeldonDeployment, Seldon Model or Server, Argo Rollout, Deployment. */
  public static readonly WORKLOAD = new ObjectRole('workload');
  /** A Kubernetes Service. */
  public static readonly SERVICE = new ObjectRole('service');
  /** Traffic routing: a VirtualService, DestinationRule, EnvoyFilter, HTTPRoute, Ingress, Seldon Experiment. */
  public static readonly ROUTING = new ObjectRole('routing');
  /** An autoscaler (HorizontalPodAutoscaler). */
  public static readonly AUTOSCALING = new ObjectRole('autoscaling');
  /** Analysis of a rollout (Argo AnalysisTemplate). */
  public static readonly ANALYSIS = new ObjectRole('analysis');
  /** Monitoring: the PodMonitor, the Grafana dashboard (a ConfigMap or GrafanaDashboard). */
  public static readonly MONITORING = new ObjectRole('monitoring');

  private constructor(
    /** The role's name. */
    public readonly name: string,
  ) {}
}

const ROLE_OF_KIND: Readonly<Record<string, ObjectRole>> = {
  InferenceService: ObjectRole.WORKLOAD,
  SeldonDeployment: ObjectRole.WORKLOAD,
  Model: ObjectRole.WORKLOAD,
  Server: ObjectRole.WORKLOAD,
  Rollout: ObjectRole.WORKLOAD,
  Deployment: ObjectRole.WORKLOAD,
  Service: ObjectRole.SERVICE,
  VirtualService: ObjectRole.ROUTING,
  DestinationRule: ObjectRole.ROUTING,
  EnvoyFilter: ObjectRole.ROUTING,
  HTTPRoute: ObjectRole.ROUTING,
  Ingress: ObjectRole.ROUTING,
  Experiment: ObjectRole.ROUTING,
  HorizontalPodAutoscaler: ObjectRole.AUTOSCALING,
  AnalysisTemplate: ObjectRole.ANALYSIS,
  PodMonitor: ObjectRole.MONITORING,
  ConfigMap: ObjectRole.MONITORING,
  GrafanaDashboard: ObjectRole.MONITORING,
};

/** The role of a rendered object. */
function roleOf(obj: KubeObject): ObjectRole {
  return ROLE_OF_KIND[obj.kind] ?? ObjectRole.WORKLOAD;
}

/** Identity of a rendered object across renderings. */
function keyOf(obj: KubeObject): string {
  return `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/**
 * An ApiObject whose content follows the service's latest rendering, so edits made through it (labels,
 * annotations, JSON patches) survive `addVersion`.
 */
class RenderedApiObject extends ApiObject {
  /** The top-level fields this object was created with. */
  public readonly fields: readonly string[];
  private readonly followed = new Set<string>();

  constructor(scope: CanaryInferenceService, id: string, obj: KubeObject, current: () => KubeObject | undefined) {
    const { apiVersion, kind, metadata, ...body } = obj;
    const fields = Object.keys(body);
    const meta = metadata as unknown as Record<string, unknown>;
    const lazyMeta = Object.fromEntries(
      Object.keys(meta)
        .filter((k) => !['name', 'namespace', 'labels', 'annotations'].includes(k))
        .map((k) => [k, Lazy.any({ produce: () => (current()?.metadata as unknown as Record<string, unknown> | undefined)?.[k] })]),
    );
    super(scope, id, {
      apiVersion,
      kind,
      metadata: { name: metadata.name, ...(metadata.namespace !== undefined ? { namespace: metadata.namespace } : {}), ...lazyMeta },
      ...Object.fromEntries(fields.map((f) => [f, Lazy.any({ produce: () => current()?.[f] })])),
    });
    this.fields = fields;
    this.follow(obj, current);
  }

  /** Labels and annotations the rendering sets, each following the latest rendering (an edit of the same key wins). */
  public follow(obj: KubeObject, current: () => KubeObject | undefined): void {
    for (const [k] of Object.entries(obj.metadata.labels ?? {})) {
      if (this.followed.has(`l:${k}`)) continue;
      this.followed.add(`l:${k}`);
      this.metadata.addLabel(k, Lazy.any({ produce: () => current()?.metadata.labels?.[k] }) as unknown as string);
    }
    for (const [k] of Object.entries(obj.metadata.annotations ?? {})) {
      if (this.followed.has(`a:${k}`)) continue;
      this.followed.add(`a:${k}`);
      this.metadata.addAnnotation(k, Lazy.any({ produce: () => current()?.metadata.annotations?.[k] }) as unknown as string);
    }
  }
}

/** What one rendering produced. */
interface Rendering {
  readonly objects: readonly KubeObject[];
  readonly warnings: readonly string[];
  readonly synthesized?: Synthesized;
  readonly error?: ValidationError;
}

/**
 * An inference service with a main version and canary versions, rendered to
 * the chosen backend's objects. The definition is rendered once, at synth (or when `apiObjects`,
 * `warnings` or a handle is first read): `addVersion` only changes the definition. Every problem
 * is reported by `cdk8s synth`.
 */
export class CanaryInferenceService extends Construct {
  /**
   * A service from a BentoCloud-style canary file (the CLI's format). Problems are
   * reported by `cdk8s synth` with the file's line and column, as by the CLI.
   * @param options settings of the file's `kubernetes:` block in camelCase (`backend`, `router`, `namespace`,
   * `kserveMode`, ...), an instance-type catalog, and the state to render (stage, promote, rollback)
   */
  public static fromConfigFile(scope: Construct, id: string, path: string, options: ConfigFileOptions = {}): CanaryInferenceService {
    const chartNamespace = Chart.of(scope).namespace;
    const { instanceTypes: _c, stage: _s, promote: _p, rollback: _r, failOnWarnings, ...overrides } = options;
    let file: FileSource;
    try {
      let config = loadConfigFile(path, { ...overrides, words: 'code' });
      // the file's namespace, else the chart's
      if (config.input.namespace === undefined && chartNamespace !== undefined) {
        config = loadConfigFile(path, { ...overrides, words: 'code', namespace: chartNamespace });
      }
      file = { config, options };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      file = { error: e, options };
    }
    const name = typeof file.config?.input.name === 'string' ? file.config.input.name : undefined;
    return new CanaryInferenceService(scope, id, {
      main: {},
      ...(name ? { name } : {}),
      ...(failOnWarnings !== undefined ? { failOnWarnings } : {}),
      [FILE]: file,
    } as CanaryInferenceServiceProps);
  }

  /** Name of the service. */
  public readonly name: string;
  /**
   * The clashes found for this service in the current synth (see findClashes).
   * @internal
   */
  public clashProblems?: string[];
  private readonly props: CanaryInferenceServiceProps;
  private readonly file?: FileSource;
  private readonly versions: CanaryVersion[] = [];
  private rendering?: Rendering;
  private readonly children = new Map<string, RenderedApiObject>();
  private order: RenderedApiObject[] = [];
  private reported = false;

  constructor(scope: Construct, id: string, props: CanaryInferenceServiceProps) {
    super(scope, id);
    this.props = props;
    this.file = (props as { [FILE]?: FileSource })[FILE];
    this.name = props.name ?? Names.toDnsLabel(this, { maxLen: 39 });
    this.node.addValidation({ validate: () => this.problems() });
    registerService(this);
  }

  /** Adds a canary version; returns its construct. The service is rendered at synth, with every version. */
  public addVersion(name: string, props: CanaryVersionProps): CanaryVersion {
    if (this.file) throw new Error(`${this.node.path} comes from a canary file: add versions to the file's canary.versions`);
    const version = new CanaryVersion(this, name, props);
    this.versions.push(version);
    this.rendering = undefined;
    return version;
  }

  /**
   * The rendered objects (empty while the definition is invalid). Each keeps the edits made through it
   * (`metadata.addAnnotation`, `addJsonPatch`, ...) when versions are added later.
   */
  public get apiObjects(): readonly ApiObject[] {
    this.ensureRendered();
    return this.order;
  }

  /** The rendered objects of one role, e.g. `ObjectRole.SERVICE` (empty while the definition is invalid). */
  public objectsOf(role: ObjectRole): readonly ApiObject[] {
    const rendering = this.ensureRendered();
    return this.order.filter((_, i) => roleOf(rendering.objects[i]) === role);
  }

  /**
   * The Service clients call, with its HTTP port, when this service renders it: with a router (`istio`,
   * `gateway-api`, `nginx`) and on Argo Rollouts. Undefined where the backend's controller creates the
   * entry itself (KServe, Seldon without a router: see their status addresses).
   * @throws ValidationError when the definition is invalid
   */
  public get frontService(): FrontService | undefined {
    const { spec, objects } = this.ensureValid();
    const front = objects.find((o) => o.apiVersion === 'v1' && o.kind === 'Service' && o.metadata.name === spec.name);
    const ports = (front?.spec as { ports?: { name?: string; port: number; targetPort?: number | string }[] } | undefined)?.ports ?? [];
    const port = ports.find((p) => p.name === 'http') ?? ports[0];
    if (!front || !port) return undefined;
    return { name: front.metadata.name, port: port.port, ...(port.targetPort !== undefined ? { targetPort: port.targetPort } : {}) };
  }

  /**
   * Labels every serving pod of this service carries, for selecting them (a NetworkPolicy, a PodMonitor, ...).
   * Undefined on Seldon Core v2, whose models run in shared servers.
   * @throws ValidationError when the definition is invalid
   */
  public get podSelector(): Readonly<Record<string, string>> | undefined {
    return this.ensureValid().podSelector;
  }

  /**
   * In-cluster host name clients call (`NAME.NAMESPACE.svc.cluster.local`), from {@link CanaryInferenceService.frontService}.
   * @throws ValidationError when the definition is invalid
   */
  public get host(): string | undefined {
    const front = this.frontService;
    if (!front) return undefined;
    const ns = this.ensureValid().spec.namespace;
    return ns ? `${front.name}.${ns}.svc.cluster.local` : front.name;
  }

  /**
   * What the rendering warns of (empty while the definition is invalid). `cdk8s synth` prints each once on
   * stderr with the construct's path and records it as construct metadata (`canary-inference:warning`).
   */
  public get warnings(): readonly string[] {
    return this.ensureRendered().warnings;
  }

  /**
   * The version a request with this routing key (header or query value) is assigned to, as the
   * Istio router assigns it: FNV-1a 32-bit of the key's UTF-8 bytes, mod 100, against the versions' bucket ranges.
   * @throws ValidationError when the definition is invalid; Error when routing is random or the key is empty
   */
  public versionFor(key: string): string {
    const spec = this.file
      ? specOfConfig(this.fileConfig(), this.file.options)
      : normalizeService(this.input(), { instanceTypes: this.props.instanceTypes });
    if (spec.routing.type === 'random') throw new Error(`routing of ${this.name} is random: requests are not assigned by key`);
    const version = assignKey(spec, key);
    if (version === undefined) throw new Error('an empty key is not assigned: such requests are split at random');
    return version;
  }

  private input(): Record<string, unknown> {
    return serviceInput(
      this.name,
      { ...this.props, namespace: this.props.namespace ?? Chart.of(this).namespace },
      this.versions.map((v) => [v.versionName, v.props] as const),
    );
  }

  private fileConfig(): LoadedConfig {
    if (this.file!.error) throw this.file!.error;
    return this.file!.config!;
  }

  private render(): Synthesized {
    if (this.file) return synthesizeConfig(this.fileConfig(), this.file.options);
    return synthesizeProps(
      this.name,
      { ...this.props, namespace: this.props.namespace ?? Chart.of(this).namespace },
      this.versions.map((v) => [v.versionName, v.props] as const),
      {
        backend: this.props.backend,
        router: this.props.router,
        instanceTypes: this.props.instanceTypes,
        stage: this.props.stage,
        promote: this.props.promote,
        rollback: this.props.rollback,
      },
    );
  }

  private ensureValid(): Synthesized {
    const rendering = this.ensureRendered();
    if (rendering.error) throw rendering.error;
    return rendering.synthesized!;
  }

  /** Renders the definition if it changed since the last rendering, and brings the child objects up to date. */
  private ensureRendered(): Rendering {
    if (this.rendering) return this.rendering;
    let rendering: Rendering;
    try {
      const synthesized = this.render();
      rendering = { objects: synthesized.objects, warnings: synthesized.warnings, synthesized };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      rendering = { objects: [], warnings: [], error: e };
    }
    this.rendering = rendering;
    this.reconcile(rendering.objects);
    return rendering;
  }

  /** One ApiObject per rendered object: kept (with the user's edits) while the object is rendered, removed when it no longer is. */
  private reconcile(objects: readonly KubeObject[]): void {
    const latest = new Map(objects.map((o) => [keyOf(o), o]));
    for (const [key, child] of [...this.children]) {
      const obj = latest.get(key);
      // a different set of top-level fields cannot follow: made anew
      if (!obj || Object.keys(obj).filter((k) => !['apiVersion', 'kind', 'metadata'].includes(k)).join() !== child.fields.join()) {
        this.node.tryRemoveChild(child.node.id);
        this.children.delete(key);
      }
    }
    this.order = objects.map((obj, i) => {
      const key = keyOf(obj);
      const current = () => (this.rendering?.objects ?? []).find((o) => keyOf(o) === key);
      let child = this.children.get(key);
      if (child) {
        child.follow(obj, current);
      } else {
        // the primary object has the id Resource
        const id = i === 0 && !this.node.tryFindChild('Resource') ? 'Resource' : `${obj.kind}-${obj.metadata.name}`;
        child = new RenderedApiObject(this, id, obj, current);
        this.children.set(key, child);
      }
      return child;
    });
  }

  /**
   * The problems of the current definition. Runs at synth: the warnings are reported here, once, or are
   * problems with `failOnWarnings`.
   */
  private problems(): string[] {
    const rendering = this.ensureRendered();
    if (rendering.error) return rendering.error.issues.map(formatIssue);
    const clashes = this.clashes();
    if (clashes.length > 0) return clashes;
    if (this.props.failOnWarnings) return rendering.warnings.map((w) => `warning (failOnWarnings): ${w}`);
    if (!this.reported) {
      this.reported = true;
      for (const w of rendering.warnings) {
        this.node.addMetadata(WARNING_METADATA, w);
        process.stderr.write(`[canary-inference] warning: ${this.node.path}: ${w}\n`);
      }
    }
    return [];
  }

  /**
   * Objects of this service that another construct of the chart also renders (said by the later of two services).
   * One pass over the chart serves every service of it: the first service validated finds them for all.
   */
  private clashes(): string[] {
    if (this.clashProblems === undefined) findClashes(Chart.of(this));
    const found = this.clashProblems ?? [];
    // the next synth looks again
    this.clashProblems = undefined;
    return found;
  }
}

/** The services of each chart, in the order they were made. */
const SERVICES = new WeakMap<Chart, CanaryInferenceService[]>();

function registerService(service: CanaryInferenceService): void {
  const chart = Chart.of(service);
  (SERVICES.get(chart) ?? SERVICES.set(chart, []).get(chart)!).push(service);
}

/** Every clash of the chart's objects, given to the services that report them. */
function findClashes(chart: Chart): void {
  const services = SERVICES.get(chart) ?? [];
  // every service rendered, then one walk over the chart
  for (const s of services) void s.apiObjects;
  const all = chart.node.findAll();
  const order = new Map(all.map((c, i) => [c, i]));
  const byKey = new Map<string, ApiObject[]>();
  for (const c of all) {
    if (!ApiObject.isApiObject(c)) continue;
    const key = `${c.apiGroup}/${c.kind}/${c.metadata.namespace ?? ''}/${c.name}`;
    (byKey.get(key) ?? byKey.set(key, []).get(key)!).push(c);
  }
  const ownerOf = (o: ApiObject) => o.node.scopes.find((c): c is CanaryInferenceService => c instanceof CanaryInferenceService);
  for (const s of services) s.clashProblems = [];
  for (const objects of byKey.values()) {
    if (objects.length < 2) continue;
    for (const mine of objects) {
      const me = ownerOf(mine);
      if (!me) continue;
      for (const other of objects) {
        const owner = ownerOf(other);
        if (other === mine || owner === me) continue;
        // two services: said once, by the one defined later
        if (owner && (order.get(owner) ?? 0) > (order.get(me) ?? 0)) continue;
        const by = owner ? `service ${owner.node.path} (name "${owner.name}")` : other.node.path;
        me.clashProblems!.push(
          `${mine.kind} "${mine.name}"${mine.metadata.namespace ? ` in namespace "${mine.metadata.namespace}"` : ''} is also rendered by ${by}: ` +
            'one would overwrite the other in the cluster; give the services different names or namespaces',
        );
      }
    }
  }
}

/** Props of {@link AnalysisTemplate}. */
export interface AnalysisTemplateProps extends AnalysisProps {
  /**
   * Name of the template.
   * @default - a DNS label generated from the construct path
   */
  readonly name?: string;
  /**
   * Render a ClusterAnalysisTemplate, usable by Rollouts in every namespace.
   * @default false
   */
  readonly clusterScope?: boolean;
  /**
   * Router whose request metrics the default queries read (`istio` or `nginx`).
   * @default Router.istio()
   */
  readonly router?: Router;
  /**
   * How Rollouts use the template: a step (every metric ends after `count` measurements) or in the background.
   * @default AnalysisMode.STEP
   */
  readonly mode?: AnalysisMode;
}

/**
 * An Argo Rollouts AnalysisTemplate (or ClusterAnalysisTemplate) measuring
 * guardrails: the promote threshold is the `successCondition`, the rollback
 * threshold the `failureCondition`; a value between them is Inconclusive,
 * which pauses the rollout for a human. Its args are `service`, `namespace`,
 * `canary-version`, `stable-version`, `canary-hash` and `stable-hash`.
 */
export class AnalysisTemplate extends Construct {
  /** Name of the template. */
  public readonly name: string;
  private readonly props: AnalysisTemplateProps;
  private apiObject?: ApiObject;

  constructor(scope: Construct, id: string, props: AnalysisTemplateProps = {}) {
    super(scope, id);
    this.props = props;
    this.name = props.name ?? Names.toDnsLabel(this);
    this.node.addValidation({ validate: () => this.problems() });
    try {
      this.apiObject = new ApiObject(this, 'Resource', this.render());
      // ApiObject gives every object the chart's namespace; a ClusterAnalysisTemplate has none
      if (this.props.clusterScope && Chart.of(this).namespace !== undefined) this.apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
    }
  }

  /** The rendered object, undefined while the props are invalid (validation reports why). */
  public get resource(): ApiObject | undefined {
    return this.apiObject;
  }

  private render(): KubeObject {
    const plan = parseRollout({ ...analysisInput(this.props), analysis: (this.props.mode ?? AnalysisMode.STEP).name }, []);
    const router = (this.props.router ?? Router.istio()).name;
    const problems = analysisTemplateIssues(plan, router);
    if (problems.length > 0) throw new ValidationError(problems);
    return analysisTemplate(measuredPlan(plan, router), {
      name: this.name,
      namespace: this.props.clusterScope ? undefined : Chart.of(this).namespace,
      clusterScope: this.props.clusterScope,
      router,
      terminating: (this.props.mode ?? AnalysisMode.STEP) === AnalysisMode.STEP,
    });
  }

  private problems(): string[] {
    return problemsOf(() => this.render());
  }
}
