/**
 * cdk8s constructs: a thin shell over the spec and the backends.
 */
import { ApiObject, Chart, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeObject } from '../backends';
import { CanaryServiceOptions, CanaryVersionProps, serviceInput } from '../props';
import { synthesize } from '../render';
import { assignKey } from '../routers';
import { formatIssue, normalizeService, ValidationError } from '../spec';

/** Props of {@link CanaryInferenceService}. */
export interface CanaryInferenceServiceProps extends CanaryServiceOptions {
  /**
   * Name of the service; every object's name derives from it.
   * @default - a DNS label generated from the construct path (at most 39 characters)
   */
  readonly name?: string;
}

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
  /** Name of the service. */
  public readonly name: string;
  private readonly props: CanaryInferenceServiceProps;
  private readonly versions: CanaryVersion[] = [];
  private rendered: ApiObject[] = [];

  constructor(scope: Construct, id: string, props: CanaryInferenceServiceProps) {
    super(scope, id);
    this.props = props;
    this.name = props.name ?? Names.toDnsLabel(this, { maxLen: 39 });
    this.node.addValidation({ validate: () => this.problems() });
    this.refresh();
  }

  /** Adds a canary version; returns its construct. */
  public addVersion(name: string, props: CanaryVersionProps): CanaryVersion {
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
   * The version a request with this routing key (header or query value) is assigned to, as the
   * Istio router assigns it: FNV-1a 32-bit of the key's UTF-8 bytes, mod 100, against the versions' bucket ranges.
   * @throws ValidationError when the definition is invalid; Error when routing is random or the key is empty
   */
  public versionFor(key: string): string {
    const spec = normalizeService(this.input(), { instanceTypes: this.props.instanceTypes });
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

  private render(): readonly KubeObject[] {
    return synthesize(this.input(), {
      backend: this.props.backend,
      router: this.props.router,
      instanceTypes: this.props.instanceTypes,
    }).objects;
  }

  private problems(): string[] {
    try {
      this.render();
      return [];
    } catch (e) {
      if (e instanceof ValidationError) return e.issues.map(formatIssue);
      throw e;
    }
  }

  /** Re-renders the child objects after every change; an invalid state renders none (validation reports it). */
  private refresh(): void {
    for (const obj of this.rendered) this.node.tryRemoveChild(obj.node.id);
    this.rendered = [];
    let objects: readonly KubeObject[];
    try {
      objects = this.render();
    } catch (e) {
      if (e instanceof ValidationError) return;
      throw e;
    }
    this.rendered = objects.map((o, i) => new ApiObject(this, i === 0 ? 'Resource' : `${o.kind}-${o.metadata.name}`, o));
  }
}
