/**
 * The ComponentResource: one Pulumi resource per rendered object. A thin
 * shell: validation and rendering are the spec's and the backends', as for
 * cdk8s and the CLI.
 *
 * Values from Outputs are rendered as stand-ins first (so every resource
 * exists at preview), and each rendered string holding one becomes an Output
 * of the same string rendered again, with the same checks, from the resolved
 * values.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { CanaryServiceArgs, CanaryVersionArgs, InputResolver, isInputChoice, Placeholders, STAND_IN_PREFIX, versionProps } from './inputs';
import { dependenciesOf, KubeObject } from '../backends';
import { ConfigOverrides, ConfigSynthesizeOptions, loadConfigFile, synthesizeConfig } from '../config';
import { validateAgainstCrds } from '../crd';
import { serviceInputCollecting } from '../props';
import { Synthesized, synthesizeWith } from '../render';
import { ConfigFileError, describeValue, formatIssue, formatPath, Issue, IssuePath, ValidationError } from '../spec';

/** The Pulumi type token of the component. */
export const COMPONENT_TYPE = 'canary-inference:index:CanaryInferenceService';

/**
 * Arguments of {@link CanaryInferenceService}: the same definition as the cdk8s construct's props, where the
 * namespace, images, storage URIs and env values may come from other resources (`pulumi.Input`).
 */
