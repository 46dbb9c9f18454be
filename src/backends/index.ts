/**
 * Backend choice, as an enum-like class: `Backend.kserve({ mode: KServeMode.STANDARD })`.
 */
import { didYouMean, ValidationError } from '../spec';
import { ArgoRolloutsBackend } from './argo-rollouts';
import { KNATIVE_FEATURE_NAMES, KNATIVE_MAX_REVISION_TIMEOUT_SECONDS, KServeBackend, KServeModeName, KServeStrategyName } from './kserve';
import { SeldonBackend } from './seldon';
import { SeldonV2Backend } from './seldon-v2';
import { BackendRenderer } from './types';

export * from './types';
export * from './order';
export { KServeBackend } from './kserve';
export { ArgoRolloutsBackend, analysisTemplate, ANALYSIS_ARGS, METRIC_NAMES, defaultQuery, checkPlanQueries, analysisTemplateIssues, measuredPlan } from './argo-rollouts';
export type { AnalysisTemplateOptions } from './argo-rollouts';
export { SeldonBackend } from './seldon';
export { SeldonV2Backend } from './seldon-v2';

/** KServe's deployment mode. */
export class KServeMode {
  /** Raw Kubernetes Deployments with HPA; several canaries through `spec.canary[]` (KServe ≥ 0.20). */
  public static readonly STANDARD = new KServeMode('standard');
  /** Knative serverless; one canary through `canaryTrafficPercent` against the previous revision. */
  public static readonly KNATIVE = new KServeMode('knative');

  /** A mode by the name used in files and flags (`standard`, `knative`). */
  public static of(name: string): KServeMode {
    const mode = KSERVE_MODES.find((m) => m.name === name);
    if (!mode) {
      const hint = didYouMean(name, KSERVE_MODES.map((m) => m.name));
      throw new ValidationError([
        {
          path: ['kserveMode'],
          message: `unknown KServe mode ${JSON.stringify(name)}; ${hint ? `did you mean "${hint}"? ` : ''}use "standard" or "knative"`,
        },
      ]);
    }
    return mode;
  }

  private constructor(public readonly name: KServeModeName) {}
}

const KSERVE_MODES = [KServeMode.STANDARD, KServeMode.KNATIVE];

/** How versions become KServe InferenceServices. */
export class KServeStrategy {
  /** One InferenceService, KServe's own split (`spec.canary[]` in Standard mode, `canaryTrafficPercent` in Knative mode). */
  public static readonly CANARY = new KServeStrategy('canary');
  /** One InferenceService per version, each with full autoscaling; a router (istio, gateway-api) splits traffic. */
  public static readonly PER_VERSION = new KServeStrategy('per-version');

  /** A strategy by the name used in files and flags (`canary`, `per-version`). */
  public static of(name: string): KServeStrategy {
    const strategy = [KServeStrategy.CANARY, KServeStrategy.PER_VERSION].find((m) => m.name === name);
    if (!strategy) {
      throw new ValidationError([
        { path: ['kserveStrategy'], message: `unknown KServe strategy ${JSON.stringify(name)}; use "canary" or "per-version"` },
      ]);
    }
    return strategy;
  }

  private constructor(public readonly name: KServeStrategyName) {}
}

/** Options of {@link Backend.kserve}. */
export interface KServeBackendOptions {
  /**
   * Deployment mode.
   * @default KServeMode.STANDARD
   */
  readonly mode?: KServeMode;
  /**
   * How versions become InferenceServices.
   * @default - KServeStrategy.PER_VERSION with router istio or gateway-api, else KServeStrategy.CANARY
   */
  readonly strategy?: KServeStrategy;
  /**
   * Knative feature flags enabled in the cluster (ConfigMap `config-features`
   * in knative-serving), for Knative mode: `kubernetes.podspec-nodeselector`,
   * `kubernetes.podspec-tolerations`, `kubernetes.podspec-securitycontext`,
   * `kubernetes.containerspec-addcapabilities`. Knative refuses the pod fields
   * they govern while they are off (its default).
   * @default - none: Knative's defaults
   */
  readonly knativeFeatures?: readonly string[];
  /**
   * Knative's `max-revision-timeout-seconds` (ConfigMap `config-defaults`):
   * the longest request timeout it accepts.
   * @default 600
   */
  readonly knativeMaxRevisionTimeoutSeconds?: number;
}

