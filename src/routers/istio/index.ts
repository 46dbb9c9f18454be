/**
 * Istio router: a VirtualService splitting traffic by weight between the
 * versions' Services, pin routes for a version header, and, for header or
 * query routing, an EnvoyFilter that assigns each key to a version.
 */
import { KubeObject, TrafficTarget } from '../../backends/types';
import { CanarySpec, deriveName, Issue } from '../../spec';
import { routerMetadata, stableService, weightedTargets } from '../common';
import { RouterCapabilities, RouterRenderer, RouterSettings } from '../types';
import { ASSIGNMENT_HEADER, stickyAssignmentLua } from './lua';

export { ASSIGNMENT_HEADER, stickyAssignmentLua } from './lua';

const CAPABILITIES: RouterCapabilities = { random: true, headerHash: true, queryHash: true, pinByHeader: true, mirror: true };

interface Destination {
  destination: { host: string; port: { number: number } };
  weight?: number;
}

function destination(t: TrafficTarget, weight?: number): Destination {
  return { destination: { host: t.service, port: { number: t.port } }, ...(weight !== undefined ? { weight } : {}) };
}

/** The Istio router. */
export class IstioRouter implements RouterRenderer {
  public readonly name = 'istio';
  public readonly capabilities = CAPABILITIES;

  public check(_spec: CanarySpec, settings: RouterSettings): Issue[] {
    if (settings.gateway !== undefined && settings.hosts.length === 0) {
      return [{ path: ['hosts'], message: `a gateway (${settings.gateway}) needs the external host names it serves; set hosts, e.g. ["summarization.example.com"]` }];
    }
    return [];
  }

  public render(spec: CanarySpec, targets: readonly TrafficTarget[], settings: RouterSettings): KubeObject[] {
    const hashing = spec.routing.type !== 'random';
    const http: Record<string, unknown>[] = [];
    for (const t of targets) {
      http.push({ name: `pin-${t.version}`, match: [{ headers: { [settings.pinHeader]: { exact: t.version } } }], route: [destination(t)] });
    }
    if (hashing) {
      for (const t of targets) {
        http.push({ name: `assigned-${t.version}`, match: [{ headers: { [ASSIGNMENT_HEADER]: { exact: t.version } } }], route: [destination(t)] });
      }
    }
    const weighted = weightedTargets(spec, targets);
    http.push({
      name: hashing ? 'unassigned' : 'weighted',
      route: weighted.map((w) => destination(w.target, weighted.length > 1 ? w.weight : undefined)),
    });
    // the mirror gets a copy of its share of every live (non-pinned) request
    const mirror = spec.mirror ? targets.find((t) => t.version === spec.mirror!.name) : undefined;
    if (mirror) {
      for (const route of http) {
        if (String(route.name).startsWith('pin-')) continue;
        route.mirror = destination(mirror).destination;
        route.mirrorPercentage = { value: spec.mirror!.weight };
      }
    }
    const gateway = settings.gateway;
    const virtualService: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: routerMetadata(spec, settings.routeName ?? spec.name),
      spec: {
        hosts: [spec.name, ...settings.hosts],
        ...(gateway ? { gateways: ['mesh', gateway] } : {}),
        http,
      },
    };
    const objects: KubeObject[] = [stableService(spec), virtualService];
    if (hashing) objects.push(this.envoyFilter(spec, settings));
    return objects;
  }

  private envoyFilter(spec: CanarySpec, settings: RouterSettings): KubeObject {
    const ns = spec.namespace;
    const hosts = ns ? [spec.name, `${spec.name}.${ns}`, `${spec.name}.${ns}.svc`, `${spec.name}.${ns}.svc.cluster.local`] : [spec.name];
    const lua = stickyAssignmentLua(spec, { hosts: [...hosts, ...settings.hosts], hostPrefix: ns ? undefined : `${spec.name}.` });
    const luaFilter = {
      name: 'envoy.filters.http.lua',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
        'default_source_code': { inline_string: lua },
      },
    };
    const beforeRouter = (context: string, portNumber?: number) => ({
      applyTo: 'HTTP_FILTER',
      match: {
        context,
        listener: {
          ...(portNumber !== undefined ? { portNumber } : {}),
          filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } },
        },
      },
      patch: { operation: 'INSERT_BEFORE', value: luaFilter },
    });
    const patches = [beforeRouter('SIDECAR_OUTBOUND', 80)];
    if (settings.gateway) patches.push(beforeRouter('GATEWAY'));
    return {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: routerMetadata(spec, deriveName(spec.name, ns ?? '', 'canary-assignment'), settings.filterNamespace),
      spec: { configPatches: patches },
    };
  }
}
