/**
 * Enum-like classes that build the spec's input from code, shared by the
 * cdk8s constructs and the Pulumi component.
 */
import { ArtifactInput, EnvVarInput, RoutingInput } from './input';

/** Options of {@link Artifact.image}. */
export interface ImageArtifactOptions {
  /**
   * A model the server loads (KServe passes it as `STORAGE_URI`).
   * @default - the image carries its model
   */
  readonly storageUri?: string;
  /**
   * Port the server listens on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * HTTP path that answers once the server is ready to serve (the readiness probe).
   * @default - a TCP check on the port
   */
  readonly readinessPath?: string;
  /**
   * HTTP path that answers while the server is alive (the liveness probe).
   * @default - a TCP check on the port
   */
  readonly livenessPath?: string;
  /**
   * Numeric user id the image runs as. The kubelet can only verify that a
   * container runs as non-root with a numeric user, so a user named in the
   * image's Dockerfile (`USER app`) needs its number here.
   * @default 1000
   */
  readonly user?: number;
  /**
   * Numeric group id the image runs as.
   * @default - the user id
   */
  readonly group?: number;
}

/** Options of {@link Artifact.model}. */
export interface ModelArtifactOptions {
  /** Where the model is stored, e.g. `s3://bucket/model`. */
  readonly storageUri: string;
  /** Model format, e.g. `sklearn`, `xgboost`, `huggingface`. @see KServe `modelFormat.name` */
  readonly format: string;
  /**
   * Version of the model format.
   * @default - any
   */
  readonly formatVersion?: string;
  /**
   * Serving runtime to use.
   * @default - the serving stack picks one for the format
   */
  readonly runtime?: string;
}

/** What a version serves. */
export class Artifact {
  /** A BentoML bento, `name:version`; served from its container image. */
  public static bento(tag: string): Artifact {
    return new Artifact({ type: 'bento', tag });
  }

  /** Any model-server container image. */
  public static image(image: string, options: ImageArtifactOptions = {}): Artifact {
    return new Artifact({ type: 'image', image, ...options });
  }

  /** A stored model served by the serving stack's runtime for its format. */
  public static model(options: ModelArtifactOptions): Artifact {
    return new Artifact({ type: 'model', ...options });
  }

  private constructor(
    /** The spec input this artifact stands for. */
    public readonly input: ArtifactInput,
  ) {}
}

/** An instance type from the catalog (see the README's table). */
export class InstanceType {
  /** An instance type by name, e.g. `cpu.2` or `gpu.l4.1`. */
  public static of(name: string): InstanceType {
    return new InstanceType(name);
  }

  private constructor(public readonly name: string) {}
}

/** How requests are assigned to versions. */
export class Routing {
  /** Weighted random split. */
  public static random(): Routing {
    return new Routing({ type: 'random' });
  }

  /** Sticky: a hash of this header picks the version. */
  public static header(name: string): Routing {
    return new Routing({ type: 'header', key: name });
  }

  /** Sticky: a hash of this query parameter picks the version. */
  public static query(name: string): Routing {
    return new Routing({ type: 'query', key: name });
  }

  private constructor(public readonly input: RoutingInput) {}
}

/** The metric a version autoscales on. */
export class ScaleMetric {
  /** CPU utilization, percent of the request (HPA). */
  public static readonly CPU = new ScaleMetric('cpu');
  /** Memory utilization, percent of the request (HPA). */
  public static readonly MEMORY = new ScaleMetric('memory');
  /** Concurrent requests per replica (Knative). */
  public static readonly CONCURRENCY = new ScaleMetric('concurrency');
  /** Requests per second per replica (Knative). */
  public static readonly RPS = new ScaleMetric('rps');

  private constructor(public readonly name: 'cpu' | 'memory' | 'concurrency' | 'rps') {}
}

/** Options of a reference to a Secret or ConfigMap key. */
export interface KeyRefOptions {
  /**
   * Start the container even when the key is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/** Anything with a name: a Secret's or ConfigMap's name, or the object itself (e.g. a cdk8s-plus `Secret`). */
export interface NamedObject {
  /** Name of the object. */
  readonly name: string;
}

/** The name of `ref`: a string, or an object's `name`. */
function nameOf(ref: string | NamedObject): string {
  return typeof ref === 'string' ? ref : ref?.name;
}

/** The value of an environment variable. */
export class EnvValue {
  /**
   * A plain value. A name that looks like a credential (`*_TOKEN`, `*_PASSWORD`,
   * `*_SECRET`, `*_KEY`, ...) is refused unless `allowPlaintext` says it is not a secret.
   */
  public static fromValue(value: string, options: PlainValueOptions = {}): EnvValue {
    return new EnvValue((name) => ({ name, value, ...(options.allowPlaintext ? { allowPlaintext: true } : {}) }));
  }

