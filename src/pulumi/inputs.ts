/**
 * The Pulumi front end's own input types: the constructs' props, where a value
 * that may come from another resource (the namespace, an image, a storage URI,
 * an environment variable's value, a Secret's name) is a `pulumi.Input`.
 *
 * An Output is rendered as a stand-in that passes the same checks as a real
 * value of its kind; {@link Placeholders} remembers each one, so the component
 * can put the Output's value in its place once it resolves.
 */
import * as pulumi from '@pulumi/pulumi';
import { CanaryServiceOptions, CanaryVersionProps, VersionProps } from '../props';
import {
  Artifact as CoreArtifact,
  EnvValue as CoreEnvValue,
  ImageArtifactOptions,
  IssuePath,
  KeyRefOptions,
  ModelArtifactOptions,
  PlainValueOptions,
} from '../spec';

/**
 * What a value is, so its stand-in passes the checks a real value of its kind passes:
 * `name` a DNS-1123 label (namespaces, Secret and ConfigMap names), `image` a container image reference,
 * `uri` a storage URI, `text` any string.
 */
export type ValueKind = 'name' | 'image' | 'uri' | 'text';

/** Gives the text to render for a value: a plain value as it is, an Output (or a Promise) as a stand-in. */
export type InputResolver = (value: pulumi.Input<string>, kind: ValueKind, path: IssuePath) => string;

/** Start of every stand-in's token (a longer one when the plain values hold it). */
export const STAND_IN_PREFIX = 'pulumiinput';

/** An Output rendered as a stand-in. */
export interface Placeholder {
  /** The stand-in text, exactly as it went into the input. */
  readonly standIn: string;
  /** The part of the stand-in that marks it in rendered text. */
  readonly token: string;
  /** Where the value was given, in code words. */
  readonly path: IssuePath;
  /** The value. */
  readonly value: pulumi.Output<string>;
}

