/** Kubernetes name rules shared by every backend. */

/** A DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1035 label (what Services and KServe names need): like DNS-1123 but starting with a letter. */
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Longest name Kubernetes accepts for a label-like name (Services, InferenceServices, containers). */
export const MAX_LABEL_LENGTH = 63;

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why `key` is not a valid label or annotation key, or undefined when it is. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return 'its prefix must be a DNS subdomain (lower-case, dots, at most 253 characters) followed by "/"';
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'its name part must be 1-63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric';
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return 'a label value must be at most 63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric (or empty)';
  }
  return undefined;
}

/** Joins name parts with '-': the one helper every backend derives object names with. */
export function deriveName(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('-');
}

/**
 * Pod labels every backend sets itself: the service, the version (routing, monitors, Istio's canonical
 * service and revision) and who manages the objects. A user's label of the same key would be overwritten.
 */
export const RESERVED_LABELS: readonly string[] = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/managed-by',
  'version',
  'service.istio.io/canonical-name',
  'service.istio.io/canonical-revision',
];
