/**
 * The shared shapes of the controller-emulation layer: what the controllers
 * (KServe, Knative, Seldon Core v1/v2, Argo Rollouts, Istio, Gateway API, the
 * kubelet) make of our manifests once applied. Each emulator is written from
 * the upstream source and cites the file each rule comes from.
 */

/** A container as Kubernetes holds it (the subset the checks read). */
export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly args?: readonly string[];
  readonly command?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: unknown }[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: string }[];
  readonly resources?: {
    readonly requests?: Readonly<Record<string, string>>;
    readonly limits?: Readonly<Record<string, string>>;
  };
  readonly securityContext?: SecurityContext;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
}

export interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: { readonly type: string };
}

export interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port: number | string };
  readonly tcpSocket?: { readonly port: number | string };
  readonly grpc?: { readonly port: number };
  readonly exec?: unknown;
}

/** A pod spec after every controller's defaulting (the subset the checks read). */
export interface PodSpec {
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly securityContext?: SecurityContext & { readonly fsGroup?: number };
  readonly volumes?: readonly { readonly name: string; readonly [source: string]: unknown }[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly unknown[];
  readonly affinity?: unknown;
}

/** A pod a controller would create (one per workload; replicas do not matter here). */
export interface EmulatedPod {
  /** Who creates it and for what, e.g. `InferenceService fraud (predictor main)`. */
  readonly owner: string;
  /** The version it serves, when known (the `version` label). */
  readonly version?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
}

/** A Service that exists once the controllers ran (ours, or one a controller creates). */
export interface EmulatedService {
  readonly owner: string;
  readonly name: string;
  /** Undefined: no selector (endpoints come from elsewhere, e.g. a mesh). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly name?: string; readonly port: number; readonly targetPort?: number | string }[];
}

/** A destination some routing object sends traffic to. */
export interface EmulatedRoute {
  /** The routing object, e.g. `VirtualService fraud (route weighted)`. */
  readonly owner: string;
  /** Name of the Service the traffic goes to (same namespace). */
  readonly service: string;
  /** Port of that Service, when the route names one. */
  readonly port?: number;
  /** Share of the route's traffic, percent. */
  readonly weight?: number;
  /** DestinationRule subset, when any. */
  readonly subset?: string;
  /**
   * The protocol of the traffic, when the route is for one: `grpc` routes carry only what a caller sends
   * as gRPC (a REST server behind one receives none).
   * @default - HTTP
   */
  readonly protocol?: 'grpc';
}

/** What the cluster holds after the controllers ran, and what they refused. */
export interface Emulation {
  readonly pods: readonly EmulatedPod[];
  readonly services: readonly EmulatedService[];
  readonly routes: readonly EmulatedRoute[];
  /** Objects or fields a webhook or controller refuses, one line each, citing the rule. */
  readonly refused: readonly string[];
}

/** What an image does when it runs, from its upstream Dockerfile and server source. */
export interface ImageBehaviour {
  /** Where this is known from (upstream file). */
  readonly source: string;
  /** The image's USER: a number, a name (the kubelet cannot verify a name), or undefined for root. */
  readonly user?: number | string;
  /** HTTP paths that answer once the server is ready. */
  readonly readyPaths: readonly string[];
  /** Ports the server process listens on, given the container (its env and args). */
  listens(container: Container): readonly number[];
  /** Paths the server writes at run time, given the container (env may redirect them). */
  writes(container: Container): readonly string[];
}

/** Finds what an image does; undefined when the image is unknown to the emulation. */
export type ImageResolver = (image: string) => ImageBehaviour | undefined;

/** An empty emulation, to merge into. */
export const EMPTY: Emulation = { pods: [], services: [], routes: [], refused: [] };

/** Several emulations as one. */
export function merge(...parts: readonly Emulation[]): Emulation {
  return {
    pods: parts.flatMap((p) => p.pods),
    services: parts.flatMap((p) => p.services),
    routes: parts.flatMap((p) => p.routes),
    refused: parts.flatMap((p) => p.refused),
  };
}
