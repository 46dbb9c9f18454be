/**
 * The one pipeline every front end calls: input -> spec -> checks -> objects.
 */
import type * as YAML from 'yaml';
import { Backend, BackendRenderer, KubeObject, measuredPlan, Rendered, TrafficTarget } from './backends';
import { dashboardObjects, MAX_CONFIGMAP_BYTES } from './backends/common/dashboard';
import { podMonitor } from './backends/common/monitoring';
import { NAME_LABEL } from './backends/common/pod';
import { runtimeNotes } from './backends/common/runtime';
import { CanaryServiceOptions, CanaryVersionProps, serviceInputCollecting } from './props';
import { checkRouting, Router } from './routers';
import { allVersions, atStage, CanarySpec, describeValue, InstanceTypeCatalog, Issue, IssueCollector, IssuePath, normalizeServiceCollecting, promoted, rolledBack, ValidationError } from './spec';
import { isUnder } from './spec/zod-issues';

/**
 * A Backend or Router from a caller without the types: the instance, a name (`'seldon'`, `'istio'`), or a
 * problem naming the class.
 */
function choiceOf<T>(value: unknown, cls: { prototype: T }, key: string, byName: (n: string) => T, use: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (value instanceof (cls as unknown as new () => T)) return value as T;
  if (typeof value === 'string') return byName(value);
  throw new ValidationError([{ path: [key], message: `must be ${use}, got ${describeValue(value)}` }]);
}

/** The choice `choose` makes, or undefined with its problems added to `issues`. */
function tryChoice<T>(issues: IssueCollector, choose: () => T): T | undefined {
  try {
    return choose();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    issues.addAll(e.issues);
    return undefined;
  }
}

/**
 * A problem with a setting a canary inherits from main is main's mistake: reported once, at main, not again
 * for every version that inherits it.
 */
function onceAtMain(spec: CanarySpec, issues: readonly Issue[]): Issue[] {
  const atMain = new Set(issues.filter((i) => i.path[0] === 'main').map((i) => JSON.stringify(i.path.slice(1))));
  const inherits = new Map(allVersions(spec).filter((v) => v.role !== 'main').map((v) => [v.name, v.explicit]));
  return issues.filter((i) => {
    if (i.path[0] !== 'versions' || i.path.length < 3) return true;
    const explicit = inherits.get(String(i.path[1]));
    if (!explicit) return true;
    // scaling is inherited field by field
    const own = explicit.has(String(i.path[2])) && !(i.path[2] === 'scaling' && i.path.length > 3 && !explicit.has(`scaling.${String(i.path[3])}`));
    return own || !atMain.has(JSON.stringify(i.path.slice(2)));
  });
}

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /**
   * Where to render.
   * @default Backend.kserve()
   */
  readonly backend?: Backend;
  /**
   * Traffic layer.
   * @default Router.native()
   */
  readonly router?: Router;
  /**
   * Instance types versions may name.
   * @default InstanceTypeCatalog.defaults()
   */
  readonly instanceTypes?: InstanceTypeCatalog;
  /**
   * Render the manifests of this stage of the rollout (1-based): the canaries
   * share the stage's percent. For backends without a rollout controller.
   * @default - the weights as declared
   */
  readonly stage?: number;
  /**
   * Render the state after promoting this canary to main.
   * @default - no promotion
   */
  readonly promote?: string;
  /**
   * Render the rolled-back state: every canary at weight 0.
   * @default false
   */
  readonly rollback?: boolean;
}

/** The state to render instead of the declared weights, from {@link SynthesizeOptions}. */
function applyState(spec: CanarySpec, options: SynthesizeOptions, backend: BackendRenderer, issues: IssueCollector): CanarySpec {
  const asked = [
    ...(options.stage !== undefined ? [['stage', `stage ${options.stage}`]] : []),
    ...(options.promote !== undefined ? [['promote', `promoting ${options.promote}`]] : []),
    ...(options.rollback ? [['rollback', 'a rollback']] : []),
  ];
  if (asked.length === 0) return spec;
  if (asked.length > 1) {
    issues.add([asked[1][0]], `${asked.map((a) => a[0]).join(' and ')} are different states; ask for one of them`);
    return spec;
  }
  const [key, what] = asked[0];
  const controller = backend.rolloutController?.(spec);
  if (controller) {
    const command = key === 'rollback' ? controller.rollback : controller.promote;
    issues.add([key], `${backend.title} runs the stages itself, so it renders no separate manifests for ${what}; apply the manifests once and run \`${command}\``);
    return spec;
  }
  try {
    if (key === 'stage') return atStage(spec, options.stage!);
    if (key === 'promote') return promoted(spec, options.promote!);
    return rolledBack(spec);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    issues.addAll(e.issues);
    return spec;
  }
}

