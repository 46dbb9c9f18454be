/**
 * Pod pieces every backend emits the same way: secure defaults, resources,
 * env and labels. One place, so every backend is secure by the same rules.
 */
import { CanarySpec, EnvVar, Version } from '../../spec';

/** Label every object carries: the service it belongs to. */
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

/** Labels on the pods of one version: the user's, then the ones routing and monitoring rely on. */
export function podLabels(spec: CanarySpec, version: Version): Record<string, string> {
  return { ...version.labels, [NAME_LABEL]: spec.name, [VERSION_LABEL]: version.name };
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

/** Container security context meeting Pod Security Standards `restricted`. */
export function containerSecurityContext(): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod security context meeting Pod Security Standards `restricted`. */
export function podSecurityContext(): Record<string, unknown> {
  return { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
}

/** Volumes backing the writable paths of a read-only container. */
export function scratchVolumes(): Record<string, unknown>[] {
  return [{ name: TMP_VOLUME, emptyDir: {} }];
}

export function scratchVolumeMounts(): Record<string, unknown>[] {
  return [{ name: TMP_VOLUME, mountPath: '/tmp' }];
}

/** Node placement from the instance type. */
export function placement(version: Version): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Object.keys(version.instanceType.nodeSelector).length > 0) out.nodeSelector = { ...version.instanceType.nodeSelector };
  if (version.instanceType.tolerations.length > 0) out.tolerations = version.instanceType.tolerations.map((t) => ({ ...t }));
  return out;
}
