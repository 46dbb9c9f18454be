/**
 * Per-version monitoring: one prometheus-operator PodMonitor per service,
 * selecting the pods of every version and copying their `version` label onto
 * each series, so guardrail queries can compare canary and main.
 */
import { CanarySpec, DEFAULT_SCRAPE_INTERVAL_SECONDS, goDuration, servingVersions, Version } from '../../spec';
import { KubeObject } from '../types';
import { NAME_LABEL, objectLabels, VERSION_LABEL } from './pod';
import { artifactProfile } from './runtime';

/** One scrape endpoint of a pod: a named port or a declared port number, and a path. */
export interface MetricsEndpoint {
  /** Name of the container port. */
  readonly port?: string;
  /** Number of a declared container port. */
  readonly portNumber?: number;
  /** HTTP path of the metrics. */
  readonly path: string;
}

/** Path of Prometheus metrics on BentoML and most model servers. */
export const METRICS_PATH = '/metrics';

/**
 * The endpoint serving a version's own metrics: its server's port (a bento's,
 * an image's, see the runtime profiles), or `modelPort` for a model on a serving runtime.
 */
export function artifactEndpoint(version: Version, modelPort?: number): MetricsEndpoint | undefined {
  const port = artifactProfile(version)?.port ?? modelPort;
  return port === undefined ? undefined : { portNumber: port, path: METRICS_PATH };
}

/** The endpoints of every serving version, without duplicates, in a stable order. */
export function versionEndpoints(spec: CanarySpec, modelPort?: number): MetricsEndpoint[] {
  const out = new Map<string, MetricsEndpoint>();
  for (const v of servingVersions(spec)) {
    const e = artifactEndpoint(v, modelPort);
    if (e) out.set(`${e.port ?? ''}:${e.portNumber ?? ''}:${e.path}`, e);
  }
  return [...out.values()];
}

/**
 * The PodMonitor of a service: every version's pods, scraped at the rollout's scrape interval, their
 * `version` and `app.kubernetes.io/name` labels kept on each series (as `version` and `app_kubernetes_io_name`),
 * so the guardrails select each version of this service.
 */
export function podMonitor(spec: CanarySpec, endpoints: readonly MetricsEndpoint[]): KubeObject {
  const interval = goDuration(spec.rollout?.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: spec.name, ...(spec.namespace ? { namespace: spec.namespace } : {}), labels: objectLabels(spec) },
    spec: {
      selector: { matchLabels: { [NAME_LABEL]: spec.name } },
      ...(spec.namespace ? { namespaceSelector: { matchNames: [spec.namespace] } } : {}),
      podTargetLabels: [NAME_LABEL, VERSION_LABEL],
      podMetricsEndpoints: endpoints.map((e) => ({
        ...(e.port !== undefined ? { port: e.port } : {}),
        ...(e.portNumber !== undefined ? { portNumber: e.portNumber } : {}),
        path: e.path,
        interval,
      })),
    },
  };
}