  /** A key of a Secret, given by name or as the object (anything with a `name`, e.g. a cdk8s-plus `Secret`). */
  public static fromSecret(secret: string | NamedObject, key: string, options: KeyRefOptions = {}): EnvValue {
    return new EnvValue((name) => ({ name, secretKeyRef: { name: nameOf(secret), key, ...options } }));
  }

  /** A key of a ConfigMap, given by name or as the object (anything with a `name`, e.g. a cdk8s-plus `ConfigMap`). */
  public static fromConfigMap(configMap: string | NamedObject, key: string, options: KeyRefOptions = {}): EnvValue {
    return new EnvValue((name) => ({ name, configMapKeyRef: { name: nameOf(configMap), key, ...options } }));
  }

  private constructor(private readonly build: (name: string) => EnvVarInput) {}

  /** The spec input for a variable of this name. */
  public toInput(name: string): EnvVarInput {
    return this.build(name);
  }
}

/** Options of {@link EnvValue.fromValue}. */
export interface PlainValueOptions {
  /**
   * Allow a plain value for a name that looks like a credential (it is not a secret).
   * @default false
   */
  readonly allowPlaintext?: boolean;
}

/** The seccomp profile of a version's pods. */
export class SeccompProfile {
  /** The container runtime's default profile (required by the restricted profile). */
  public static readonly RUNTIME_DEFAULT = new SeccompProfile('RuntimeDefault');
  /** No seccomp filtering: an explicit opt-out of the restricted profile. */
  public static readonly UNCONFINED = new SeccompProfile('Unconfined');

  private constructor(public readonly name: 'RuntimeDefault' | 'Unconfined') {}
}

/** Thresholds of a guardrail where lower is better. */
export interface LowerIsBetterOptions {
  /**
   * Promote (move to the next stage) when the value is below this.
   * @default - the guardrail's default
   */
  readonly promoteBelow?: number;
  /**
   * Roll back when the value is above this. Between the two thresholds the rollout holds.
   * @default - the guardrail's default
   */
  readonly rollbackAbove?: number;
  /**
   * PromQL returning one value for the canary; may use `{{args.service}}`, `{{args.namespace}}`, `{{args.canary-version}}`.
   * @default - the router's request metrics (istio, nginx)
   */
  readonly query?: string;
}

/** Options of {@link Guardrail.predictionDriftPsi}: the server's PSI metric, a query or a drift detector's URL. */
export interface DriftGuardrailOptions extends LowerIsBetterOptions {
  /**
   * The gauge of the PSI the model server exports, read per version from the pods the PodMonitor scrapes.
   * @default - the query or url
   */
  readonly metric?: string;
  /**
   * HTTP endpoint of a drift detector returning the PSI (Argo Rollouts' web provider), instead of a query.
   * @default - the query
   */
  readonly url?: string;
  /**
   * JSON path of the PSI in the detector's response.
   * @default '{$.psi}'
   */
  readonly jsonPath?: string;
}

/**
 * Options of {@link Guardrail.businessMetricDelta}: the counters the model server exports (the delta is the
 * canary's success rate per prediction relative to main's), or a query of your own.
 */
export interface BusinessMetricOptions {
  /**
   * Counter of successful predictions (e.g. conversions), read per version.
   * @default - the query
   */
  readonly success?: string;
  /**
   * Counter of all predictions, read per version.
   * @default - the query
   */
  readonly total?: string;
  /**
   * PromQL of the canary's relative change against main.
   * @default - from success and total
   */
  readonly query?: string;
  /**
   * Promote when the delta is above this.
   * @default 0
   */
  readonly promoteAbove?: number;
  /**
   * Roll back when the delta is below this.
   * @default -0.03
   */
  readonly rollbackBelow?: number;
}

/** A typed guardrail metric with a promote and a rollback threshold. */
export class Guardrail {
  /** Share of requests answered with a 5xx (defaults: promote below 0.005, roll back above 0.01). */
  public static errorRate(options: LowerIsBetterOptions = {}): Guardrail {
    return new Guardrail('errorRate', { ...options });
  }

  /** 99th percentile latency in milliseconds (defaults: promote below 200, roll back above 500). */
  public static p99LatencyMs(options: LowerIsBetterOptions = {}): Guardrail {
    return new Guardrail('p99LatencyMs', { ...options });
  }

  /** Population stability index of the canary's predictions (defaults: promote below 0.1, roll back above 0.2). */
  public static predictionDriftPsi(options: DriftGuardrailOptions): Guardrail {
    return new Guardrail('predictionDriftPsi', { ...options });
  }

  /** A business metric of the canary relative to main (defaults: promote above 0, roll back below -0.03). */
  public static businessMetricDelta(options: BusinessMetricOptions): Guardrail {
    return new Guardrail('businessMetricDelta', { ...options });
  }

  private constructor(
    /** The guardrail's key in the spec (`errorRate`, ...). */
    public readonly kind: 'errorRate' | 'p99LatencyMs' | 'predictionDriftPsi' | 'businessMetricDelta',
    /** The spec's input of its thresholds and source. */
    public readonly input: Readonly<Record<string, unknown>>,
  ) {}
}