function isDeferred(value: unknown): value is pulumi.Output<string> | PromiseLike<string> {
  return pulumi.Output.isInstance(value) || (typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function');
}

/** Stand-ins of one rendering. Tokens are `PREFIX<n>z`: none is a part of another. */
export class Placeholders {
  /** Every stand-in, in the order given. */
  public readonly list: Placeholder[] = [];
  private readonly byValue = new Map<unknown, Map<string, Placeholder>>();

  constructor(private readonly prefix: string) {}

  /** See {@link InputResolver}. */
  public readonly resolve: InputResolver = (value, kind, path) => {
    if (!isDeferred(value)) return value as string;
    const shape = kind === 'uri' ? 'uri' : 'text';
    const known = this.byValue.get(value)?.get(shape);
    if (known) return known.standIn;
    const token = `${this.prefix}${this.list.length}z`;
    // lower-case letters and digits: a DNS label, an image reference and a plain string; a URI needs a scheme,
    // and every backend's storage checks take s3 (the resolved URI is checked again, with its own scheme)
    const standIn = shape === 'uri' ? `s3://${token}` : token;
    const placeholder: Placeholder = { standIn, token, path, value: pulumi.output(value) };
    this.list.push(placeholder);
    if (!this.byValue.has(value)) this.byValue.set(value, new Map());
    this.byValue.get(value)!.set(shape, placeholder);
    return standIn;
  };

  /** The stand-ins whose token occurs in `text`. */
  public within(text: string): Placeholder[] {
    return this.list.filter((p) => text.includes(p.token));
  }

  /** Whether a plain value of `input` (every stand-in left out) holds this rendering's token prefix. */
  public clashWith(input: unknown): boolean {
    const standIns = new Set(this.list.map((p) => p.standIn));
    const text = JSON.stringify(input, (_, v: unknown) => (typeof v === 'string' && standIns.has(v) ? undefined : v)) ?? '';
    return text.includes(this.prefix);
  }
}

type Build<T> = (resolve: InputResolver, path: IssuePath) => T;

// the builders of this module's choices, out of their public surface
const builders = new WeakMap<object, Build<unknown>>();

/** Options of {@link Artifact.image}: those of the main entry's `Artifact.image`, with a storage URI that may come from another resource. */
export interface ImageArtifactArgs extends Omit<ImageArtifactOptions, 'storageUri'> {
  /**
   * A model the server loads (KServe passes it as `STORAGE_URI`), e.g. a bucket's URI.
   * @default - the image carries its model
   */
  readonly storageUri?: pulumi.Input<string>;
}

/** Options of {@link Artifact.model}: those of the main entry's `Artifact.model`, with a storage URI that may come from another resource. */
export interface ModelArtifactArgs extends Omit<ModelArtifactOptions, 'storageUri'> {
  /** Where the model is stored, e.g. `s3://bucket/model` or a bucket's URI from another resource. */
  readonly storageUri: pulumi.Input<string>;
}

/**
 * What a version serves: the main entry's `Artifact`, where an image reference and a storage URI
 * may be a `pulumi.Input` (e.g. the image a `docker.Image` pushed).
 */
export class Artifact {
  /** A BentoML bento, `name:version`; served from its container image. */
  public static bento(tag: string): Artifact {
    return new Artifact(() => CoreArtifact.bento(tag));
  }

  /** Any model-server container image. */
  public static image(image: pulumi.Input<string>, options: ImageArtifactArgs = {}): Artifact {
    return new Artifact((resolve, path) => {
      const { storageUri, ...rest } = options;
      return CoreArtifact.image(resolve(image, 'image', [...path, 'image']), {
        ...rest,
        ...(storageUri !== undefined ? { storageUri: resolve(storageUri, 'uri', [...path, 'storageUri']) } : {}),
      });
    });
  }

  /** A stored model served by the serving stack's runtime for its format. */
  public static model(options: ModelArtifactArgs): Artifact {
    return new Artifact((resolve, path) => CoreArtifact.model({ ...options, storageUri: resolve(options.storageUri, 'uri', [...path, 'storageUri']) }));
  }

  // a private member makes the type nominal: no other object passes for an Artifact
  private constructor(private readonly build: Build<CoreArtifact>) {
    builders.set(this, this.build);
  }
}

/**
 * The value of an environment variable: the main entry's `EnvValue`, where a plain value and the name of a
 * Secret or ConfigMap may be a `pulumi.Input`.
 */
export class EnvValue {
  /**
   * A plain value. A name that looks like a credential (`*_TOKEN`, `*_PASSWORD`,
   * `*_SECRET`, `*_KEY`, ...) is refused unless `allowPlaintext` says it is not a secret.
   */
  public static fromValue(value: pulumi.Input<string>, options: PlainValueOptions = {}): EnvValue {
    return new EnvValue((resolve, path) => CoreEnvValue.fromValue(resolve(value, 'text', path), options));
  }

  /** A key of a Secret, e.g. of a `k8s.core.v1.Secret` created beside the service (`secret.metadata.name`). */
  public static fromSecret(secretName: pulumi.Input<string>, key: string, options: KeyRefOptions = {}): EnvValue {
    return new EnvValue((resolve, path) => CoreEnvValue.fromSecret(resolve(secretName, 'name', [...path, 'secretName']), key, options));
  }

  /** A key of a ConfigMap, e.g. of a `k8s.core.v1.ConfigMap` created beside the service. */
  public static fromConfigMap(configMapName: pulumi.Input<string>, key: string, options: KeyRefOptions = {}): EnvValue {
    return new EnvValue((resolve, path) => CoreEnvValue.fromConfigMap(resolve(configMapName, 'name', [...path, 'configMapName']), key, options));
  }

  // a private member makes the type nominal: no other object passes for an EnvValue
  private constructor(private readonly build: Build<CoreEnvValue>) {
    builders.set(this, this.build);
  }
}

/** Settings of a version, as in the constructs' props; an artifact and env values may come from other resources. */
export interface VersionArgs extends Omit<VersionProps, 'artifact' | 'env'> {
  /**
   * What the version serves (this entry's `Artifact`, or the main entry's).
   * @default - main's artifact (required on main)
   */
  readonly artifact?: Artifact | CoreArtifact;
  /**
   * Environment variables (this entry's `EnvValue`, or the main entry's); a canary's are merged over main's by name.
   * @default - none
   */
  readonly env?: Readonly<Record<string, EnvValue | CoreEnvValue>>;
}

/** A canary version, as in the constructs' props. */
export interface CanaryVersionArgs extends VersionArgs, Pick<CanaryVersionProps, 'weight' | 'mirror'> {}

/** The definition of a service, as in the constructs' props, with the namespace a `pulumi.Input`. */
export interface CanaryServiceArgs extends Omit<CanaryServiceOptions, 'namespace' | 'main'> {
  /**
   * Namespace of every object, e.g. `ns.metadata.name` of a `k8s.core.v1.Namespace`.
   * @default - the provider's namespace
   */
  readonly namespace?: pulumi.Input<string>;
  /** The main (stable) version. */
  readonly main: VersionArgs;
}

/** The main entry's choice a choice of this module builds; anything else as it is. */
function built(choice: unknown, resolve: InputResolver, path: IssuePath): unknown {
  const build = typeof choice === 'object' && choice !== null ? builders.get(choice) : undefined;
  // anything else (the main entry's classes, or a mistake the props' checks name) goes through as it is
  return build ? build(resolve, path) : choice;
}

/** Whether `value` is one of this module's choices (its Inputs are taken care of). */
export function isInputChoice(value: unknown): boolean {
  return typeof value === 'object' && value !== null && builders.has(value);
}

/** A version's props as the main entry takes them (`versionInput`), every Output rendered as a stand-in. */
export function versionProps<V extends VersionArgs>(version: V, path: IssuePath, resolve: InputResolver): Omit<V, 'artifact' | 'env'> & VersionProps {
  if (typeof version !== 'object' || version === null) return version;
  const env = version.env;
  return {
    ...version,
    artifact: built(version.artifact, resolve, [...path, 'artifact']) as CoreArtifact | undefined,
    env:
      typeof env === 'object' && env !== null
        ? Object.fromEntries(Object.entries(env).map(([name, value]) => [name, built(value, resolve, [...path, 'env', name]) as CoreEnvValue]))
        : (env as undefined),
  };
}
