/**
 * Which backend (and mode) takes which router, for messages that suggest an alternative: a refusal names
 * only what actually takes the router asked for. The backends' own capabilities are the source; a test
 * keeps this table equal to them.
 */

/** A backend (or one of its modes) and the routers it takes. */
export interface RouterSupport {
  /** How a message names it. */
  readonly label: string;
  /** Routers it takes. */
  readonly routers: readonly string[];
  /** Routers with which it hashes routing keys. */
  readonly hashingRouters: readonly string[];
}

export const ROUTER_SUPPORT: readonly RouterSupport[] = [
  { label: 'backend "kserve" (Standard mode)', routers: ['native', 'istio', 'gateway-api'], hashingRouters: ['istio'] },
  { label: 'backend "seldon"', routers: ['native', 'istio', 'gateway-api'], hashingRouters: ['istio'] },
  { label: 'backend "seldon-v2"', routers: ['native'], hashingRouters: [] },
  { label: 'backend "argo-rollouts"', routers: ['native', 'istio', 'gateway-api', 'nginx', 'smi'], hashingRouters: [] },
];

/** `backend "x" or backend "y"` taking `router` (excluding the one asking), or undefined when none does. */
export function backendsTaking(router: string, except: string, hashing = false): string | undefined {
  const able = ROUTER_SUPPORT.filter((b) => !b.label.startsWith(`backend "${except}"`) && (hashing ? b.hashingRouters : b.routers).includes(router));
  return able.length > 0 ? able.map((b) => b.label).join(' or ') : undefined;
}
