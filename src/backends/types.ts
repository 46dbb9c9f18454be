/**
 * What every backend and router shares: the plain Kubernetes object type they
 * emit and the contract they implement. No cdk8s, no Pulumi, no I/O.
 */
import { CanarySpec, Issue } from '../spec';
import type { MetricsEndpoint } from './common/monitoring';

/** Object metadata, for the subset we set. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A plain Kubernetes object, ready to serialize. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** A backend's output: the objects, and warnings a user should read. */
export interface Rendered {
  readonly objects: readonly KubeObject[];
  readonly warnings: readonly string[];
}

/** Where a router sends a version's traffic: a Service the backend created for that version. */
export interface TrafficTarget {
  /** The version. */
  readonly version: string;
  /** Name of the version's Service (same namespace). */
  readonly service: string;
  /** Port of that Service. */
  readonly port: number;
}

/** A backend's output when a router splits traffic: the per-version Services to route to. */
export interface BackendOutput extends Rendered {
  /** One target per version (main first), when a router other than `native` splits traffic. */
  readonly targets?: readonly TrafficTarget[];
  /**
   * Name for the router's own routing objects (VirtualService, HTTPRoute), when
   * the backend's controller already writes one named after the service.
   * @default - the service's name
   */
  readonly routeName?: string;
}

/** Context a backend checks and renders in. */
export interface RenderContext {
  /** Name of the router splitting traffic (`native` = the backend's own split). */
  readonly router: string;
  /** Header pinning a request to a version (routers other than `native`). */
  readonly pinHeader?: string;
  /** Gateway the service is exposed through, `namespace/name`. */
  readonly gateway?: string;
  /** External host names. */
  readonly hosts?: readonly string[];
}

/** Commands of a backend's rollout controller, named in messages. */
export interface RolloutController {
  /** What moves the rollout on or promotes it, e.g. `kubectl argo rollouts promote NAME`. */
  readonly promote: string;
  /** What rolls it back. */
  readonly rollback: string;
}

/** What a backend can do: data, printed in the README from the same table. */
export interface BackendCapabilities {
  /** Most canaries it runs beside main; undefined = any number. */
  readonly maxCanaries?: number;
  /** Whether canaries may autoscale (min < max replicas). */
  readonly canaryAutoscaling: boolean;
  /** Whether the main version may be a bento or a container image without a storage URI. */
  readonly mainWithoutStorageUri: boolean;
  /** Whether its own split is exact per request (true) or follows revisions / replicas. */
  readonly splitsTrafficItself: boolean;
  /** Scale metrics it supports. */
  readonly scaleMetrics: readonly string[];
  /** Routers that can split its traffic. */
  readonly routers: readonly string[];
  /** Whether it mirrors traffic itself (with router `native`). */
  readonly mirror: boolean;
  /** Whether its controller runs a rollout's stages and analysis (else: a manifest per stage). */
  readonly runsStages: boolean;
}

/** A rendering target (KServe in one mode, Seldon, Argo Rollouts, ...). */
export interface BackendRenderer {
  /** Name as users write it, e.g. `kserve`. */
  readonly name: string;
  /** Human name with mode, e.g. `KServe Standard mode`. */
  readonly title: string;
  /** Routers that can split its traffic. */
  readonly routers: readonly string[];
  /** Whether it mirrors traffic itself (with router `native`). */
  readonly mirrors: boolean;
  /** The versions run in servers shared with other models (Seldon Core v2): no pods of their own to select or count. */
  readonly sharedServers?: boolean;
  /** Why there is no PodMonitor, for backends without {@link metricsEndpoints}. */
  readonly monitoringNote?: string;
  /** What to do instead of key hashing, when none of its routers hash keys. */
  readonly hashingHint?: string;
  /** Routers with which it can hash keys (default: every router of its that hashes). */
  readonly hashingRouters?: readonly string[];
  /**
   * Set when the backend's controller runs the rollout's stages itself: what to
   * run instead of rendering a stage, a promotion or a rollback.
   */
  rolloutController?(spec: CanarySpec): RolloutController;
  /**
   * Where the pods of every version serve Prometheus metrics, for the
   * service's PodMonitor. Absent: the backend's own stack scrapes them
   * (see {@link monitoringNote}).
   */
  metricsEndpoints?(spec: CanarySpec, context: RenderContext): MetricsEndpoint[];
  /** Everything this backend alone forbids, as issues on the input's paths. */
  check(spec: CanarySpec, context: RenderContext): Issue[];
  /** Renders a spec that passed {@link check}. Pure and deterministic. */
  render(spec: CanarySpec, context: RenderContext): BackendOutput;
}
