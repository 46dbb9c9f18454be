/**
 * Traffic layers. `native` leaves the split to the backend; routers that hash
 * keys or pin versions come as separate layers. What each can do is data, so
 * every refusal names the routers that can.
 */
import { CanarySpec, Issue } from '../spec';

/** What a router can do with requests. */
export interface RouterCapabilities {
  /** Weighted random split. */
  readonly random: boolean;
  /** Sticky assignment by a hash of a header. */
  readonly headerHash: boolean;
  /** Sticky assignment by a hash of a query parameter. */
  readonly queryHash: boolean;
}

/** Every router the library knows, with its capabilities. */
export const ROUTER_CAPABILITIES: Readonly<Record<string, RouterCapabilities>> = {
  native: { random: true, headerHash: false, queryHash: false },
};

/** Router names, in table order. */
export const ROUTER_NAMES = Object.keys(ROUTER_CAPABILITIES);

/** Choice of the traffic layer. */
export class Router {
  /** The backend's own traffic split (no extra objects). */
  public static native(): Router {
    return new Router('native');
  }

  /** A router by name, as written in a file or a flag. */
  public static of(name: string): Router {
    return new Router(name);
  }

  private constructor(public readonly name: string) {}
}

/** Issues for a routing the chosen router cannot honor, naming the routers that can. */
export function checkRouting(spec: CanarySpec, router: string): Issue[] {
  const caps = ROUTER_CAPABILITIES[router];
  if (!caps) {
    return [{ path: ['router'], message: `unknown router ${JSON.stringify(router)}; available routers: ${ROUTER_NAMES.join(', ')}` }];
  }
  const routing = spec.routing;
  if (routing.type === 'random') return [];
  const need: keyof RouterCapabilities = routing.type === 'header' ? 'headerHash' : 'queryHash';
  if (caps[need]) return [];
  const able = ROUTER_NAMES.filter((r) => ROUTER_CAPABILITIES[r][need]);
  const alternatives = [...able.map((r) => `router "${r}"`), 'routing "random"'].join(', or ');
  return [
    {
      path: ['routing', 'type'],
      message: `routing by "${routing.type}" (hashing ${routing.type} ${JSON.stringify(routing.key)}) needs a router that hashes keys, and router "${router}" does not; use ${alternatives}`,
    },
  ];
}
