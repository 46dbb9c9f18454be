/**
 * What stops a pod from being created, started or kept running, as the API server, the kubelet and
 * the container runtime would decide. Each rule cites the upstream file it follows; the code is our own.
 */
import type { ImageContents } from './images';
import type { Container, EmulatedPod, ImageBehaviour, ImageResolver, SecurityContext } from './types';

const SUFFIXES: Readonly<Record<string, number>> = {
  'n': 1e-9,
  'u': 1e-6,
  'm': 1e-3,
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/**
 * A Kubernetes quantity as a number (`500m` → 0.5, `4Gi` → 4·2³⁰, `1e3` → 1000); undefined when it
 * does not parse. Follows the grammar of staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go
 * (decimal SI, binary SI and decimal-exponent suffixes).
 */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIXES[m[3] ?? ''];
}

/**
 * The effective runAsNonRoot / runAsUser of a container: the pod's securityContext, each field
 * overridden by the container's when the container sets it
 * (kubernetes pkg/securitycontext/util.go DetermineEffectiveSecurityContext).
 */
export function effectiveSecurity(
  pod: EmulatedPod,
  container: Container,
): { runAsNonRoot?: boolean; runAsUser?: number } {
  const p: SecurityContext = pod.spec.securityContext ?? {};
  const c: SecurityContext = container.securityContext ?? {};
  return {
    runAsNonRoot: c.runAsNonRoot ?? p.runAsNonRoot,
    runAsUser: c.runAsUser ?? p.runAsUser,
  };
}

function hasNeeds(b: ImageBehaviour): b is ImageBehaviour & Required<ImageContents> {
  return typeof (b as ImageContents).needs === 'function';
}

function normalise(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t === '' ? '/' : t;
}

/** True when `path` is `dir` or lies below it. */
function within(path: string, dir: string): boolean {
  const p = normalise(path);
  const d = normalise(dir);
  return d === '/' || p === d || p.startsWith(`${d}/`);
}

/** The runAsNonRoot verdict for one container, or undefined when it may start. */
function nonRootProblem(pod: EmulatedPod, c: Container, image: ImageBehaviour): string | undefined {
  // kubernetes pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot.
  const sc = effectiveSecurity(pod, c);
  if (sc.runAsNonRoot !== true) return undefined;
  if (sc.runAsUser !== undefined) {
    return sc.runAsUser === 0 ? `container ${c.name}: runAsUser 0 breaks the runAsNonRoot policy` : undefined;
  }
  // pkg/kubelet/kuberuntime/helpers.go getImageUser: a numeric uid, else a user name, else root (uid 0).
  const user = image.user;
  if (typeof user === 'string' && !/^\d+$/.test(user)) {
    return (
      `container ${c.name}: runAsNonRoot and the image has the non-numeric user (${user}), ` +
      'the kubelet cannot verify the user is non-root (CreateContainerConfigError); set runAsUser'
    );
  }
  const uid = user === undefined ? 0 : Number(user);
  if (uid === 0) {
    return `container ${c.name}: runAsNonRoot and the image will run as root (CreateContainerConfigError)`;
  }
  if (uid < 0 || uid > 2147483647) return `container ${c.name}: runAsNonRoot and the image has an invalid user id (${uid})`;
  return undefined;
}

/**
 * Every reason `pod` would not run, one line each (prefixed with nothing: the caller names the pod).
 * Every container's image must be known to `images`, so the emulation never passes a pod it cannot judge.
 */
export function podStartProblems(pod: EmulatedPod, images: ImageResolver): string[] {
  const problems: string[] = [];
  const volumes = new Set((pod.spec.volumes ?? []).map((v) => v.name));
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];

  for (const c of all) {
    const mounts = c.volumeMounts ?? [];

    // kubernetes pkg/apis/core/validation/validation.go ValidateVolumeMounts: a mount must name a
    // volume of the pod ("volumeMounts[i].name: Not found"); the API server rejects the pod.
    for (const m of mounts) {
      if (!volumes.has(m.name)) {
        problems.push(`container ${c.name}: volumeMount ${m.name} at ${m.mountPath} names no volume of the pod (API server: Not found)`);
      }
    }

    // kubernetes pkg/apis/core/validation/validation.go ValidateResourceRequirements: each request
    // must be less than or equal to the limit of the same resource; the API server rejects the pod.
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const [name, req] of Object.entries(requests)) {
      const lim = limits[name];
      if (lim === undefined) continue;
      const r = parseQuantity(req);
      const l = parseQuantity(lim);
      if (r === undefined || l === undefined) {
        problems.push(`container ${c.name}: resource ${name} has an unparsable quantity (${req} / ${lim})`);
      } else if (r > l) {
        problems.push(`container ${c.name}: requests.${name} ${req} must be less than or equal to the ${name} limit ${lim} (API server rejects the pod)`);
      }
    }

    if (c.image === undefined) {
      problems.push(`container ${c.name}: no image`);
      continue;
    }
    const image = images(c.image);
    if (!image) {
      problems.push(`container ${c.name}: the emulation does not know the image ${c.image}; declare what it does (imageResolver) so the pod can be judged`);
      continue;
    }

    const nonRoot = nonRootProblem(pod, c, image);
    if (nonRoot) problems.push(nonRoot);

    // A read-only root filesystem (container-level only: pkg/securitycontext/util.go
    // securityContextFromPodSecurityContext copies no readOnlyRootFilesystem from the pod) makes every
    // write outside a writable volume fail with EROFS; the server exits and the container crash-loops.
    const writable = mounts.filter((m) => m.readOnly !== true && volumes.has(m.name));
    if (c.securityContext?.readOnlyRootFilesystem === true) {
      for (const w of image.writes(c)) {
        if (!writable.some((m) => within(w, m.mountPath))) {
          const ro = mounts.find((m) => m.readOnly === true && within(w, m.mountPath));
          problems.push(
            `container ${c.name}: readOnlyRootFilesystem and the server writes ${w}, ` +
              (ro ? `which lies on the read-only mount ${ro.mountPath}` : 'which no writable volumeMount covers'),
          );
        }
      }
    } else {
      for (const w of image.writes(c)) {
        const ro = mounts.find((m) => m.readOnly === true && within(w, m.mountPath));
        if (ro) problems.push(`container ${c.name}: the server writes ${w}, which lies on the read-only mount ${ro.mountPath}`);
      }
    }

    // A volume mounted at or above a path the image ships hides it (the mount replaces the directory).
    if (hasNeeds(image)) {
      for (const n of image.needs(c)) {
        const over = mounts.find((m) => within(n, m.mountPath));
        if (over) problems.push(`container ${c.name}: the volumeMount at ${over.mountPath} hides ${n}, which the image ships and the server reads`);
      }
    }
  }
  return problems;
}
