/**
 * Whether what the controllers made of our manifests would serve traffic: the pods start, their
 * probes hit a port and path the server answers, the Services find ready endpoints, and every route
 * points at a Service and port that exist. Generic over the backend: it reads only the Emulation.
 */
import { podStartProblems } from './kubelet';
import type { Container, EmulatedPod, EmulatedService, Emulation, ImageResolver, Probe } from './types';

/** The port number a probe or targetPort names in `container`, or undefined when a name resolves to none. */
function resolvePort(container: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function probeProblems(kind: string, probe: Probe, c: Container, listens: readonly number[], readyPaths: readonly string[]): string[] {
  const problems: string[] = [];
  // kubernetes pkg/probe/util.go ResolveContainerPort (called from pkg/kubelet/prober/prober.go):
  // the port is a number, or the name of one of the container's own ports (a digit string is read as
  // a number); a name matching no port fails every probe.
  const check = (port: number | string, what: string): number | undefined => {
    const n = resolvePort(c, port);
    if (n === undefined) {
      problems.push(`container ${c.name}: ${kind} ${what} port ${port} names none of the container's ports`);
      return undefined;
    }
    if (!listens.includes(n)) {
      problems.push(`container ${c.name}: ${kind} ${what} port ${n} is not one the server listens on (${listens.join(', ') || 'none'})`);
    }
    return n;
  };
  if (probe.httpGet) {
    check(probe.httpGet.port, 'httpGet');
    // An httpGet without a path requests "/" (pkg/kubelet/prober/prober.go builds the URL from the path).
    const path = probe.httpGet.path === undefined || probe.httpGet.path === '' ? '/' : probe.httpGet.path;
    const bare = path.split('?')[0];
    if (!readyPaths.includes(bare)) {
      problems.push(`container ${c.name}: ${kind} httpGet path ${path} is not a health path of the server (${readyPaths.join(', ')})`);
    }
  }
  if (probe.tcpSocket) check(probe.tcpSocket.port, 'tcpSocket');
  if (probe.grpc) check(probe.grpc.port, 'grpc');
  return problems;
}

function selects(service: EmulatedService, pod: EmulatedPod): boolean {
  const sel = service.selector ?? {};
  return Object.entries(sel).every(([k, v]) => pod.labels[k] === v);
}

/** Every reason the emulated cluster would not serve, one line each, naming the object. */
export function servingProblems(emulation: Emulation, images: ImageResolver): string[] {
  const problems: string[] = [...emulation.refused];

  for (const pod of emulation.pods) {
    problems.push(...podStartProblems(pod, images).map((p) => `${pod.owner}: ${p}`));

    for (const c of pod.spec.containers) {
      const image = c.image === undefined ? undefined : images(c.image);
      if (!image) continue; // podStartProblems already said so
      const listens = image.listens(c);
      const declared = new Set((c.ports ?? []).map((p) => p.containerPort));

      // The port the server serves on (its first) must be declared: an undeclared port cannot be named by a
      // Service targetPort or a probe, and KServe and Knative route to the first declared port. Other ports
      // (gRPC, admin, metrics) may stay undeclared.
      if (listens.length > 0 && !declared.has(listens[0])) {
        problems.push(`${pod.owner}: container ${c.name} listens on ${listens[0]} but does not declare it in ports`);
      }

      if (c.readinessProbe) {
        problems.push(...probeProblems('readinessProbe', c.readinessProbe, c, listens, image.readyPaths).map((p) => `${pod.owner}: ${p}`));
      } else if (listens.length > 0) {
        // Without a readiness probe a container is Ready as soon as it runs (kubernetes
        // pkg/kubelet/prober/prober_manager.go: no readiness probe → ready), so Services and Argo
        // Rollouts (rollout/trafficrouting.go: weights follow AvailableReplicas) send traffic to a
        // server still loading its model.
        problems.push(`${pod.owner}: container ${c.name} serves on ${listens.join(', ')} without a readinessProbe; it counts as ready before the server is`);
      }
      if (c.livenessProbe) {
        problems.push(...probeProblems('livenessProbe', c.livenessProbe, c, listens, image.readyPaths).map((p) => `${pod.owner}: ${p}`));
      }
      if (c.startupProbe) {
        problems.push(...probeProblems('startupProbe', c.startupProbe, c, listens, image.readyPaths).map((p) => `${pod.owner}: ${p}`));
      }
    }
  }

  // The Service ports traffic reaches: those a route names, or, for a Service no route names a port of, its
  // first port (the one callers use). Ports a controller adds for protocols nobody sends (Seldon's gRPC port
  // beside a REST server) are not traffic.
  const routedPorts = new Map<string, Set<number>>();
  for (const r of emulation.routes) {
    // gRPC routes (Seldon writes one per predictor beside the HTTP one) carry traffic only to servers that speak it
    if (r.port === undefined || r.protocol === 'grpc') continue;
    const set = routedPorts.get(r.service) ?? new Set<number>();
    set.add(r.port);
    routedPorts.set(r.service, set);
  }
  for (const svc of emulation.services) {
    if (svc.selector === undefined) continue;
    const selected = emulation.pods.filter((p) => selects(svc, p));
    if (selected.length === 0) {
      problems.push(`${svc.owner}: the selector ${JSON.stringify(svc.selector)} selects no pod`);
      continue;
    }
    const routed = routedPorts.get(svc.name);
    for (const port of svc.ports.filter((p, i) => (routed ? routed.has(p.port) : i === 0))) {
      // kubernetes pkg/api/v1/pod/util.go FindPort (used by pkg/controller/endpointslice): a named
      // targetPort is looked up among the pod's container ports; a pod without it gets no endpoint.
      // An unset targetPort defaults to the port (pkg/apis/core/v1/defaults.go SetDefaults_Service).
      const target = port.targetPort ?? port.port;
      for (const pod of selected) {
        let found: { c: Container; n: number } | undefined;
        for (const c of pod.spec.containers) {
          const n = typeof target === 'number' ? target : c.ports?.find((p) => p.name === target)?.containerPort;
          if (n === undefined) continue;
          if (typeof target === 'string' || found === undefined) found = { c, n };
          const img = c.image === undefined ? undefined : images(c.image);
          if (img?.listens(c).includes(n)) {
            found = { c, n };
            break;
          }
        }
        if (!found) {
          problems.push(`${svc.owner}: port ${port.port} targetPort ${target} names no port of the selected pod ${pod.owner}`);
          continue;
        }
        const img = found.c.image === undefined ? undefined : images(found.c.image);
        if (img && !img.listens(found.c).includes(found.n)) {
          problems.push(`${svc.owner}: port ${port.port} targets ${found.n} on ${pod.owner}, where nothing listens (${img.listens(found.c).join(', ') || 'none'})`);
        }
      }
    }
  }

  const services = new Map(emulation.services.map((s) => [s.name, s]));
  for (const route of emulation.routes) {
    const svc = services.get(route.service);
    if (!svc) {
      problems.push(`${route.owner}: sends traffic to the Service ${route.service}, which does not exist`);
      continue;
    }
    if (route.port !== undefined && !svc.ports.some((p) => p.port === route.port)) {
      problems.push(`${route.owner}: sends traffic to port ${route.port} of the Service ${route.service}, which has ${svc.ports.map((p) => p.port).join(', ')}`);
    }
  }
  return problems;
}
