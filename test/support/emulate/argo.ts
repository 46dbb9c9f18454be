/**
 * What Argo Rollouts, Istio and the Gateway API make of our objects once applied: the pods a
 * Rollout's ReplicaSet creates, the Services as the controller patches them, and where every routing
 * object sends traffic. Rules cite the upstream file they follow; the code is our own.
 */
import { createHash } from 'crypto';
import type { EmulatedPod, EmulatedRoute, EmulatedService, Emulation, PodSpec } from './types';

/** Any Kubernetes object, loosely typed (the emulators read only what they need). */
interface Obj {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: any;
}

/** argo-rollouts pkg/apis/rollouts/v1alpha1/types.go DefaultRolloutUniqueLabelKey. */
export const POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';

const group = (o: Obj): string => {
  const v = o.apiVersion ?? '';
  return v.includes('/') ? v.slice(0, v.lastIndexOf('/')) : '';
};
const is = (o: Obj, g: string, kind: string): boolean => group(o) === g && o.kind === kind;
const nameOf = (o: Obj): string => o.metadata?.name ?? '?';

/**
 * The Service an Istio host names, or undefined for a host outside the cluster. A short name, `name.ns`,
 * `name.ns.svc` and `name.ns.svc.cluster.local` all name the Service `name`; other dotted hosts are
 * external (istio pilot/pkg/model/config.go ResolveShortnameToFQDN resolves short names against the
 * namespace of the config).
 */
export function serviceOfHost(host: string): string | undefined {
  const parts = host.split('.');
  if (parts.length <= 2) return parts[0];
  if (parts.length === 3 && parts[2] === 'svc') return parts[0];
  if (parts.length >= 4 && parts[2] === 'svc') return parts[0];
  return undefined;
}

interface Destination {
  readonly host?: string;
  readonly subset?: string;
  readonly port?: { readonly number?: number };
}

/** Routes of an Istio VirtualService (networking.istio.io, any version). */
function virtualServiceRoutes(vs: Obj): EmulatedRoute[] {
  const routes: EmulatedRoute[] = [];
  const add = (d: Destination | undefined, owner: string, weight?: number): void => {
    const service = d?.host === undefined ? undefined : serviceOfHost(d.host);
    if (service === undefined) return;
    routes.push({
      owner,
      service,
      ...(d?.port?.number !== undefined ? { port: d.port.number } : {}),
      ...(weight !== undefined ? { weight } : {}),
      ...(d?.subset !== undefined ? { subset: d.subset } : {}),
    });
  };
  // istio networking/v1 VirtualService: http[].route[].destination {host, subset, port.number} + weight,
  // http[].mirror / mirrors[].destination; tcp[] and tls[] routes carry the same destinations.
  const http: any[] = vs.spec?.http ?? [];
  http.forEach((h, i) => {
    const label = `VirtualService ${nameOf(vs)} (http ${h.name ?? i})`;
    for (const r of h.route ?? []) add(r.destination, label, r.weight);
    if (h.mirror) add(h.mirror, `${label} mirror`);
    for (const m of h.mirrors ?? []) add(m.destination, `${label} mirror`);
  });
  for (const kind of ['tcp', 'tls'] as const) {
    const list: any[] = vs.spec?.[kind] ?? [];
    list.forEach((t, i) => {
      for (const r of t.route ?? []) add(r.destination, `VirtualService ${nameOf(vs)} (${kind} ${i})`, r.weight);
    });
  }
  return routes;
}

