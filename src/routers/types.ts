/**
 * What a router is: data about what it can do, and a pure renderer of the
 * objects that split traffic between the Services a backend made per version.
 */
import { KubeObject, TrafficTarget } from '../backends/types';
import { CanarySpec, Issue } from '../spec';

/** What a router can do with requests. */
export interface RouterCapabilities {
  /** Weighted random split. */
  readonly random: boolean;
  /** Sticky assignment by a hash of a header. */
  readonly headerHash: boolean;
  /** Sticky assignment by a hash of a query parameter. */
  readonly queryHash: boolean;
  /** A header naming the version reaches that version. */
  readonly pinByHeader: boolean;
  /** A copy of a share of requests goes to the mirror version. */
  readonly mirror: boolean;
}

/** Settings of a router other than `native`. */
export interface RouterSettings {
  /** Header whose value names the version a request is pinned to. */
  readonly pinHeader: string;
  /**
   * Gateway the service is exposed through, `namespace/name` (Istio Gateway or Gateway API Gateway).
   * Undefined: in-mesh traffic only.
   */
  readonly gateway?: string;
  /** External host names served through the gateway. */
  readonly hosts: readonly string[];
  /** Namespace of Istio's EnvoyFilter (the mesh root namespace applies it to every caller). */
  readonly filterNamespace: string;
  /**
   * Name of the routing object (VirtualService, HTTPRoute), set by the backend
   * when its controller writes one named after the service.
   * @default - the service's name
   */
  readonly routeName?: string;
}

/** A router that renders objects. */
export interface RouterRenderer {
  readonly name: string;
  readonly capabilities: RouterCapabilities;
  /** What this router alone forbids. */
  check(spec: CanarySpec, settings: RouterSettings): Issue[];
  /** Objects splitting traffic between `targets`. Pure and deterministic. */
  render(spec: CanarySpec, targets: readonly TrafficTarget[], settings: RouterSettings): KubeObject[];
}
