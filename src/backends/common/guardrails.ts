/**
 * Guardrails as PromQL and as decisions: one place that builds each
 * guardrail's query (Argo Rollouts' AnalysisTemplate and `canary-inference gate`
 * run the same text) and says how a value decides.
 *
 * Semantics, per guardrail, on the value of its query:
 * - no evidence (no requests, no canary series, fewer than `minRequests`) is NaN: neither condition holds, the
 *   measurement is Inconclusive and the rollout holds. A query never returns an empty vector (which Argo counts as
 *   an Error and, repeated, aborts on): every query ends with `or on() vector(NaN)`;
 * - a missing series that means zero (no 5xx responses yet, no conversions yet) is `or on() vector(0)`;
 * - promote when the value is at or better than the promote threshold (inclusive: "no degradation" promotes),
 *   roll back when it is strictly worse than the rollback threshold, hold in between.
 */
import { NAME_LABEL, VERSION_LABEL } from './pod';
import { goDuration, GuardrailSpec, QUERY_ARGS, RolloutPlan } from '../../spec';

/** Arguments every query may use; the Rollout (or `gate`) supplies them. */
export const ANALYSIS_ARGS = QUERY_ARGS;

/** Routers with request metrics the default error-rate and latency guardrails read. */
export const DEFAULT_QUERY_ROUTERS = ['istio', 'nginx'] as const;