/** What {@link synthesize} returns: the objects, warnings, and what they were rendered from. */
export interface Synthesized extends Rendered {
  /** The validated spec, in the state rendered (a stage, a promotion, ...). */
  readonly spec: CanarySpec;
  /** Labels every serving pod of the service carries; undefined where the versions run in shared servers (Seldon Core v2). */
  readonly podSelector?: Readonly<Record<string, string>>;
  /** Each version's Service, when a router splits traffic between per-version workloads. */
  readonly targets?: readonly TrafficTarget[];
}

/**
 * Validates a service definition and renders its Kubernetes objects.
 * @throws ValidationError with every problem: the spec's first, then the router's and the backend's
 */
export function synthesize(input: unknown, options: SynthesizeOptions = {}): Synthesized {
  return synthesizeWith(input, options, []);
}

/**
 * Validates and renders a service given as props (the constructs' and the component's): the props' own
 * problems (a string where a class is expected, ...) come with every other problem, in one round.
 * @internal
 */
export function synthesizeProps(
  name: string,
  options: CanaryServiceOptions,
  canaries: ReadonlyArray<readonly [string, CanaryVersionProps]>,
  synthOptions: SynthesizeOptions,
): Synthesized {
  const { input, issues } = serviceInputCollecting(name, options, canaries);
  return synthesizeWith(input, synthOptions, issues);
}

/**
 * Like {@link synthesize}, with problems already found in the props the input came from (their values left out
 * of `input`): every problem is reported together.
 * @internal
 */
export function synthesizeWith(input: unknown, options: SynthesizeOptions, prior: readonly Issue[]): Synthesized {
  const normalized0 = normalizeServiceCollecting(input, { instanceTypes: options.instanceTypes });
  // what the props' problems left out is not a problem again
  const dropped = [...normalized0.dropped, ...prior.map((i) => i.path)];
  const normalized = { ...normalized0, dropped, issues: normalized0.issues.filter((i) => !prior.some((p) => isUnder(i.path, p.path))) };
  const issues = new IssueCollector();
  issues.addAll(prior);
  issues.addAll(normalized.issues);
  const backendChoice = tryChoice(issues, () => choiceOf(options.backend, Backend, 'backend', (n) => Backend.of(n), 'a Backend, e.g. Backend.kserve() or Backend.argoRollouts()', Backend.kserve()));
  const routerChoice = tryChoice(issues, () => choiceOf(options.router, Router, 'router', (n) => Router.of(n), 'a Router, e.g. Router.istio()', Router.native()));
  if (!normalized.spec || !backendChoice || !routerChoice) issues.throwIfAny();
  const backend = backendChoice!.renderer;
  const router = routerChoice!;
  const context = { router: router.name, ...router.settings };
  // with problems already found, the spec holds only the valid parts: the backend's and router's checks
  // still run on it (every problem in one round), minus what they say about the parts left out
  const partial = issues.issues.length > 0;
  const later = new IssueCollector();
  const spec = applyState(normalized.spec!, options, backend, later);
  const native = {
    title: backend.title,
    mirror: backend.mirrors,
    routers: backend.routers,
    hashingHint: backend.hashingHint,
    hashingRouters: backend.hashingRouters,
  };
  try {
    later.addAll(checkRouting(spec, router, native));
    later.addAll(backend.check(spec, context));
  } catch (e) {
    // a check meeting a spec that is only partly valid: the problems already found say what to fix
    if (!partial) throw e;
  }
  issues.addAll(onceAtMain(spec, later.issues).filter((i) => !normalized.dropped.some((d) => isUnder(i.path, d))));
  issues.throwIfAny();
  const out = backend.render(spec, context);
  const settings = out.routeName !== undefined ? { ...router.settings, routeName: out.routeName } : router.settings;
  const routed = router.renderer && out.targets ? router.renderer.render(spec, out.targets, settings) : [];
  const monitors: KubeObject[] = [];
  const warnings = [...out.warnings, ...runtimeNotes(spec, allVersions(spec))];
  if (spec.rollout && spec.canaries.length > 0 && measuredPlan(spec.rollout, router.name).guardrails.length === 0) {
    warnings.push(
      `no guardrail measures this rollout (router "${router.name}" has no request metrics for the default error-rate and latency guardrails), so every stage advances on its pause alone; ` +
        'declare guardrails the model server measures (prediction_drift_psi.metric, business_metric_delta.success and total) or with a query, or use router "istio" or "nginx"',
    );
  }
  if (spec.monitoring) {
    const endpoints = backend.metricsEndpoints?.(spec, context) ?? [];
    if (endpoints.length > 0) monitors.push(podMonitor(spec, endpoints));
    else warnings.push(backend.monitoringNote ?? `${backend.title}: no version declares a metrics port; no PodMonitor is emitted (declare the image's port)`);
  }
  warnings.push(...sameArtifactWarnings(spec));
  const dashboards = dashboardObjects(spec, router.name, !backend.sharedServers);
  const objects = [...out.objects, ...routed, ...monitors, ...dashboards];
  const tooLarge = [...oversizeIssues(spec, objects), ...dashboardSizeIssues(dashboards)];
  if (tooLarge.length > 0) throw new ValidationError(tooLarge);
  return {
    objects,
    warnings,
    spec,
    ...(out.targets && router.renderer ? { targets: out.targets } : {}),
    ...(backend.sharedServers ? {} : { podSelector: { [NAME_LABEL]: spec.name } }),
  };
}

