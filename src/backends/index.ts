/**
 * Backend choice, as an enum-like class: `Backend.kserve({ mode: KServeMode.STANDARD })`.
 */
import { didYouMean, ValidationError } from '../spec';
import { KServeBackend, KServeModeName } from './kserve';
import { BackendRenderer } from './types';

export * from './types';
export { KServeBackend } from './kserve';

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

/** Options of {@link Backend.kserve}. */
export interface KServeBackendOptions {
  /**
   * Deployment mode.
   * @default KServeMode.STANDARD
   */
  readonly mode?: KServeMode;
}

/** Where a service is rendered to. */
export class Backend {
  /** KServe InferenceServices. */
  public static kserve(options: KServeBackendOptions = {}): Backend {
    return new Backend(new KServeBackend((options.mode ?? KServeMode.STANDARD).name));
  }

  /**
   * A backend by the name used in files and flags.
   * @throws ValidationError naming the known backends
   */
  public static of(name: string, options: { kserveMode?: string } = {}): Backend {
    switch (name) {
      case 'kserve':
        return Backend.kserve({ mode: options.kserveMode !== undefined ? KServeMode.of(options.kserveMode) : undefined });
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
export const BACKEND_NAMES: readonly string[] = ['kserve'];