/** The Prometheus label of a pod label the PodMonitor copies onto every series (prometheus-operator sanitizes the name). */
export function targetLabel(podLabel: string): string {
  return podLabel.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Selects one version's series among what the PodMonitor scrapes from the service's pods. */
function podSelector(version: 'canary' | 'stable'): string {
  return `namespace="{{args.namespace}}", ${targetLabel(NAME_LABEL)}="{{args.service}}", ${VERSION_LABEL}="{{args.${version}-version}}"`;
}

/** How a router's request metrics select one version, and their names. */
interface RequestMetrics {
  /** Label matchers of the canary's requests. */
  readonly canary: string;
  readonly requests: string;
  /** Matcher of 5xx responses. */
  readonly errors: string;
  /** The latency histogram's buckets, and the factor to milliseconds. */
  readonly latencyBuckets: string;
  readonly toMilliseconds: number;
  /**
   * Requests the canary served since it started (`counter`: the counter itself, reset with the canary's pods),
   * or over the analysis (`window`: the counter belongs to the router, not to the canary).
   */
  readonly sinceStart: 'counter' | 'window';
}

/**
 * The request metrics of each router with them.
 * - Istio's standard metrics, reported by the destination's sidecar: the canonical service and revision come from
 *   the pods' `app.kubernetes.io/name` and `version` labels (istio pkg/config/labels, canonical service).
 * - ingress-nginx: every request is labelled with the main Ingress and Service; a request the canary Ingress took
 *   carries its upstream in `canary` (rootfs/etc/nginx/lua/monitor.lua `proxy_alternative_upstream_name`), empty otherwise.
 */
const REQUEST_METRICS: Readonly<Record<string, RequestMetrics>> = {
  istio: {
    canary:
      'reporter="destination", destination_service_namespace="{{args.namespace}}", ' +
      'destination_canonical_service="{{args.service}}", destination_canonical_revision="{{args.canary-version}}"',
    requests: 'istio_requests_total',
    errors: 'response_code=~"5.."',
    latencyBuckets: 'istio_request_duration_milliseconds_bucket',
    toMilliseconds: 1,
    sinceStart: 'counter',
  },
  nginx: {
    canary: 'namespace="{{args.namespace}}", ingress="{{args.service}}", canary!=""',
    requests: 'nginx_ingress_controller_requests',
    // "503", or "5xx" with --report-status-classes
    errors: 'status=~"5.."',
    latencyBuckets: 'nginx_ingress_controller_request_duration_seconds_bucket',
    toMilliseconds: 1000,
    sinceStart: 'window',
  },
};

/** Whether `router` has request metrics for the default guardrails. */
export function hasRequestMetrics(router: string): boolean {
  return REQUEST_METRICS[router] !== undefined;
}

/** The rate window: at least four scrape intervals (a rate needs two samples), and at least the measurement interval. */
export function rateWindow(plan: RolloutPlan): string {
  return goDuration(Math.max(4 * plan.scrapeIntervalSeconds, plan.intervalSeconds));
}

/** The guardrail's measurement, before the no-evidence guard; undefined when nothing measures it with `router`. */
function measurement(g: GuardrailSpec, router: string, plan: RolloutPlan): string | undefined {
  const w = rateWindow(plan);
  const m = REQUEST_METRICS[router];
  switch (g.kind) {
    case 'errorRate':
      if (!m) return undefined;
      return `(sum(rate(${m.requests}{${m.canary}, ${m.errors}}[${w}])) or on() vector(0)) / sum(rate(${m.requests}{${m.canary}}[${w}]))`;
    case 'p99LatencyMs': {
      if (!m) return undefined;
      const quantile = `histogram_quantile(0.99, sum by (le) (rate(${m.latencyBuckets}{${m.canary}}[${w}])))`;
      return m.toMilliseconds === 1 ? quantile : `${m.toMilliseconds} * ${quantile}`;
    }
    case 'predictionDriftPsi':
      // the canary's own PSI: no canary series is no evidence
      return g.metric !== undefined ? `max(${g.metric}{${podSelector('canary')}})` : undefined;
    case 'businessMetricDelta': {
      if (g.success === undefined || g.total === undefined) return undefined;
      // successes per prediction, canary against main: the split of traffic cancels out; no successes yet is 0
      const perPrediction = (v: 'canary' | 'stable') =>
        `((sum(rate(${g.success}{${podSelector(v)}}[${w}])) or on() vector(0)) / sum(rate(${g.total}{${podSelector(v)}}[${w}])))`;
      // rounded to a millionth, so a neutral canary is 0 and not float noise either side of it
      return `round(${perPrediction('canary')} / ${perPrediction('stable')} - 1, 0.000001)`;
    }
  }
}

/**
 * Requests the canary has served, for the `minRequests` gate: the router's counter, else the business metric's
 * `total` counter of the canary's pods (reset with them: since the canary started). Undefined when nothing counts them.
 */
export function requestCount(plan: RolloutPlan, router: string): string | undefined {
  const m = REQUEST_METRICS[router];
  if (m) {
    return m.sinceStart === 'counter'
      ? `sum(${m.requests}{${m.canary}})`
      : `sum(increase(${m.requests}{${m.canary}}[${goDuration(Math.max(plan.count * plan.intervalSeconds, 4 * plan.scrapeIntervalSeconds))}]))`;
  }
  const business = plan.guardrails.find((g) => g.kind === 'businessMetricDelta' && g.total !== undefined);
  return business ? `sum(${business.total}{${podSelector('canary')}})` : undefined;
}

/** No evidence is NaN (hold), never an empty vector; below `minRequests`, too. */
function guarded(query: string, plan: RolloutPlan, router: string): string {
  const count = plan.minRequests !== undefined ? requestCount(plan, router) : undefined;
  const enough = count !== undefined ? ` and on() (${count} >= ${plan.minRequests})` : '';
  return `((${query})${enough}) or on() vector(NaN)`;
}

/**
 * The query a guardrail runs with `router`, with `{{args.*}}` placeholders; undefined when nothing measures it.
 * A user's query is wrapped on lines of its own, so a trailing `# comment` in it cannot swallow the guard.
 */
export function guardrailQuery(g: GuardrailSpec, router: string, plan: RolloutPlan): string | undefined {
  const q = g.query !== undefined ? `\n${g.query}\n` : measurement(g, router, plan);
  return q === undefined ? undefined : guarded(q, plan, router);
}

/** A version's side of the comparison: a canary's, or main's (the stable side). */
export type VersionSide = 'canary' | 'stable';

/**
 * A query built for the canary, turned to select one side: the stable side reads the same series of main's
 * pods (`stable-version`; ingress-nginx: the requests the canary Ingress did not take).
 */
function onSide(query: string, router: string, side: VersionSide): string {
  if (side === 'canary') return query;
  const m = REQUEST_METRICS[router];
  const swapped = query.replace(/\{\{\s*args\.canary-version\s*\}\}/g, '{{args.stable-version}}');
  return m && router === 'nginx' ? swapped.split(m.canary).join(NGINX_STABLE) : swapped;
}

/** ingress-nginx: a request the canary Ingress did not take has an empty `canary` label. */
const NGINX_STABLE = 'namespace="{{args.namespace}}", ingress="{{args.service}}", canary=""';

/**
 * A guardrail's query for one side, for drawing each version's series: the exact query the guardrail runs, for a
 * canary; the same measurement of main's series, for main. Undefined where the side has none (the business metric
 * compares a canary with main: main's own delta is 0 by definition) or nothing measures the guardrail.
 */
export function guardrailQueryFor(g: GuardrailSpec, router: string, plan: RolloutPlan, side: VersionSide): string | undefined {
  if (side === 'stable' && g.kind === 'businessMetricDelta') return undefined;
  const q = guardrailQuery(g, router, plan);
  return q === undefined ? undefined : onSide(q, router, side);
}

/** Requests per second one side serves, from the router's request metrics; undefined for a router without them. */
export function requestRateQuery(router: string, plan: RolloutPlan, side: VersionSide): string | undefined {
  const m = REQUEST_METRICS[router];
  return m ? onSide(`sum(rate(${m.requests}{${m.canary}}[${rateWindow(plan)}]))`, router, side) : undefined;
}

/**
 * BentoML's own request metrics (`bentoml_service_*`, the v2 configuration's `api_server.metrics.namespace`;
 * bentoml src/_bentoml_impl/server/app.py with src/bentoml/_internal/server/http/instruments.py
 * RunnerTrafficMetricsMiddleware), scraped by the PodMonitor: one side's request rate, 5xx rate and p99 in
 * milliseconds, for a service without a router's metrics.
 */
export function bentoRequestQueries(plan: RolloutPlan, side: VersionSide): { rate: string; errorRate: string; p99: string } {
  const w = rateWindow(plan);
  const sel = podSelector(side);
  const total = `bentoml_service_request_total{${sel}}`;
  return {
    rate: `sum(rate(${total}[${w}]))`,
    errorRate: `((sum(rate(bentoml_service_request_total{${sel}, http_response_code=~"5.."}[${w}])) or on() vector(0)) / sum(rate(${total}[${w}]))) or on() vector(NaN)`,
    p99: `(1000 * histogram_quantile(0.99, sum by (le) (rate(bentoml_service_request_duration_seconds_bucket{${sel}}[${w}])))) or on() vector(NaN)`,
  };
}

/**
 * Ready pods of one version, from kube-state-metrics (its pod labels `app.kubernetes.io/name` and `version` must be
 * allowlisted: `--metric-labels-allowlist=pods=[app.kubernetes.io/name,version]`).
 */
export function readyPodsQuery(side: VersionSide): string {
  const labels = `namespace="{{args.namespace}}", label_${targetLabel(NAME_LABEL)}="{{args.service}}", label_${targetLabel(VERSION_LABEL)}="{{args.${side}-version}}"`;
  return `sum(kube_pod_status_ready{namespace="{{args.namespace}}", condition="true"} * on(namespace, pod) group_left() max by (namespace, pod) (kube_pod_labels{${labels}})) or on() vector(0)`;
}

/** The query with its placeholders filled in. */
export function withArgs(query: string, args: Readonly<Record<string, string>>): string {
  return query.replace(/\{\{\s*args\.([^}\s]+)\s*\}\}/g, (whole, name: string) => args[name] ?? whole);
}

/** Argo Rollouts' conditions of a guardrail, on `value` (`result[0]` for Prometheus, `result` for web). */
export function guardrailConditions(g: GuardrailSpec, value: string): { successCondition: string; failureCondition: string } {
  return g.better === 'lower'
    ? { successCondition: `${value} <= ${g.promote}`, failureCondition: `${value} > ${g.rollback}` }
    : { successCondition: `${value} >= ${g.promote}`, failureCondition: `${value} < ${g.rollback}` };
}

/** What one measurement decides, as Argo Rollouts' evaluation does. */
export type Verdict = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/**
 * The verdict of a measured value, as Argo Rollouts evaluates the conditions of {@link guardrailConditions}
 * (utils/evaluate/evaluate.go): no value is an Error; NaN meets neither condition (Inconclusive).
 */
export function verdictOf(g: GuardrailSpec, value: number | undefined): Verdict {
  if (value === undefined) return 'Error';
  const success = g.better === 'lower' ? value <= g.promote : value >= g.promote;
  const failure = g.better === 'lower' ? value > g.rollback : value < g.rollback;
  if (failure) return 'Failed';
  if (success) return 'Successful';
  return 'Inconclusive';
}
