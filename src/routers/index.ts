/**
 * Traffic layers, chosen per service: `native` leaves the split to the
 * backend; `istio` and `gateway-api` split traffic between per-version
 * Services. What each can do is data, so every refusal names the routers that can.
 */
import { CanarySpec, didYouMean, Issue, ValidationError } from '../spec';
import { GatewayApiRouter } from './gateway-api';
import { IstioRouter } from './istio';
import { RouterCapabilities, RouterRenderer, RouterSettings } from './types';

import { ROUTER_SUPPORT } from '../backends/router-support';

export * from './types';
export * from './assignment';
export { IstioRouter, ASSIGNMENT_HEADER, stickyAssignmentLua } from './istio';
export { GatewayApiRouter } from './gateway-api';
export { stableService, STABLE_PORT } from './common';

const RENDERERS: Readonly<Record<string, RouterRenderer>> = {
  'istio': new IstioRouter(),
  'gateway-api': new GatewayApiRouter(),
};

/** Every router the library knows, with its capabilities, in table order. */
export const ROUTER_CAPABILITIES: Readonly<Record<string, RouterCapabilities>> = {
  'native': { random: true, headerHash: false, queryHash: false, pinByHeader: false, mirror: false },
  'istio': RENDERERS.istio.capabilities,
  'gateway-api': RENDERERS['gateway-api'].capabilities,
  // traffic routers of Argo Rollouts only: the Rollout configures them
  'nginx': { random: true, headerHash: false, queryHash: false, pinByHeader: false, mirror: false },
  'smi': { random: true, headerHash: false, queryHash: false, pinByHeader: false, mirror: false },
};

/** Router names, in table order. */
export const ROUTER_NAMES = Object.keys(ROUTER_CAPABILITIES);

/** Default header naming the version a request is pinned to. */
export const DEFAULT_PIN_HEADER = 'x-canary-version';
/** Default namespace of Istio's EnvoyFilter: the mesh root namespace, so every caller's sidecar runs it. */
export const DEFAULT_FILTER_NAMESPACE = 'istio-system';

/** Options of the routers that split traffic themselves. */
export interface RouterOptions {
  /**
   * Header whose value pins a request to a version (for playgrounds and smoke tests).
   * @default 'x-canary-version'
   */
  readonly pinHeader?: string;
  /**
   * Gateway the service is exposed through, as `namespace/name`.
   * @default - in-mesh traffic only (Istio: the `mesh` gateway; Gateway API: GAMMA, attached to the stable Service)
   */
  readonly gateway?: string;
  /**
   * External host names served through the gateway.
   * @default - none
   */
  readonly hosts?: readonly string[];
  /**
   * Istio only: namespace of the EnvoyFilter. The mesh root namespace applies it to every caller's sidecar;
   * the service's namespace limits it to callers in that namespace.
   * @default 'istio-system'
   */
  readonly filterNamespace?: string;
}

/** Choice of the traffic layer. */
export class Router {
  /** The backend's own traffic split (no extra objects). */
  public static native(): Router {
    return new Router('native', {});
  }

  /** Istio: VirtualService, pinning, and sticky hashing of a header or query parameter. */
  public static istio(options: RouterOptions = {}): Router {
    return new Router('istio', options);
  }

  /** Gateway API: an HTTPRoute with weighted backends and pinning (no hashing). */
  public static gatewayApi(options: RouterOptions = {}): Router {
    return new Router('gateway-api', options);
  }

  /** ingress-nginx canary Ingresses (backend argo-rollouts only); needs `hosts`. */
  public static nginx(options: RouterOptions = {}): Router {
    return new Router('nginx', options);
  }

  /** An SMI TrafficSplit (backend argo-rollouts only). */
  public static smi(options: RouterOptions = {}): Router {
    return new Router('smi', options);
  }

  /**
   * A router by the name used in files and flags.
   * @throws ValidationError naming the known routers
   */
  public static of(name: string, options: RouterOptions = {}): Router {
    if (!ROUTER_NAMES.includes(name)) {
      const hint = didYouMean(name, ROUTER_NAMES);
      throw new ValidationError([
        { path: ['router'], message: `unknown router ${JSON.stringify(name)}; ${hint ? `did you mean "${hint}"? ` : ''}available routers: ${ROUTER_NAMES.join(', ')}` },
      ]);
    }
    return new Router(name, options);
  }

  private constructor(
    /** Name as written in files and flags. */
    public readonly name: string,
    private readonly options: RouterOptions,
  ) {}

