/**
 * Guardrails -> Argo Rollouts AnalysisTemplate. Promote threshold ->
 * `successCondition`, rollback threshold -> `failureCondition`; a value in
 * between is Inconclusive, which pauses the rollout for a human.
 */
import { CanarySpec, goDuration, GuardrailKind, GUARDRAILS, Issue, IssuePath, RolloutPlan } from '../../spec';
import { ANALYSIS_ARGS, DEFAULT_QUERY_ROUTERS, guardrailConditions, guardrailQuery, rateWindow, requestCount } from '../common/guardrails';
import { objectLabels } from '../common/pod';
import { KubeObject } from '../types';

export { ANALYSIS_ARGS } from '../common/guardrails';

/** Metric name of each guardrail in the template. */
export const METRIC_NAMES: Readonly<Record<GuardrailKind, string>> = {
  errorRate: 'error-rate',
  p99LatencyMs: 'p99-latency-ms',
  predictionDriftPsi: 'prediction-drift-psi',
  businessMetricDelta: 'business-metric-delta',
};

/** The default PromQL of a guardrail kind for `router` (its default thresholds), or undefined when there is none. */
export function defaultQuery(kind: GuardrailKind, router: string, plan: RolloutPlan): string | undefined {
  const { better, promote, rollback } = GUARDRAILS[kind];
  return guardrailQuery({ kind, better, promote, rollback }, router, plan);
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
  if (plan.minRequests !== undefined && requestCount(plan, router) === undefined) {
    undeclared.push({
      path: [...base, 'minRequests'],
      message: `router "${router}" has no request metrics to count the canary's requests; use router ${DEFAULT_QUERY_ROUTERS.map((r) => `"${r}"`).join(' or ')}, give businessMetricDelta its total counter, or remove minRequests`,
    });
  }
  return [...undeclared, ...plan.guardrails
    .filter((g) => !g.defaulted && g.web === undefined && guardrailQuery(g, router, plan) === undefined)
    .map((g): Issue => ({
      path: [...base, 'guardrails', g.kind, 'query'],
      message: `router "${router}" has no request metrics to build a default ${g.kind} query from; set query (PromQL, with {{args.service}}, {{args.namespace}}, {{args.canary-version}}), or use router ${DEFAULT_QUERY_ROUTERS.map((r) => `"${r}"`).join(' or ')}`,
    }))];
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
      // a step analysis promotes only with at least one Successful measurement: inconclusive ones (no evidence) are
      // tolerated up to what the count leaves beside the tolerated failures
      ...(options.terminating ? { count: plan.count, inconclusiveLimit: Math.max(0, plan.count - 1 - plan.failureLimit) } : {}),
      // a background analysis starts with the rollout, before the canary has traffic: its first measurement waits a window
      ...(options.terminating ? {} : { initialDelay: rateWindow(plan) }),
      failureLimit: plan.failureLimit,
      consecutiveErrorLimit: plan.consecutiveErrorLimit,
      ...guardrailConditions(g, web ? 'result' : 'result[0]'),
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