export interface CanaryInferenceServiceArgs extends CanaryServiceArgs {
  /**
   * Name of the service; every object's name derives from it.
   * @default - the resource name
   */
  readonly serviceName?: string;
  /**
   * Canary versions by name.
   * @default - none
   */
  readonly versions?: Readonly<Record<string, CanaryVersionArgs>>;
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

/**
 * Options of {@link CanaryInferenceService.fromConfigFile}: the settings of the file's `kubernetes:` block
 * (in camelCase; each wins over the file), the instance-type catalog, and what the CLI's `--stage`, `--promote`
 * and `--rollback` render; the namespace may come from another resource.
 */
export interface CanaryInferenceServiceFileOptions extends Omit<ConfigOverrides, 'namespace' | 'words'>, ConfigSynthesizeOptions {
  /**
   * Namespace of every object, e.g. `ns.metadata.name` of a `k8s.core.v1.Namespace`.
   * @default - the file's `kubernetes.namespace`, else the provider's namespace
   */
  readonly namespace?: pulumi.Input<string>;
}

/** Options of {@link CanaryInferenceService}: Pulumi's, plus the cluster's CRDs. */
export interface CanaryInferenceServiceOptions extends pulumi.ComponentResourceOptions {
  /**
   * Namespace of every object.
   * @deprecated give `namespace` in the args (or in the options of `fromConfigFile`), which take an Output too
   * @default - the args' namespace
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

/** A canary file and how to read it. */
interface FileSource {
  readonly path: string;
  readonly options: CanaryInferenceServiceFileOptions;
}

const FILE = Symbol('canary-inference.file');

/** Objects created by the program's components, per project and stack: object identity -> component name. */
const CLAIMED = new Map<string, Map<string, string>>();

/**
 * Forgets the objects claimed so far: for test runners, where each test is a program of its own in one process.
 * @internal
 */
export function forgetClaims(): void {
  CLAIMED.clear();
}

/** An object's identity in the cluster. */
function objectKey(o: KubeObject): string {
  return `${o.apiVersion.split('/').length > 1 ? o.apiVersion.split('/')[0] : ''}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** What the component renders: its input (with stand-ins), and the rendering of it with values put in. */
interface Plan {
  readonly input: unknown;
  /** Renders the input; `values` replace the stand-ins they are keyed by. */
  render(values?: ReadonlyMap<string, string>): Synthesized;
}

type Path = (string | number)[];

/**
 * An inference service with a main version and canary versions, created as
 * the chosen backend's Kubernetes objects. Invalid definitions fail with a
 * `ResourceError` on the component listing every problem, in the words of the CLI.
 */
export class CanaryInferenceService extends pulumi.ComponentResource {
  /**
   * A component from a BentoCloud-style canary file (the CLI's format).
   * @param options settings of the file's `kubernetes:` block (in camelCase), the instance-type catalog, and the state to render
   */
  public static fromConfigFile(
    name: string,
    path: string,
    options: CanaryInferenceServiceFileOptions = {},
    opts: CanaryInferenceServiceOptions = {},
  ): CanaryInferenceService {
    const source: FileSource = { path, options };
    return new CanaryInferenceService(name, { [FILE]: source } as unknown as CanaryInferenceServiceArgs, opts);
  }

  /** Name of the service. */
  public readonly serviceName: string;
  /** Namespace of the objects, when set. */
  public readonly namespace: pulumi.Output<string | undefined>;
  /** Every version: role, weight and (with a router) host. */
  public readonly versions: pulumi.Output<Readonly<Record<string, VersionOutput>>>;
  /** In-cluster host clients call, when the service has a Service of its own name (routers, Argo Rollouts). */
  public readonly host: pulumi.Output<string | undefined>;
  /** The created resources, one per rendered object, in order. */
  public readonly resources: readonly pulumi.CustomResource[];
  /** Warnings of the rendering (also logged); a value from an Output shows as `<path>`, e.g. `<namespace>`. */
  public readonly warnings: readonly string[];

  constructor(name: string, args: CanaryInferenceServiceArgs, opts: CanaryInferenceServiceOptions = {}) {
    const { namespace: legacyNamespace, clusterCrds, ...componentOpts } = opts;
    super(COMPONENT_TYPE, name, {}, componentOpts);
    const file = (args as unknown as { [FILE]?: FileSource } | undefined)?.[FILE];

    const stray = file ? strayOutputs(file.options, [], new Set(), true) : strayOutputs(args, [], new Set(), true);
    if (stray.length > 0) throw this.inputError(new ValidationError(stray));
    let plan: Plan;
    let placeholders: Placeholders;
    try {
      ({ plan, placeholders } = prepare((resolve) =>
        file ? planFromFile(file, legacyNamespace, resolve) : planFromArgs(name, args, legacyNamespace, resolve),
      ));
    } catch (e) {
      throw this.inputError(e);
    }
    const words = new Words(placeholders);
    let before: Synthesized;
    try {
      before = plan.render();
    } catch (e) {
      throw this.inputError(e, words);
    }
    if (clusterCrds !== undefined) {
      const refused = this.refusedBy(clusterCrds, before.objects);
      if (refused.length > 0) throw this.refusedError(refused.map((l) => words.rewrite(l)));
    }

    const spec = before.spec;
    this.serviceName = spec.name;
    this.warnings = before.warnings.map((w) => words.rewrite(w));
    const known = before.warnings.filter((w) => placeholders.within(w).length === 0);
    for (const w of known) void pulumi.log.warn(w, this);
    const plainWarnings = new Set(known);

    // the rendering again, from the resolved values, checked as plain values are: every string holding a stand-in takes its text from it
    const settled =
      placeholders.list.length === 0
        ? undefined
        : pulumi.unsecret(
          pulumi
            .all([pulumi.all(placeholders.list.map((p) => p.value)), pulumi.all(placeholders.list.map((p) => pulumi.isSecret(p.value)))])
            .apply(([values, secret]) => this.settle(plan, before, placeholders, values, secret, plainWarnings, clusterCrds)),
        );
    /** A value of the rendering: as rendered, or once the Outputs it holds resolve, as rendered from them. */
    const fromRendering = <T>(f: (r: Synthesized) => T, always = false): pulumi.Input<T> => {
      const now = f(before);
      const used = placeholders.within(JSON.stringify(now) ?? '');
      if (!settled || (used.length === 0 && !always)) return now;
      const inputs: pulumi.Input<unknown>[] = [settled, ...used.map((p) => p.value)];
      return pulumi.all(inputs).apply(([r]) => f(r as Synthesized)) as pulumi.Output<T>;
    };

    // every body first: a stand-in that would name a key fails before any resource exists
    const bodies = before.objects.map((obj, i) => {
      if (!settled) return obj;
      const leaf = (s: string, path: Path) => (placeholders.within(s).length > 0 ? fromRendering((r) => leafAt(r.objects[i], path) as string) : s);
      const key = (k: string, path: Path) => {
        const within = placeholders.within(k);
        if (within.length === 0) return;
        throw this.inputError(new ValidationError(within.map((p) => ({
          path: p.path,
          message: `would be part of the key ${JSON.stringify(words.rewrite(k))} at ${formatPath(path)} of ${obj.kind}/${words.rewrite(obj.metadata.name)}, and a key cannot wait for an Output; give a plain value`,
        }))));
      };
      return mapStrings(obj, [], leaf, key) as KubeObject;
    });
    this.claim(name, before.objects, words);
    const created = new Map<KubeObject, pulumi.CustomResource>();
    before.objects.forEach((obj, i) => {
      const dependsOn = dependenciesOf(obj, before.objects).map((d) => created.get(d)).filter((r): r is pulumi.CustomResource => r !== undefined);
      // a stand-in in a name shows as where its Output was given (`namespace`): a resource name cannot wait for an Output
      const resourceName = `${name}-${obj.kind.toLowerCase()}-${words.rewrite(obj.metadata.name, (p) => formatPath(p.path))}`;
      created.set(obj, createResource(resourceName, bodies[i], { parent: this, ...(dependsOn.length > 0 ? { dependsOn } : {}) }));
    });
    this.resources = [...created.values()];

    // the outputs wait for the check of the resolved values, so a failed check fails the update
    this.namespace = pulumi.output(fromRendering((r) => r.spec.namespace, true));
    this.versions = pulumi.output(fromRendering(versionsOf, true)) as pulumi.Output<Readonly<Record<string, VersionOutput>>>;
    this.host = pulumi.output(fromRendering(hostOf, true));
    this.registerOutputs({ serviceName: this.serviceName, namespace: this.namespace, versions: this.versions, host: this.host });
  }

  /** Renders from the resolved values and checks them as plain values; throws a ResourceError on the component. */
  private settle(
    plan: Plan,
    before: Synthesized,
    placeholders: Placeholders,
    values: readonly unknown[],
    secret: readonly boolean[],
    plainWarnings: ReadonlySet<string>,
    clusterCrds: string | readonly string[] | undefined,
  ): Synthesized {
    const redact = (text: string) =>
      values.reduce<string>((t, v, i) => (secret[i] && typeof v === 'string' && v !== '' ? t.split(describeValue(v)).join('a secret').split(v).join('[secret]') : t), text);
    const fail = (message: string) => new pulumi.ResourceError(redact(message), this, true);
    const wrong: Issue[] = placeholders.list.flatMap((p, i) =>
      typeof values[i] === 'string' ? [] : [{ path: p.path, message: `must be a string, got ${describeValue(values[i])} from its Output; give an Output of a string` }],
    );
    if (wrong.length > 0) throw fail(problems(wrong));
    let after: Synthesized;
    try {
      after = plan.render(new Map(placeholders.list.map((p, i) => [p.standIn, values[i] as string])));
    } catch (e) {
      if (e instanceof ValidationError) throw fail(problems(e.issues));
      throw e;
    }
    if (clusterCrds !== undefined) {
      const refused = this.refusedBy(clusterCrds, after.objects);
      if (refused.length > 0) throw fail(this.refusedError(refused).message);
    }
    const isStandIn = (s: string) => placeholders.within(s).length > 0;
    const at = firstDifference(before.objects, after.objects, isStandIn, []);
    if (at !== undefined) {
      const obj = before.objects[at[0] as number];
      const given = placeholders.list.map((p) => formatPath(p.path)).join(', ');
      const where = obj ? `${obj.kind}/${after.objects[at[0] as number]?.metadata.name ?? obj.metadata.name} at ${formatPath(at.slice(1))}` : 'the list of objects';
      throw fail(`the values of ${given} change the shape of ${where}, not only its text, so they cannot come from Outputs here; give them as plain values`);
    }
    for (const w of after.warnings) if (!plainWarnings.has(w)) void pulumi.log.warn(redact(w), this);
    return after;
  }

  /**
   * Claims this component's objects in the program (one stack): two components rendering the same object
   * (kind, namespace, name) would overwrite each other in the cluster, so the second is an error naming both.
   * A namespace from an Output is compared as the Output it is (two different Outputs are not compared).
   */
  private claim(name: string, objects: readonly KubeObject[], words: Words): void {
    const scope = `${pulumi.getProject()}/${pulumi.getStack()}`;
    const claimed = (CLAIMED.get(scope) ?? CLAIMED.set(scope, new Map()).get(scope))!;
    const clashes = objects.flatMap((o) => {
      const owner = claimed.get(objectKey(o));
      return owner !== undefined && owner !== name ? [{ obj: o, owner }] : [];
    });
    if (clashes.length > 0) {
      throw new pulumi.ResourceError(
        clashes
          .map(({ obj, owner }) =>
            `${obj.kind} "${words.rewrite(obj.metadata.name)}"${obj.metadata.namespace ? ` in namespace "${words.rewrite(obj.metadata.namespace)}"` : ''} is also created by component "${owner}": ` +
            'one would overwrite the other in the cluster; give the services different names (serviceName) or namespaces',
          )
          .join('\n'),
        this,
        true,
      );
    }
    for (const o of objects) claimed.set(objectKey(o), name);
  }

  /** An input problem as a ResourceError on this component; anything else as it is. */
  private inputError(e: unknown, words?: Words): Error {
    if (e instanceof ValidationError) return new pulumi.ResourceError(problems(e.issues, words), this, true);
    if (e instanceof ConfigFileError) return new pulumi.ResourceError(e.message, this, true);
    return e as Error;
  }

  /** What the cluster's CRDs refuse; CRDs that cannot be read are a ResourceError (of the option clusterCrds). */
  private refusedBy(clusterCrds: string | readonly string[], objects: readonly KubeObject[]): string[] {
    try {
      return validateAgainstCrds(objects, clusterCrds);
    } catch (e) {
      throw new pulumi.ResourceError(`clusterCrds: ${(e as Error).message}`, this, true);
    }
  }

  private refusedError(lines: readonly string[]): pulumi.ResourceError {
    return new pulumi.ResourceError(`the cluster's CRDs refuse:\n${lines.map((l) => `  ${l}`).join('\n')}`, this, true);
  }
}

/** Tries token prefixes until none occurs in the plain values of the input. */
function prepare(make: (resolve: InputResolver) => Plan): { plan: Plan; placeholders: Placeholders } {
  for (let prefix = STAND_IN_PREFIX; ; prefix += 'x') {
    const placeholders = new Placeholders(prefix);
    const plan = make(placeholders.resolve);
    if (!placeholders.clashWith(plan.input)) return { plan, placeholders };
  }
}

function planFromArgs(name: string, args: CanaryInferenceServiceArgs, legacyNamespace: string | undefined, resolve: InputResolver): Plan {
  const { serviceName, versions, stage, promote, rollback, namespace, main, ...options } = args;
  const ns = namespace ?? legacyNamespace;
  const { input, issues } = serviceInputCollecting(
    serviceName ?? name,
    { ...options, main: versionProps(main, ['main'], resolve), namespace: ns === undefined ? undefined : resolve(ns, 'name', ['namespace']) },
    Object.entries(versions ?? {}).map(([n, v]) => [n, versionProps(v, ['versions', n], resolve)] as const),
  );
  const synth = { backend: args.backend, router: args.router, instanceTypes: args.instanceTypes, stage, promote, rollback };
  // the props' own problems (a string where a class is expected) come with every other problem
  return { input, render: (values) => synthesizeWith(values ? substitute(input, values) : input, synth, issues) };
}

function planFromFile(source: FileSource, legacyNamespace: string | undefined, resolve: InputResolver): Plan {
  const { namespace, instanceTypes, stage, promote, rollback, ...overrides } = source.options;
  const ns = namespace ?? legacyNamespace;
  const config = loadConfigFile(source.path, { ...overrides, ...(ns !== undefined ? { namespace: resolve(ns, 'name', ['namespace']) } : {}) });
  const synth = { instanceTypes, stage, promote, rollback };
  return {
    input: config.input,
    render: (values) => synthesizeConfig(values ? { ...config, input: substitute(config.input, values) as Record<string, unknown> } : config, synth),
  };
}

/**
 * Outputs (and Promises) where the args take plain values only: each would render as Pulumi's
 * "Calling [toJSON] on an [Output<T>]" text, so each is a problem instead.
 */
function strayOutputs(value: unknown, path: Path, seen: Set<object>, root = false): Issue[] {
  if (typeof value !== 'object' || value === null || seen.has(value) || isInputChoice(value)) return [];
  seen.add(value);
  if (pulumi.Output.isInstance(value) || typeof (value as PromiseLike<unknown>).then === 'function' || pulumi.Resource.isInstance(value)) {
    const what = pulumi.Resource.isInstance(value) ? 'a pulumi Resource' : pulumi.Output.isInstance(value) ? 'a pulumi Output' : 'a Promise';
    return [{
      path,
      message:
        `must be a plain value, got ${what}; Outputs are taken by namespace, an Artifact's image and storage URI, and an EnvValue's value and ` +
        'Secret or ConfigMap name (use this entry\'s Artifact and EnvValue): give a plain value here',
    }];
  }
  return Object.entries(value).flatMap(([k, v]) => (root && k === 'namespace' ? [] : strayOutputs(v, [...path, Array.isArray(value) ? Number(k) : k], seen)));
}

/** `value` with every string equal to a key of `values` replaced. */
function substitute(value: unknown, values: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return values.has(value) ? values.get(value) : value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
  return value;
}

/** `value` with every string mapped by `leaf`; `key` sees every key. */
function mapStrings(value: unknown, path: Path, leaf: (s: string, path: Path) => unknown, key: (k: string, path: Path) => void): unknown {
  if (typeof value === 'string') return leaf(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, [...path, i], leaf, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        key(k, [...path, k]);
        return [k, mapStrings(v, [...path, k], leaf, key)];
      }),
    );
  }
  return value;
}

function leafAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
}

/** Where `after` differs from `before` other than in strings holding a stand-in, or undefined. */
function firstDifference(before: unknown, after: unknown, isStandIn: (s: string) => boolean, path: Path): Path | undefined {
  if (typeof before === 'string' && isStandIn(before)) return typeof after === 'string' ? undefined : path;
  if (Array.isArray(before)) {
    if (!Array.isArray(after) || after.length !== before.length) return path;
    for (let i = 0; i < before.length; i++) {
      const at = firstDifference(before[i], after[i], isStandIn, [...path, i]);
      if (at) return at;
    }
    return undefined;
  }
  if (typeof before === 'object' && before !== null) {
    if (typeof after !== 'object' || after === null || Array.isArray(after)) return path;
    const keys = Object.keys(before);
    if (keys.length !== Object.keys(after).length || keys.some((k) => !(k in after))) return path;
    for (const k of keys) {
      const at = firstDifference((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], isStandIn, [...path, k]);
      if (at) return at;
    }
    return undefined;
  }
  return before === after ? undefined : path;
}

/** Shows stand-ins in the words of the code: where the Output was given. */
class Words {
  constructor(private readonly placeholders: Placeholders) {}

  /** `text` with every stand-in shown as `<path>` (or as `name(placeholder)`). */
  public rewrite(text: string, name: (p: { readonly path: IssuePath }) => string = (p) => `<${formatPath(p.path)}>`): string {
    return this.placeholders.within(text).reduce(
      (t, p) => t.split(JSON.stringify(p.standIn)).join(`the Output of ${formatPath(p.path)}`).split(p.standIn).join(name(p)).split(p.token).join(name(p)),
      text,
    );
  }