/**
 * A ConfigMap holds at most 1 MiB of data: a dashboard larger than that goes to grafana-operator.
 * @internal
 */
export function dashboardSizeIssues(objects: readonly KubeObject[]): Issue[] {
  return objects.flatMap((o) => {
    if (o.kind !== 'ConfigMap') return [];
    const bytes = Object.values((o as { data?: Record<string, string> }).data ?? {}).reduce((n, v) => n + Buffer.byteLength(v, 'utf8'), 0);
    if (bytes <= MAX_CONFIGMAP_BYTES) return [];
    return [{
      path: ['dashboards'],
      message: `the dashboard is ${(bytes / 1024 / 1024).toFixed(1)} MiB and a ConfigMap holds at most 1 MiB; deliver it as a GrafanaDashboard (grafana-operator), or leave it off`,
    }];
  });
}

/** The most etcd stores in one object (its default request limit, `--max-request-bytes`): 1.5 MiB. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** Objects larger than etcd stores, each naming the largest value in it and where the input holds it. */
function oversizeIssues(spec: CanarySpec, objects: readonly KubeObject[]): Issue[] {
  const issues: Issue[] = [];
  // objects are built from the definition's text: without 256 KiB of it, none comes near the limit (and none is measured)
  if (inputTextBytes(spec) < 256 * 1024) return issues;
  for (const obj of objects) {
    const bytes = Buffer.byteLength(JSON.stringify(obj), 'utf8');
    if (bytes <= MAX_OBJECT_BYTES) continue;
    const largest = largestString(obj);
    const at = largest ? inputPathOf(spec, largest) : undefined;
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    issues.push({
      path: at ?? [],
      message:
        `${obj.kind} ${obj.metadata.name} would be ${mib(bytes)}, and etcd stores objects of at most 1.5 MiB, so the API server refuses it` +
        `${largest ? `; its largest value is ${mib(Buffer.byteLength(largest, 'utf8'))}${at ? '' : ` (${JSON.stringify(largest.slice(0, 40))}...)`}` : ''}: ` +
        'keep large values out of the manifest (an environment variable from a ConfigMap or Secret, a model from storage)',
    });
  }
  return issues;
}

/** The bytes of the free text a definition holds (env values, labels, annotations), which its objects repeat. */
function inputTextBytes(spec: CanarySpec): number {
  let n = 0;
  for (const v of allVersions(spec)) {
    for (const e of v.env) n += (e.value?.length ?? 0) + e.name.length;
    for (const [k, a] of Object.entries(v.annotations)) n += k.length + a.length;
    for (const [k, l] of Object.entries(v.labels)) n += k.length + l.length;
  }
  // each version's text can be repeated in every object (a canary's in main's InferenceService): the count of versions bounds it
  return n * allVersions(spec).length;
}

function largestString(value: unknown): string | undefined {
  let best: string | undefined;
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (best === undefined || v.length > best.length) best = v;
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return best;
}

/** Where a version's input holds `text` (an env value, a label or an annotation), in the spec's paths. */
function inputPathOf(spec: CanarySpec, text: string): IssuePath | undefined {
  for (const v of allVersions(spec)) {
    const base: IssuePath = v.role === 'main' ? ['main'] : ['versions', v.name];
    const env = v.env.find((e) => e.value === text);
    if (env) return [...base, 'env', env.name];
    const annotation = Object.entries(v.annotations).find(([, a]) => a === text);
    if (annotation) return [...base, 'annotations', annotation[0]];
  }
  return undefined;
}

/** Canaries that run main's artifact with main's settings measure nothing new: most often a copy-paste slip. */
function sameArtifactWarnings(spec: CanarySpec): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const ownSettings = (c: CanarySpec['main']) => [...c.explicit].filter((k) => !['weight', 'mirror', 'artifact'].includes(k));
  return spec.canaries
    .filter((c) => same(c.artifact, spec.main.artifact) && ownSettings(c).length === 0)
    .map(
      (c) =>
        `version ${c.name} runs the same artifact as ${spec.main.name} (${describeArtifact(c.artifact)}) with the same settings, so the canary measures nothing new; ` +
        'give it the new bento, image or model, or the settings it is to test (env, instance type, scaling)',
    );
}

function describeArtifact(a: CanarySpec['main']['artifact']): string {
  return a.kind === 'bento' ? `bento ${a.tag}` : a.kind === 'image' ? `image ${a.image}` : `model ${a.storageUri}`;
}

/** The YAML library, loaded on first use: requiring canary-inference stays cheap for what does not read YAML. */
function yaml(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as typeof YAML);
}
let yamlModule: typeof YAML | undefined;

/** Serializes objects as multi-document YAML, byte-identical for the same objects. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => yaml().stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
