/**
 * The one pipeline every front end calls: input -> spec -> checks -> objects.
 */
import { stringify } from 'yaml';
import { Backend, BackendRenderer, KubeObject, measuredPlan, Rendered, TrafficTarget } from './backends';
import { podMonitor } from './backends/common/monitoring';
import { runtimeNotes } from './backends/common/runtime';
import { checkRouting, Router } from './routers';
import { allVersions, atStage, CanarySpec, describeValue, InstanceTypeCatalog, IssueCollector, normalizeServiceCollecting, promoted, rolledBack, ValidationError } from './spec';

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
  /** Each version's Service, when a router splits traffic between per-version workloads. */
  readonly targets?: readonly TrafficTarget[];
}

/**
 * Validates a service definition and renders its Kubernetes objects.
 * @throws ValidationError with every problem: the spec's first, then the router's and the backend's
 */
export function synthesize(input: unknown, options: SynthesizeOptions = {}): Synthesized {
  const normalized = normalizeServiceCollecting(input, { instanceTypes: options.instanceTypes });
  const issues = new IssueCollector();
  issues.addAll(normalized.issues);
  if (!normalized.spec) issues.throwIfAny();
  const backend = choiceOf(options.backend, Backend, 'backend', (n) => Backend.of(n), 'a Backend, e.g. Backend.kserve() or Backend.argoRollouts()', Backend.kserve()).renderer;
  const router = choiceOf(options.router, Router, 'router', (n) => Router.of(n), 'a Router, e.g. Router.istio()', Router.native());
  const context = { router: router.name, ...router.settings };
  const spec = applyState(normalized.spec!, options, backend, issues);
  const native = {
    title: backend.title,
    mirror: backend.mirrors,
    routers: backend.routers,
    hashingHint: backend.hashingHint,
    hashingRouters: backend.hashingRouters,
  };
  issues.addAll(checkRouting(spec, router, native));
  issues.addAll(backend.check(spec, context));
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
  return { objects: [...out.objects, ...routed, ...monitors], warnings, spec, ...(out.targets && router.renderer ? { targets: out.targets } : {}) };
}

/** Serializes objects as multi-document YAML, byte-identical for the same objects. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
