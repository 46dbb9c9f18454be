/**
 * Guardrails -> Argo Rollouts AnalysisTemplate. Promote threshold ->
 * `successCondition`, rollback threshold -> `failureCondition`; a value in
 * between is Inconclusive, which pauses the rollout for a human.
 */
import { CanarySpec, goDuration, GuardrailKind, GuardrailSpec, Issue, IssuePath, RolloutPlan } from '../../spec';
import { objectLabels } from '../common/pod';
import { KubeObject } from '../types';

/** Arguments every template declares; the Rollout (or the user) supplies them. */
export const ANALYSIS_ARGS = ['service', 'namespace', 'canary-version', 'stable-version', 'canary-hash', 'stable-hash'] as const;

/** Metric name of each guardrail in the template. */
export const METRIC_NAMES: Readonly<Record<GuardrailKind, string>> = {
  errorRate: 'error-rate',
  p99LatencyMs: 'p99-latency-ms',
  predictionDriftPsi: 'prediction-drift-psi',
  businessMetricDelta: 'business-metric-delta',
};

/** Routers with default request-metric queries, and the metrics they read. */
export const DEFAULT_QUERY_ROUTERS = ['istio', 'nginx'] as const;

/** Selects the canary's requests in Istio's standard metrics (labels from the pods' `app.kubernetes.io/name` and `version`). */
const ISTIO_CANARY =
  'reporter="destination", destination_service_namespace="{{args.namespace}}", ' +
  'destination_canonical_service="{{args.service}}", destination_canonical_revision="{{args.canary-version}}"';
/** Selects the canary's requests in ingress-nginx's metrics (the canary Ingress routes to the canary Service). */
const NGINX_CANARY = 'namespace="{{args.namespace}}", service="{{args.service}}-canary"';

function window(plan: RolloutPlan): string {
  return goDuration(Math.max(plan.intervalSeconds, 60));
}

/** The default PromQL of a request guardrail for `router`, or undefined when there is none. */
export function defaultQuery(kind: GuardrailKind, router: string, plan: RolloutPlan): string | undefined {
  const w = window(plan);
  let query: string | undefined;
  let requests: string | undefined;
  if (router === 'istio') {
    requests = `sum(increase(istio_requests_total{${ISTIO_CANARY}}[${w}]))`;
    if (kind === 'errorRate') {
      query = `sum(rate(istio_requests_total{${ISTIO_CANARY}, response_code=~"5.."}[${w}])) / sum(rate(istio_requests_total{${ISTIO_CANARY}}[${w}]))`;
    } else if (kind === 'p99LatencyMs') {
      query = `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${ISTIO_CANARY}}[${w}])))`;
    }
  } else if (router === 'nginx') {
    requests = `sum(increase(nginx_ingress_controller_requests{${NGINX_CANARY}}[${w}]))`;
    if (kind === 'errorRate') {
      query = `sum(rate(nginx_ingress_controller_requests{${NGINX_CANARY}, status=~"5.."}[${w}])) / sum(rate(nginx_ingress_controller_requests{${NGINX_CANARY}}[${w}]))`;
    } else if (kind === 'p99LatencyMs') {
      query = `1000 * histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{${NGINX_CANARY}}[${w}])))`;
    }
  }
  if (query === undefined) return undefined;
  return guarded(query, requests, plan);
}

/**
 * Below the minimum request count (or with no data at all) a query yields NaN,
 * which meets neither condition: the measurement is Inconclusive, so the rollout holds.
 */
function guarded(query: string, requests: string | undefined, plan: RolloutPlan): string {
  const enough = plan.minRequests !== undefined && requests !== undefined ? ` and on() (${requests} >= ${plan.minRequests})` : '';
  return `((${query})${enough}) or on() vector(NaN)`;
}

/** The query a guardrail runs with `router`: the user's, else the default. */
export function guardrailQuery(g: GuardrailSpec, router: string, plan: RolloutPlan): string | undefined {
  return g.query ?? defaultQuery(g.kind, router, plan);
}

/**
 * Everything that keeps `plan` from becoming a standalone AnalysisTemplate for
 * `router`, on paths under `base`: queries it lacks, or no guardrail to measure.
 */
export function analysisTemplateIssues(plan: RolloutPlan, router: string, base: IssuePath = []): Issue[] {
  const issues = checkPlanQueries(plan, router, base);
  if (issues.length === 0 && measuredPlan(plan, router).guardrails.length === 0) {
    issues.push({
      path: [...base, 'guardrails'],
      message: `router "${router}" has no request metrics for the default guardrails; give guardrails with a query, or use router ${DEFAULT_QUERY_ROUTERS.map((r) => `"${r}"`).join(' or ')}`,
    });
  }
  return issues;
}