  /** One issue's line; a check of a stand-in says it needs a plain value. */
  public line(issue: Issue): string {
    const text = formatIssue(issue);
    const within = this.placeholders.within(text);
    if (within.length === 0) return text;
    return `${this.rewrite(text)}; this check needs the value before it is known, so ${within.map((p) => formatPath(p.path)).join(', ')} must be a plain value here`;
  }
}

/** The problems of an invalid definition, one a line, in code words. */
function problems(issues: readonly Issue[], words?: Words): string {
  return `invalid canary inference service:\n${issues.map((i) => `  ${words ? words.line(codeWords(i)) : formatIssue(codeWords(i))}`).join('\n')}`;
}

/** A file's override named as the option (`kserveMode`), not as the CLI's flag (`--kserve-mode`). */
function codeWords(issue: Issue): Issue {
  const head = issue.path[0];
  if (typeof head !== 'string' || !head.startsWith('--')) return issue;
  return { ...issue, path: [head.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), ...issue.path.slice(1)] };
}

function versionsOf(r: Synthesized): Record<string, VersionOutput> {
  const spec = r.spec;
  const suffix = spec.namespace ? `.${spec.namespace}.svc.cluster.local` : '';
  const targets = new Map((r.targets ?? []).map((t) => [t.version, t]));
  const versions: Record<string, VersionOutput> = {};
  for (const v of [spec.main, ...spec.canaries, ...(spec.mirror ? [spec.mirror] : [])]) {
    const t = targets.get(v.name);
    versions[v.name] = { role: v.role, weight: v.weight, ...(t ? { host: `${t.service}${suffix}` } : {}) };
  }
  return versions;
}

function hostOf(r: Synthesized): string | undefined {
  const spec = r.spec;
  const front = r.objects.find((o) => o.apiVersion === 'v1' && o.kind === 'Service' && o.metadata.name === spec.name);
  return front ? `${spec.name}${spec.namespace ? `.${spec.namespace}.svc.cluster.local` : ''}` : undefined;
}

/** The typed resource for core kinds, a CustomResource for everything else. */
function createResource(name: string, obj: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const body = { metadata, ...rest };
  switch (`${apiVersion}/${kind}`) {
    case 'v1/ConfigMap':
      return new k8s.core.v1.ConfigMap(name, body as k8s.core.v1.ConfigMapArgs, opts);
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
