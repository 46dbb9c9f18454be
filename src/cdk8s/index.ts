/**
 * cdk8s constructs: a thin shell over the spec and the backends.
 */
import { ApiObject, Chart, JsonPatch, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { analysisTemplate, analysisTemplateIssues, KubeObject, measuredPlan } from '../backends';
import { ConfigOverrides, LoadedConfig, loadConfigFile, specOfConfig, synthesizeConfig } from '../config';
import { AnalysisMode, AnalysisProps, analysisInput, CanaryServiceOptions, CanaryVersionProps, serviceInput } from '../props';
import { synthesize } from '../render';
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
}

const FILE = Symbol('canary-inference.file');

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

/**
 * An inference service with a main version and canary versions, rendered to
 * the chosen backend's objects. Every problem is reported by `cdk8s synth`.
 */
export class CanaryInferenceService extends Construct {
  /**
   * A service from a BentoCloud-style canary file (the CLI's format). Problems are
   * reported by `cdk8s synth` with the file's line and column, as by the CLI.
   * @param overrides settings of the file's `kubernetes:` block, in camelCase (`backend`, `router`, `namespace`, `kserveMode`, ...)
   */
  public static fromConfigFile(scope: Construct, id: string, path: string, overrides: ConfigOverrides = {}): CanaryInferenceService {
    const chartNamespace = Chart.of(scope).namespace;
    let file: FileSource;
    try {
      let config = loadConfigFile(path, overrides);
      // the file's namespace, else the chart's
      if (config.input.namespace === undefined && chartNamespace !== undefined) {
        config = loadConfigFile(path, { ...overrides, namespace: chartNamespace });
      }
      file = { config };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      file = { error: e };
    }
    const name = typeof file.config?.input.name === 'string' ? file.config.input.name : undefined;
    return new CanaryInferenceService(scope, id, { main: {}, ...(name ? { name } : {}), [FILE]: file } as CanaryInferenceServiceProps);
  }

  /** Name of the service. */
  public readonly name: string;
  private readonly props: CanaryInferenceServiceProps;
  private readonly file?: FileSource;
  private readonly versions: CanaryVersion[] = [];
  private rendered: ApiObject[] = [];
  private renderError?: ValidationError;
  private renderWarnings: readonly string[] = [];
  private reported = false;

  constructor(scope: Construct, id: string, props: CanaryInferenceServiceProps) {
    super(scope, id);
    this.props = props;
    this.file = (props as { [FILE]?: FileSource })[FILE];
    this.name = props.name ?? Names.toDnsLabel(this, { maxLen: 39 });
    this.node.addValidation({ validate: () => this.problems() });
    this.refresh();
  }

  /** Adds a canary version; returns its construct. */
  public addVersion(name: string, props: CanaryVersionProps): CanaryVersion {
    if (this.file) throw new Error(`${this.node.path} comes from a canary file: add versions to the file's canary.versions`);
    const version = new CanaryVersion(this, name, props);
    this.versions.push(version);
    this.refresh();
    return version;
  }

  /** The objects currently rendered (empty while the definition is invalid). */
  public get apiObjects(): readonly ApiObject[] {
    return this.rendered;
  }

  /**
   * What the rendering warns of (empty while the definition is invalid). `cdk8s synth` prints each once on
   * stderr with the construct's path and records it as construct metadata (`canary-inference:warning`).
   */
  public get warnings(): readonly string[] {
    return this.renderWarnings;
  }

  /**
   * The version a request with this routing key (header or query value) is assigned to, as the
   * Istio router assigns it: FNV-1a 32-bit of the key's UTF-8 bytes, mod 100, against the versions' bucket ranges.
   * @throws ValidationError when the definition is invalid; Error when routing is random or the key is empty
   */
  public versionFor(key: string): string {
    const spec = this.file ? specOfConfig(this.fileConfig()) : normalizeService(this.input(), { instanceTypes: this.props.instanceTypes });
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

  private render(): { objects: readonly KubeObject[]; warnings: readonly string[] } {
    if (this.file) return synthesizeConfig(this.fileConfig());
    return synthesize(this.input(), {
      backend: this.props.backend,
      router: this.props.router,
      instanceTypes: this.props.instanceTypes,
      stage: this.props.stage,
      promote: this.props.promote,
      rollback: this.props.rollback,
    });
  }

  /**
   * The problems of the current definition: the last rendering's (props are immutable, so only addVersion changes it).
   * Runs at synth: the warnings are reported here, once, or are problems with `failOnWarnings`.
   */
  private problems(): string[] {
    if (this.renderError) return this.renderError.issues.map(formatIssue);
    if (this.props.failOnWarnings) return this.renderWarnings.map((w) => `warning (failOnWarnings): ${w}`);
    if (!this.reported) {
      this.reported = true;
      for (const w of this.renderWarnings) {
        this.node.addMetadata(WARNING_METADATA, w);
        process.stderr.write(`[canary-inference] warning: ${this.node.path}: ${w}\n`);
      }
    }
    return [];
  }

  /** Re-renders the child objects after every change; an invalid state renders none (validation reports it). */
  private refresh(): void {
    for (const obj of this.rendered) this.node.tryRemoveChild(obj.node.id);
    this.rendered = [];
    this.renderError = undefined;
    this.renderWarnings = [];
    let objects: readonly KubeObject[];
    try {
      const out = this.render();
      objects = out.objects;
      this.renderWarnings = out.warnings;
    } catch (e) {
      if (e instanceof ValidationError) {
        this.renderError = e;
        return;
      }
      throw e;
    }
    this.rendered = objects.map((o, i) => new ApiObject(this, i === 0 ? 'Resource' : `${o.kind}-${o.metadata.name}`, o));
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