/** Routes of a Gateway API HTTPRoute: its Service backendRefs and its GAMMA parentRefs. */
function httpRouteRoutes(route: Obj): EmulatedRoute[] {
  const routes: EmulatedRoute[] = [];
  const isService = (ref: any): boolean => (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';
  // gateway-api apis/v1/shared_types.go ParentReference: group defaults to gateway.networking.k8s.io and
  // kind to Gateway; a parentRef of group "" (core) and kind Service attaches the route to that Service
  // (GAMMA, mesh traffic addressed to the Service), optionally to one of its ports.
  const parents: any[] = route.spec?.parentRefs ?? [];
  const attached = parents.filter((p) => p.kind === 'Service' && (p.group ?? 'gateway.networking.k8s.io') === '');
  for (const p of attached) {
    routes.push({
      owner: `HTTPRoute ${nameOf(route)} (parentRef: attached to Service ${p.name})`,
      service: p.name,
      ...(p.port !== undefined ? { port: p.port } : {}),
    });
  }
  const via = attached.length > 0 ? `, attached to Service ${attached.map((p) => p.name).join(', ')}` : '';
  // gateway-api apis/v1/httproute_types.go HTTPBackendRef / shared BackendRef: group "" and kind Service by
  // default; port names the Service port; weight defaults to 1. Filters' requestMirror backendRefs too.
  const rules: any[] = route.spec?.rules ?? [];
  rules.forEach((rule, i) => {
    const owner = `HTTPRoute ${nameOf(route)} (rule ${rule.name ?? i}${via})`;
    for (const b of rule.backendRefs ?? []) {
      if (!isService(b)) continue;
      routes.push({
        owner,
        service: b.name,
        ...(b.port !== undefined ? { port: b.port } : {}),
        weight: b.weight ?? 1,
      });
    }
    for (const f of rule.filters ?? []) {
      const m = f.requestMirror?.backendRef;
      if (m && isService(m)) {
        routes.push({ owner: `${owner} mirror`, service: m.name, ...(m.port !== undefined ? { port: m.port } : {}) });
      }
    }
  });
  return routes;
}

/** A v1 Service as the emulation holds it. */
function toService(o: Obj, owner: string, selector?: Record<string, string>): EmulatedService {
  const ports: any[] = o.spec?.ports ?? [];
  return {
    owner,
    name: nameOf(o),
    ...(selector ?? o.spec?.selector ? { selector: selector ?? o.spec.selector } : {}),
    ports: ports.map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      port: p.port,
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
    })),
  };
}

/**
 * The endpoints an Istio DestinationRule subset stands for, as a pseudo-Service named
 * `<service>/<subset>` (a name no real Service can have): the host Service's selector narrowed by the
 * subset's labels. Istio builds a subset cluster from the Service's endpoints whose pod labels match
 * (pilot/pkg/networking/core/cluster_builder.go buildSubsetCluster); none match → the cluster is empty and
 * requests routed to it fail with 503 "no healthy upstream".
 */
function subsetServices(
  objects: readonly Obj[],
  services: readonly Obj[],
  subsetLabels: (dr: Obj, subset: any) => Record<string, string>,
): EmulatedService[] {
  const out: EmulatedService[] = [];
  for (const dr of objects.filter((o) => group(o) === 'networking.istio.io' && o.kind === 'DestinationRule')) {
    const svcName = serviceOfHost(dr.spec?.host ?? '');
    const svc = services.find((s) => nameOf(s) === svcName);
    if (!svc || !svc.spec?.selector) continue;
    for (const subset of dr.spec?.subsets ?? []) {
      out.push(
        toService(
          { ...svc, metadata: { ...svc.metadata, name: `${svcName}/${subset.name}` } },
          `DestinationRule ${nameOf(dr)} subset ${subset.name} (endpoints of Service ${svcName})`,
          { ...svc.spec.selector, ...subsetLabels(dr, subset) },
        ),
      );
    }
  }
  return out;
}

/**
 * Subsets that routes name but no DestinationRule of their host defines
 * (istio pkg/config/analysis/analyzers/virtualservice/destinationrules.go: ReferencedResourceNotFound
 * "host+subset in destinationrule"); Envoy has no such cluster and answers 503.
 */
function missingSubsets(objects: readonly Obj[], routes: readonly EmulatedRoute[]): string[] {
  const defined = new Set<string>();
  for (const dr of objects.filter((o) => group(o) === 'networking.istio.io' && o.kind === 'DestinationRule')) {
    for (const s of dr.spec?.subsets ?? []) defined.add(`${serviceOfHost(dr.spec?.host ?? '')}/${s.name}`);
  }
  return routes
    .filter((r) => r.subset !== undefined && !defined.has(`${r.service}/${r.subset}`))
    .map((r) => `${r.owner}: routes to subset ${r.subset} of ${r.service}, which no DestinationRule defines (Istio IST0101; Envoy answers 503)`);
}

/**
 * The v1 Services, Istio VirtualServices / DestinationRules and Gateway API HTTPRoutes among `objects`,
 * as they stand once applied (no controller rewrites them). Any backend's output may hold these.
 */