/** Knative settings from the backend options; unknown flags are refused with the known ones. */
function knativeSettings(options: KServeBackendOptions) {
  const given: unknown = options.knativeFeatures ?? [];
  const features: readonly unknown[] = Array.isArray(given) ? given : [];
  const max = options.knativeMaxRevisionTimeoutSeconds ?? KNATIVE_MAX_REVISION_TIMEOUT_SECONDS;
  const issues = [
    ...(Array.isArray(given) ? [] : [{ path: ['knativeFeatures'], message: `must be a list of Knative feature flag names, got ${JSON.stringify(given)}; e.g. ["${KNATIVE_FEATURE_NAMES[0]}"]` }]),
    ...features.flatMap((f, i) => (typeof f === 'string' && KNATIVE_FEATURE_NAMES.includes(f) ? [] : [{
      path: ['knativeFeatures', i],
      message: `unknown Knative feature flag ${JSON.stringify(f)}; the flags that matter here are ${KNATIVE_FEATURE_NAMES.join(', ')}`,
    }])),
    ...(!Number.isInteger(max) || max < 1
      ? [{ path: ['knativeMaxRevisionTimeoutSeconds'], message: `must be a whole number of seconds of at least 1, got ${JSON.stringify(max)}; use the cluster's max-revision-timeout-seconds (600 by default)` }]
      : []),
  ];
  if (issues.length > 0) throw new ValidationError(issues);
  return { features: features as string[], maxRevisionTimeoutSeconds: max };
}

/** Where a service is rendered to. */
export class Backend {
  /** KServe InferenceServices. */
  public static kserve(options: KServeBackendOptions = {}): Backend {
    return new Backend(new KServeBackend((options.mode ?? KServeMode.STANDARD).name, options.strategy?.name, knativeSettings(options)));
  }

  /**
   * Seldon Core v1: one SeldonDeployment with a predictor per version, Seldon's
   * own traffic split and shadow (mirror); router `istio` adds key hashing.
   */
  public static seldon(): Backend {
    return new Backend(new SeldonBackend());
  }

  /**
   * Seldon Core v2: a Model per version (storage URI and format only), a Server
   * per instance type that needs its own nodes, and an Experiment splitting traffic.
   */
  public static seldonV2(): Backend {
    return new Backend(new SeldonV2Backend());
  }

  /**
   * Argo Rollouts: a Rollout stepping through the rollout's stages (main + one
   * canary), with stable/canary Services, traffic routing, an HPA and analysis.
   */
  public static argoRollouts(): Backend {
    return new Backend(new ArgoRolloutsBackend());
  }

  /**
   * A backend by the name used in files and flags.
   * @throws ValidationError naming the known backends
   */
  public static of(
    name: string,
    options: { kserveMode?: string; kserveStrategy?: string; knativeFeatures?: readonly string[]; knativeMaxRevisionTimeoutSeconds?: number } = {},
  ): Backend {
    // the KServe and Knative options apply to backend kserve only
    switch (name) {
      case 'kserve':
        return Backend.kserve({
          mode: options.kserveMode !== undefined ? KServeMode.of(options.kserveMode) : undefined,
          strategy: options.kserveStrategy !== undefined ? KServeStrategy.of(options.kserveStrategy) : undefined,
          knativeFeatures: options.knativeFeatures,
          knativeMaxRevisionTimeoutSeconds: options.knativeMaxRevisionTimeoutSeconds,
        });
      // the KServe options are ignored here: a file written for KServe stays usable with --backend seldon
      case 'seldon':
        return Backend.seldon();
      case 'seldon-v2':
        return Backend.seldonV2();
      case 'argo-rollouts':
        return Backend.argoRollouts();
      default: {
        const hint = didYouMean(name, BACKEND_NAMES);
        throw new ValidationError([
          {
            path: ['backend'],
            message: `unknown backend ${JSON.stringify(name)}; ${hint ? `did you mean "${hint}"? ` : ''}available backends: ${BACKEND_NAMES.join(', ')}`,
          },
        ]);
      }
    }
  }

  private constructor(
    /**
     * The renderer behind this choice.
     * @internal
     */
    public readonly renderer: BackendRenderer,
  ) {}

  /** Name as written in files and flags. */
  public get name(): string {
    return this.renderer.name;
  }
}

/** Backends available by name. */
export const BACKEND_NAMES: readonly string[] = ['kserve', 'seldon', 'seldon-v2', 'argo-rollouts'];
