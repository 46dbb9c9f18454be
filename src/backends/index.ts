/**
 * Backend choice, as an enum-like class: `Backend.kserve({ mode: KServeMode.STANDARD })`.
 */
import { didYouMean, ValidationError } from '../spec';
import { ArgoRolloutsBackend } from './argo-rollouts';
import { KServeBackend, KServeModeName, KServeStrategyName } from './kserve';
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
}

/** Where a service is rendered to. */
export class Backend {
  /** KServe InferenceServices. */
  public static kserve(options: KServeBackendOptions = {}): Backend {
    return new Backend(new KServeBackend((options.mode ?? KServeMode.STANDARD).name, options.strategy?.name));
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
  public static of(name: string, options: { kserveMode?: string; kserveStrategy?: string } = {}): Backend {
    // kserveMode and kserveStrategy apply to backend kserve only
    switch (name) {
      case 'kserve':
        return Backend.kserve({
          mode: options.kserveMode !== undefined ? KServeMode.of(options.kserveMode) : undefined,
          strategy: options.kserveStrategy !== undefined ? KServeStrategy.of(options.kserveStrategy) : undefined,
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
    /** The renderer behind this choice. */
    public readonly renderer: BackendRenderer,
  ) {}

  /** Name as written in files and flags. */
  public get name(): string {
    return this.renderer.name;
  }
}

/** Backends available by name. */
export const BACKEND_NAMES: readonly string[] = ['kserve', 'seldon', 'seldon-v2', 'argo-rollouts'];