export function emulateCoreObjects(objects: readonly unknown[]): Emulation {
  return emulateRouting(objects as readonly Obj[], (o) => o.spec?.selector, (_dr, s) => s.labels ?? {});
}

function emulateRouting(
  objects: readonly Obj[],
  selectorOf: (svc: Obj) => Record<string, string> | undefined,
  subsetLabels: (dr: Obj, subset: any) => Record<string, string>,
): Emulation {
  const svcObjs = objects.filter((o) => is(o, '', 'Service'));
  const services: EmulatedService[] = svcObjs.map((o) => toService(o, `Service ${nameOf(o)}`, selectorOf(o)));
  services.push(...subsetServices(objects, svcObjs.map((s) => ({ ...s, spec: { ...s.spec, selector: selectorOf(s) } })), subsetLabels));
  const routes: EmulatedRoute[] = [];
  for (const o of objects) {
    if (group(o) === 'networking.istio.io' && o.kind === 'VirtualService') routes.push(...virtualServiceRoutes(o));
    if (group(o) === 'gateway.networking.k8s.io' && o.kind === 'HTTPRoute') routes.push(...httpRouteRoutes(o));
  }
  return { pods: [], services, routes, refused: missingSubsets(objects, routes) };
}

/** A stand-in for the pod-template-hash (argo-rollouts utils/controller ComputeHash hashes the template); stable per template. */
function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template ?? {})).digest('hex').slice(0, 10);
}

interface RolloutView {
  readonly rollout: Obj;
  readonly template: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } | undefined;
  readonly hash: string;
  readonly services: readonly string[];
}

/**
 * Argo Rollouts (argoproj.io/v1alpha1 Rollout) and the routing around it.
 *  - the pod of the template (spec.template, or the Deployment of spec.workloadRef), labelled with
 *    rollouts-pod-template-hash (argo-rollouts rollout/sync.go createDesiredReplicaSet: the label is added to the ReplicaSet's
 *    template and selector). One pod stands for both ReplicaSets, so the stable and canary Services
 *    select the same template here;
 *  - the Services the Rollout names (canary/stable, blue-green active/preview, ping/pong) get the hash in
 *    their selector (rollout/service.go switchServiceSelector); the other Services stay as emitted;
 *  - the DestinationRule subsets named in trafficRouting.istio get the hash in their labels
 *    (rollout/trafficrouting/istio/istio.go UpdateHash);
 *  - refusals from the controller's reference validation.
 */