/**
 * The plan as measured with `router`: default guardrails (none given) only
 * where the router has request metrics to query.
 */
export function measuredPlan(plan: RolloutPlan, router: string): RolloutPlan {
  return { ...plan, guardrails: plan.guardrails.filter((g) => !g.defaulted || guardrailQuery(g, router, plan) !== undefined) };
}

/** Issues for guardrails that have neither a query of their own nor a default for `router`. */
export function checkGuardrailQueries(spec: CanarySpec, router: string): Issue[] {
  return spec.rollout ? checkPlanQueries(spec.rollout, router) : [];
}

/** Issues for guardrails of `plan` that have neither a query of their own nor a default for `router`. */
export function checkPlanQueries(plan: RolloutPlan, router: string, base: IssuePath = ['rollout']): Issue[] {
  const undeclared: Issue[] = [];
  for (const g of plan.guardrails) {
    for (const text of [g.query, g.web?.url]) {
      for (const m of (text ?? '').matchAll(/\{\{\s*args\.([^}\s]+)\s*\}\}/g)) {
        if (!(ANALYSIS_ARGS as readonly string[]).includes(m[1])) {
          undeclared.push({
            path: [...base, 'guardrails', g.kind, g.query !== undefined ? 'query' : 'url'],
            message: `{{args.${m[1]}}} is not an argument of the analysis, so every measurement would fail; use ${ANALYSIS_ARGS.map((a) => `{{args.${a}}}`).join(', ')}`,
          });
        }
      }
    }
  }
  return [...undeclared, ...plan.guardrails
    .filter((g) => !g.defaulted && g.web === undefined && guardrailQuery(g, router, plan) === undefined)
    .map((g): Issue => ({
      path: [...base, 'guardrails', g.kind, 'query'],
      message: `router "${router}" has no request metrics to build a default ${g.kind} query from; set query (PromQL, with {{args.service}}, {{args.namespace}}, {{args.canary-version}}), or use router ${DEFAULT_QUERY_ROUTERS.map((r) => `"${r}"`).join(' or ')}`,
    }))];
}

function conditions(g: GuardrailSpec, value: string): { successCondition: string; failureCondition: string } {
  return g.better === 'lower'
    ? { successCondition: `${value} < ${g.promote}`, failureCondition: `${value} > ${g.rollback}` }
    : { successCondition: `${value} > ${g.promote}`, failureCondition: `${value} < ${g.rollback}` };
}

/** Options of {@link analysisTemplate}. */
export interface AnalysisTemplateOptions {
  /** Name of the template. */
  readonly name: string;
  /** Namespace (ignored for a ClusterAnalysisTemplate). */
  readonly namespace?: string;
  /** Render a ClusterAnalysisTemplate. */
  readonly clusterScope?: boolean;
  /** Router whose metrics the default queries read. */
  readonly router: string;
  /** Whether metrics must terminate (inline step analysis): a count with every interval. */
  readonly terminating: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

/** An AnalysisTemplate (or ClusterAnalysisTemplate) measuring every guardrail of `plan`. */
export function analysisTemplate(plan: RolloutPlan, options: AnalysisTemplateOptions): KubeObject {
  const metrics = plan.guardrails.map((g) => {
    const web = g.web;
    const provider = web
      ? { web: { url: web.url, jsonPath: web.jsonPath } }
      : { prometheus: { address: plan.prometheusAddress, query: guardrailQuery(g, options.router, plan)! } };
    return {
      name: METRIC_NAMES[g.kind],
      interval: goDuration(plan.intervalSeconds),
      ...(options.terminating ? { count: plan.count } : {}),
      failureLimit: plan.failureLimit,
      consecutiveErrorLimit: plan.consecutiveErrorLimit,
      ...conditions(g, web ? 'result' : 'result[0]'),
      provider,
    };
  });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: options.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate',
    metadata: {
      name: options.name,
      ...(options.namespace && !options.clusterScope ? { namespace: options.namespace } : {}),
      ...(options.labels ? { labels: { ...options.labels } } : {}),
    },
    spec: {
      args: ANALYSIS_ARGS.map((name) => ({ name })),
      metrics,
      ...(plan.dryRun ? { dryRun: [{ metricName: '.*' }] } : {}),
    },
  };
}

/** The template of a service's rollout, named after the service. */
export function serviceAnalysisTemplate(spec: CanarySpec, router: string, terminating: boolean): KubeObject {
  const plan = measuredPlan(spec.rollout!, router);
  return analysisTemplate(plan, { name: spec.name, namespace: spec.namespace, router, terminating, labels: objectLabels(spec) });
}