  /**
   * The settings with defaults filled in.
   * @internal
   */
  public get settings(): RouterSettings {
    return {
      pinHeader: (this.options.pinHeader ?? DEFAULT_PIN_HEADER).toLowerCase(),
      gateway: this.options.gateway,
      hosts: [...(this.options.hosts ?? [])],
      filterNamespace: this.options.filterNamespace ?? DEFAULT_FILTER_NAMESPACE,
    };
  }

  /**
   * The renderer, or undefined for `native`.
   * @internal
   */
  public get renderer(): RouterRenderer | undefined {
    return RENDERERS[this.name];
  }
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** What the backend does when the router is `native`. */
export interface NativeRouting {
  /** Title of the backend, for messages. */
  readonly title: string;
  /** Whether the backend mirrors traffic itself. */
  readonly mirror: boolean;
  /** Routers the backend works with; a backend none of whose routers hash keys reports hashing itself. */
  readonly routers: readonly string[];
  /** What to do instead of hashing when none of the backend's routers hash keys. */
  readonly hashingHint?: string;
  /** Routers with which the backend can hash keys (default: its routers). */
  readonly hashingRouters?: readonly string[];
}

/** `, or backend "x" with router "y"` for every backend that hashes routing keys with a router. */
function hashers(need: keyof RouterCapabilities): string {
  const options = ROUTER_SUPPORT.flatMap((b) => b.hashingRouters.filter((r) => ROUTER_CAPABILITIES[r][need]).map((r) => `${b.label} with router "${r}"`));
  return options.length > 0 ? `, or ${options.join(', or ')}` : '';
}

/**
 * Issues for what the chosen router cannot honor (naming the routers that can) or for bad router options.
 * With router `native`, mirroring is the backend's to do.
 */
export function checkRouting(spec: CanarySpec, router: Router, native: NativeRouting): Issue[] {
  const issues: Issue[] = [];
  const caps = ROUTER_CAPABILITIES[router.name];
  if (spec.mirror) {
    const can = router.name === 'native' ? native.mirror : caps.mirror;
    if (!can) {
      const able = ROUTER_NAMES.filter((r) => r !== 'native' && ROUTER_CAPABILITIES[r].mirror).map((r) => `router "${r}"`);
      const who = router.name === 'native' ? `${native.title} with router "native"` : `router "${router.name}"`;
      issues.push({
        path: ['versions', spec.mirror.name, 'mirror'],
        message: `${who} cannot mirror traffic; use ${[...able, 'backend "seldon" or "seldon-v2"'].join(', or ')}, or remove mirror`,
      });
    }
  }
  const routing = spec.routing;
  if (routing.type !== 'random') {
    const need: keyof RouterCapabilities = routing.type === 'header' ? 'headerHash' : 'queryHash';
    const usable = native.hashingRouters ?? native.routers;
    if (!caps[need] || !usable.includes(router.name)) {
      const able = ROUTER_NAMES.filter((r) => ROUTER_CAPABILITIES[r][need] && usable.includes(r));
      const hashing = `routing by "${routing.type}" (hashing ${routing.type} ${JSON.stringify(routing.key)}) needs a router that hashes keys`;
      const message = able.length > 0
        ? `${hashing}, and router "${router.name}" does not; use ${[...able.map((r) => `router "${r}"`), 'routing "random"'].join(', or ')}`
        : `${hashing}, and ${native.title} works with no router that does; use routing "random"${native.hashingHint ? ` (${native.hashingHint})` : ''}${hashers(need)}`;
      issues.push({ path: ['routing', 'type'], message });
    }
  }
  const s = router.settings;
  if (router.name !== 'native') {
    if (!HEADER_NAME.test(s.pinHeader)) issues.push({ path: ['pinHeader'], message: `must be an HTTP header name, got ${JSON.stringify(s.pinHeader)}; e.g. "x-canary-version"` });
    if (routing.type === 'header' && routing.key.toLowerCase() === s.pinHeader) {
      issues.push({ path: ['pinHeader'], message: `the pin header ${JSON.stringify(s.pinHeader)} is also the routing key; choose another pin header` });
    }
    if (s.gateway !== undefined && !REF.test(s.gateway)) issues.push({ path: ['gateway'], message: `must be "namespace/name" of a gateway, got ${JSON.stringify(s.gateway)}` });
    s.hosts.forEach((h, i) => {
      if (!DNS_NAME.test(h)) issues.push({ path: ['hosts', i], message: `must be a DNS host name, got ${JSON.stringify(h)}` });
    });
    issues.push(...(router.renderer?.check(spec, s) ?? []));
  } else {
    if (s.gateway !== undefined || s.hosts.length > 0) {
      issues.push({ path: ['gateway'], message: 'a gateway and hosts need a router that renders routes; use router "istio" or "gateway-api"' });
    }
  }
  return issues;
}
