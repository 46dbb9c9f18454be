/**
 * Enum-like classes that build the spec's input from code, shared by the
 * cdk8s constructs and the Pulumi component.
 */
import { ArtifactInput, EnvVarInput, RoutingInput } from './schema';

/** Options of {@link Artifact.image}. */
export interface ImageArtifactOptions {
  /**
   * A model the server loads (KServe passes it as `STORAGE_URI`).
   * @default - the image carries its model
   */
  readonly storageUri?: string;
  /**
   * Port the server listens on.
   * @default - the serving stack's default
   */
  readonly port?: number;
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

/** The value of an environment variable. */
export class EnvValue {
  /** A plain value. */
  public static fromValue(value: string): EnvValue {
    return new EnvValue((name) => ({ name, value }));
  }

  /** A key of a Secret. */
  public static fromSecret(secretName: string, key: string, options: KeyRefOptions = {}): EnvValue {
    return new EnvValue((name) => ({ name, secretKeyRef: { name: secretName, key, ...options } }));
  }

  /** A key of a ConfigMap. */
  public static fromConfigMap(configMapName: string, key: string, options: KeyRefOptions = {}): EnvValue {
    return new EnvValue((name) => ({ name, configMapKeyRef: { name: configMapName, key, ...options } }));
  }

  private constructor(private readonly build: (name: string) => EnvVarInput) {}

  /** The spec input for a variable of this name. */
  public toInput(name: string): EnvVarInput {
    return this.build(name);
  }
}
