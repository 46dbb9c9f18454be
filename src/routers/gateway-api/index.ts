/**
 * Gateway API router: an HTTPRoute with weighted backendRefs (random split)
 * and header pinning, attached to a Gateway or, in a mesh (GAMMA), to the
 * stable Service. Gateway API has no key hashing.
 */
import { KubeObject, TrafficTarget } from '../../backends/types';
import { CanarySpec, deriveName, Issue } from '../../spec';
import { routerMetadata, splitRef, STABLE_PORT, stableService, weightedTargets } from '../common';
import { RouterCapabilities, RouterRenderer, RouterSettings } from '../types';

/** HTTPRoute's limit on rules (and on backendRefs per rule). */
const MAX_RULES = 16;
const MAX_VERSIONS = MAX_RULES - 1;

const CAPABILITIES: RouterCapabilities = { random: true, headerHash: false, queryHash: false, pinByHeader: true, mirror: false };

function backendRef(t: TrafficTarget, weight?: number) {
  return { name: t.service, port: t.port, ...(weight !== undefined ? { weight } : {}) };
}

/** The Gateway API router. */
export class GatewayApiRouter implements RouterRenderer {
  public readonly name = 'gateway-api';
  public readonly capabilities = CAPABILITIES;

  public check(spec: CanarySpec, _settings: RouterSettings): Issue[] {
    const versions = 1 + spec.canaries.length;
    if (versions > MAX_VERSIONS) {
      return [{
        path: ['versions'],
        message: `an HTTPRoute holds at most ${MAX_RULES} rules (one pin rule per version and the weighted rule), so Gateway API routes at most ${MAX_VERSIONS} versions, got ${versions}; remove versions or use router "istio"`,
      }];
    }
    return [];
  }

  public render(spec: CanarySpec, targets: readonly TrafficTarget[], settings: RouterSettings): KubeObject[] {
    const mesh = { group: '', kind: 'Service', name: spec.name, port: STABLE_PORT };
    const rules: Record<string, unknown>[] = targets.map((t) => ({
      matches: [{ headers: [{ type: 'Exact', name: settings.pinHeader, value: t.version }] }],
      backendRefs: [backendRef(t)],
    }));
    const weighted = weightedTargets(spec, targets);
    rules.push({ backendRefs: weighted.map((w) => backendRef(w.target, w.weight)) });
    const name = settings.routeName ?? spec.name;
    const route = (routeName: string, parentRef: Record<string, unknown>, hostnames: readonly string[]): KubeObject => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: routerMetadata(spec, routeName),
      spec: { parentRefs: [parentRef], ...(hostnames.length > 0 ? { hostnames: [...hostnames] } : {}), rules },
    });
    if (!settings.gateway) return [stableService(spec), route(name, mesh, [])];
    // callers inside the mesh keep reaching the versions through the stable Service (GAMMA), beside the Gateway's route
    return [stableService(spec), route(name, { ...splitRef(settings.gateway) }, settings.hosts), route(deriveName(name, 'mesh'), mesh, [])];
  }
}
