/**
 * Pod pieces every backend emits the same way: secure defaults, resources,
 * env and labels. One place, so every backend is secure by the same rules.
 */
import { SHARED_MEMORY as SHARED_MEMORY_PATH } from './runtime';
import { CanarySpec, EnvVar, Version } from '../../spec';

/** Label every object carries: the service it belongs to. (The spec reserves these keys: RESERVED_LABELS.) */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** Label every object carries: who wrote it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Pod label naming the version, used by routers and monitors. */
export const VERSION_LABEL = 'version';
export const MANAGED_BY = 'canary-inference';

/** Labels on every object of a service. */
export function objectLabels(spec: CanarySpec): Record<string, string> {
  return { [NAME_LABEL]: spec.name, [MANAGED_BY_LABEL]: MANAGED_BY };
}

/**
 * Istio's canonical service and revision of a pod: it reads these labels before `app.kubernetes.io/name` and
 * `version` (and `app.kubernetes.io/version` before `version`), so they are set, and the guardrails' Istio
 * metrics name the service and the version whatever labels the user adds.
 * @see istio pkg/kube/labels/labels.go (CanonicalService)
 */
export const ISTIO_CANONICAL_NAME = 'service.istio.io/canonical-name';
export const ISTIO_CANONICAL_REVISION = 'service.istio.io/canonical-revision';

/** Labels on the pods of one version: the user's, then the ones routing and monitoring rely on. */
export function podLabels(spec: CanarySpec, version: Version): Record<string, string> {
  return {
    ...version.labels,
    [NAME_LABEL]: spec.name,
    [VERSION_LABEL]: version.name,
    [ISTIO_CANONICAL_NAME]: spec.name,
    [ISTIO_CANONICAL_REVISION]: version.name,
  };
}

/** Requests and limits from the version's instance type (CPU and memory requests and a memory limit, always). */
export function resources(version: Version): { requests: Record<string, string>; limits: Record<string, string> } {
  return { requests: { ...version.instanceType.requests }, limits: { ...version.instanceType.limits } };
}

/** The container's env in Kubernetes form. */
export function containerEnv(env: readonly EnvVar[]): Record<string, unknown>[] {
  return env.map((e) => {
    if (e.value !== undefined) return { name: e.name, value: e.value };
    const ref = e.secretKeyRef ?? e.configMapKeyRef!;
    const refKey = e.secretKeyRef ? 'secretKeyRef' : 'configMapKeyRef';
    const selector = { name: ref.name, key: ref.key, ...(ref.optional !== undefined ? { optional: ref.optional } : {}) };
    return { name: e.name, valueFrom: { [refKey]: selector } };
  });
}

/** Name of the scratch volume mounted at /tmp, since the root filesystem is read-only. */
export const TMP_VOLUME = 'tmp';

/**
 * Container security context: Pod Security Standards `restricted` (no privilege
 * escalation, every capability dropped, non-root, RuntimeDefault seccomp) and a
 * read-only root filesystem, unless the version opted out of a setting.
 */
export function containerSecurityContext(version: Version): Record<string, unknown> {
  const s = version.security;
  return {
    allowPrivilegeEscalation: s.allowPrivilegeEscalation,
    capabilities: { drop: ['ALL'], ...(s.addCapabilities.length > 0 ? { add: [...s.addCapabilities] } : {}) },
    readOnlyRootFilesystem: s.readOnlyRootFilesystem,
    runAsNonRoot: s.runAsNonRoot,
    ...(s.runAsUser !== undefined ? { runAsUser: s.runAsUser } : {}),
    ...(s.runAsGroup !== undefined ? { runAsGroup: s.runAsGroup } : {}),
    seccompProfile: { type: s.seccompProfile },
  };
}

/** Pod security context: `restricted` unless the version opted out. */
export function podSecurityContext(version: Version): Record<string, unknown> {
  const s = version.security;
  return {
    runAsNonRoot: s.runAsNonRoot,
    ...(s.runAsUser !== undefined ? { runAsUser: s.runAsUser } : {}),
    ...(s.runAsGroup !== undefined ? { runAsGroup: s.runAsGroup } : {}),
    seccompProfile: { type: s.seccompProfile },
  };
}

/** The volume name of a writable path: `tmp` for /tmp, `dshm` for shared memory, else `writable-N` by position. */
function scratchName(path: string, index: number): string {
  return path === '/tmp' ? TMP_VOLUME : path === SHARED_MEMORY_PATH ? 'dshm' : `writable-${index}`;
}


/** emptyDir volumes backing the version's writable paths (shared memory in memory, not on the node's disk). */
export function scratchVolumes(version: Version): Record<string, unknown>[] {
  return version.security.writablePaths.map((p, i) => ({ name: scratchName(p, i), emptyDir: p === SHARED_MEMORY_PATH ? { medium: 'Memory' } : {} }));
}

/** Mounts of the version's writable paths. */
export function scratchVolumeMounts(version: Version): Record<string, unknown>[] {
  return version.security.writablePaths.map((p, i) => ({ name: scratchName(p, i), mountPath: p }));
}

/** Node placement from the instance type. */
export function placement(version: Version): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Object.keys(version.instanceType.nodeSelector).length > 0) out.nodeSelector = { ...version.instanceType.nodeSelector };
  if (version.instanceType.tolerations.length > 0) out.tolerations = version.instanceType.tolerations.map((t) => ({ ...t }));
  return out;
}