export function emulateArgo(objects: readonly unknown[]): Emulation {
  const objs = objects as readonly Obj[];
  const rollouts: RolloutView[] = objs
    .filter((o) => is(o, 'argoproj.io', 'Rollout'))
    .map((r) => {
      const ref = r.spec?.workloadRef;
      const template = ref
        ? objs.find((o) => o.kind === ref.kind && nameOf(o) === ref.name)?.spec?.template
        : r.spec?.template;
      const canary = r.spec?.strategy?.canary ?? {};
      const blueGreen = r.spec?.strategy?.blueGreen ?? {};
      const services = [
        canary.canaryService, canary.stableService,
        canary.pingPong?.pingService, canary.pingPong?.pongService,
        blueGreen.activeService, blueGreen.previewService,
      ].filter((s): s is string => typeof s === 'string' && s !== '');
      return { rollout: r, template, hash: templateHash(template), services };
    });

  const refused: string[] = [];
  const pods: EmulatedPod[] = [];
  for (const r of rollouts) {
    const name = nameOf(r.rollout);
    if (!r.template?.spec) {
      refused.push(`Rollout ${name}: no pod template (spec.template, or spec.workloadRef naming an object among the manifests)`);
      continue;
    }
    const labels: Record<string, string> = { ...(r.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: r.hash };
    pods.push({
      owner: `Rollout ${name} (pod template)`,
      ...(labels.version !== undefined ? { version: labels.version } : {}),
      labels,
      spec: r.template.spec,
    });

    // argo-rollouts pkg/apis/rollouts/validation/validation_references.go ValidateService: every selector
    // label of a Service the Rollout names, but the hash, must equal the template's; otherwise the
    // Rollout is InvalidSpec and nothing is rolled out.
    for (const svcName of r.services) {
      const svc = objs.find((o) => is(o, '', 'Service') && nameOf(o) === svcName);
      if (!svc) {
        refused.push(`Rollout ${name}: names the Service ${svcName}, which is not among the manifests (InvalidSpec)`);
        continue;
      }
      for (const [k, v] of Object.entries<string>(svc.spec?.selector ?? {})) {
        if (k === POD_TEMPLATE_HASH) continue;
        if (r.template.metadata?.labels?.[k] !== v) {
          refused.push(`Rollout ${name}: Service "${svcName}" has unmatch label "${k}" in rollout (InvalidSpec)`);
        }
      }
    }

    // argo-rollouts rollout/trafficrouting/istio/istio.go ValidateHTTPRoutes / validateVirtualServiceRouteDestinations:
    // each named http route must exist and send to both the stable and canary Services (or both subsets).
    const istio = r.rollout.spec?.strategy?.canary?.trafficRouting?.istio;
    const vsRefs: any[] = istio ? [...(istio.virtualService ? [istio.virtualService] : []), ...(istio.virtualServices ?? [])] : [];
    for (const ref of vsRefs) {
      const vs = objs.find((o) => group(o) === 'networking.istio.io' && o.kind === 'VirtualService' && nameOf(o) === ref.name);
      if (!vs) {
        refused.push(`Rollout ${name}: VirtualService ${ref.name} is not among the manifests`);
        continue;
      }
      const http: any[] = vs.spec?.http ?? [];
      const managed = new Set<string>((r.rollout.spec?.strategy?.canary?.trafficRouting?.managedRoutes ?? []).map((m: any) => m.name));
      const names: string[] = ref.routes ?? [];
      if (names.length === 0 && http.filter((h) => !managed.has(h.name)).length > 1) {
        refused.push(`Rollout ${name}: VirtualService ${ref.name} must have exactly one http route when routes are omitted`);
      }
      const targets = names.length > 0
        ? names.map((n) => [n, http.find((h) => h.name === n)] as const)
        : http.slice(0, 1).map((h) => [h.name, h] as const);
      for (const [routeName, h] of targets) {
        if (!h) {
          refused.push(`Rollout ${name}: HTTP Route '${routeName}' is not found in the VirtualService ${ref.name}`);
          continue;
        }
        const dests: Destination[] = (h.route ?? []).map((x: any) => x.destination ?? {});
        const dr = istio.destinationRule;
        if (dr) {
          if (!dests.some((d) => d.subset === dr.canarySubsetName)) refused.push(`Rollout ${name}: Canary DestinationRule subset '${dr.canarySubsetName}' not found in route ${routeName}`);
          if (!dests.some((d) => d.subset === dr.stableSubsetName)) refused.push(`Rollout ${name}: Stable DestinationRule subset '${dr.stableSubsetName}' not found in route ${routeName}`);
        } else {
          const canary = r.rollout.spec?.strategy?.canary ?? {};
          if (!dests.some((d) => serviceOfHost(d.host ?? '') === canary.canaryService)) refused.push(`Rollout ${name}: Canary Service '${canary.canaryService}' not found in route ${routeName}`);
          if (!dests.some((d) => serviceOfHost(d.host ?? '') === canary.stableService)) refused.push(`Rollout ${name}: Stable Service '${canary.stableService}' not found in route ${routeName}`);
        }
      }
    }
  }

  const hashOfService = (svc: Obj): string | undefined => rollouts.find((r) => r.services.includes(nameOf(svc)))?.hash;
  const selectorOf = (svc: Obj): Record<string, string> | undefined => {
    const hash = hashOfService(svc);
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    return hash === undefined ? sel : { ...(sel ?? {}), [POD_TEMPLATE_HASH]: hash };
  };
  const subsetLabels = (dr: Obj, subset: any): Record<string, string> => {
    const labels = { ...(subset.labels ?? {}) };
    for (const r of rollouts) {
      const ref = r.rollout.spec?.strategy?.canary?.trafficRouting?.istio?.destinationRule;
      if (ref?.name === nameOf(dr) && (subset.name === ref.canarySubsetName || subset.name === ref.stableSubsetName)) {
        labels[POD_TEMPLATE_HASH] = r.hash;
      }
    }
    return labels;
  };
  const routing = emulateRouting(objs, selectorOf, subsetLabels);
  return { pods, services: routing.services, routes: routing.routes, refused: [...refused, ...routing.refused] };
}
