/**
 * The progressive rollout: stages, pauses and guardrails, with defaults and
 * every rule that holds whatever the backend.
 */
import { describeValue, IssueCollector, IssuePath } from './errors';
import { DurationInput, RolloutInput } from './input';
import { schemas } from './lazy';
import { GuardrailKind, GuardrailSpec, RolloutPlan } from './model';
import { placeholderProblems, promqlSyntaxProblem } from './promql';
import { parseWithIssues } from './zod-issues';

/** The runbook's stages. */
export const DEFAULT_STAGES: readonly number[] = [5, 10, 25, 50, 100];
/** Seconds between measurements. */
export const DEFAULT_INTERVAL_SECONDS = 60;
/** Measurements per step analysis. */
export const DEFAULT_COUNT = 5;
/** The Prometheus of kube-prometheus-stack / prometheus-operator in namespace monitoring. */
export const DEFAULT_PROMETHEUS_ADDRESS = 'http://prometheus-operated.monitoring.svc:9090';
/** Argo Rollouts' own default. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** The scrape interval of the PodMonitor (and assumed of the router's metrics). */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 30;

/** Each guardrail: which way is better, its defaults, and the names used in files and messages. */
export const GUARDRAILS: Readonly<Record<GuardrailKind, {
  readonly better: 'lower' | 'higher';
  readonly promote: number;
  readonly rollback: number;
  /** Whether a default query exists (request metrics measured by the router). */
  readonly defaultQuery: boolean;
  /** Allowed values, for messages. */
  readonly range: readonly [number, number];
  readonly unit: string;
}>> = {
  errorRate: { better: 'lower', promote: 0.005, rollback: 0.01, defaultQuery: true, range: [0, 1], unit: 'a fraction of requests from 0 to 1' },
  p99LatencyMs: { better: 'lower', promote: 200, rollback: 500, defaultQuery: true, range: [0, Number.MAX_VALUE], unit: 'milliseconds above 0' },
  predictionDriftPsi: { better: 'lower', promote: 0.1, rollback: 0.2, defaultQuery: false, range: [0, Number.MAX_VALUE], unit: 'a PSI of 0 or more' },
  businessMetricDelta: { better: 'higher', promote: 0, rollback: -0.03, defaultQuery: false, range: [-1, Number.MAX_VALUE], unit: 'a relative change of -1 or more' },
};

/** Parses `30`, `"30s"`, `"5m"`, `"1h30m"` into seconds. */
export function durationSeconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)!;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** Seconds as a Go duration string (`300` -> `5m`, `90` -> `1m30s`), as Argo Rollouts reads it. */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

const promoteKey = (better: 'lower' | 'higher') => (better === 'lower' ? 'promoteBelow' : 'promoteAbove');
const rollbackKey = (better: 'lower' | 'higher') => (better === 'lower' ? 'rollbackAbove' : 'rollbackBelow');

/** Validates a rollout section and fills in its defaults; problems go to `issues`. */
export function normalizeRollout(input: RolloutInput, issues: IssueCollector, path: IssuePath = ['rollout']): RolloutPlan | undefined {
  const start = issues.count;
  const stages = input.stages ?? DEFAULT_STAGES;
  if (stages.length === 0) {
    issues.add([...path, 'stages'], 'must list at least one stage, got []; e.g. [5, 10, 25, 50, 100]');
  } else {
    for (let i = 1; i < stages.length; i++) {
      if (stages[i] <= stages[i - 1]) {
        issues.add(
          [...path, 'stages', i],
          `stages must be strictly ascending, got ${stages[i]} after ${stages[i - 1]} in [${stages.join(', ')}]; raise it above ${stages[i - 1]} or remove it`,
        );
      }
    }
    if (stages[stages.length - 1] !== 100) {
      issues.add(
        [...path, 'stages', stages.length - 1],
        `the last stage must be 100 (the canary takes all traffic before it becomes main), got ${stages[stages.length - 1]} in [${stages.join(', ')}]; end the list with 100`,
      );
    }
  }
  let pauses: (number | undefined)[];
  const pause = input.pause;
  if (Array.isArray(pause)) {
    if (pause.length !== stages.length) {
      issues.add([...path, 'pause'], `a list of pauses needs one per stage (${stages.length}), got ${pause.length}; give one pause per stage, or a single pause for all`);
    }
    pauses = stages.map((_, i) => (pause[i] === null || pause[i] === undefined ? undefined : durationSeconds(pause[i]!)));
  } else {
    const one = pause === null || pause === undefined ? undefined : durationSeconds(pause as DurationInput);
    pauses = stages.map(() => one);
  }
  const intervalSeconds = input.interval !== undefined ? durationSeconds(input.interval) : DEFAULT_INTERVAL_SECONDS;
  if (intervalSeconds === 0) issues.add([...path, 'interval'], 'must be at least 1 second, got 0; e.g. "1m"');
  if (input.scrapeInterval !== undefined && durationSeconds(input.scrapeInterval) === 0) {
    issues.add([...path, 'scrapeInterval'], 'must be at least 1 second, got 0; e.g. "30s" (Prometheus\' scrape interval)');
  }
  const count = input.count ?? DEFAULT_COUNT;
  const failureLimit = input.failureLimit ?? 0;
  if (failureLimit >= count && input.analysis !== 'background') {
    issues.add(
      [...path, 'failureLimit'],
      `a failure limit of ${failureLimit} can never be exceeded in ${count} measurements; lower it below count, or raise count above ${failureLimit}`,
    );
  }

  const guardrails: GuardrailSpec[] = [];
  const given = input.guardrails ?? { errorRate: {}, p99LatencyMs: {} };
  for (const kind of Object.keys(GUARDRAILS) as GuardrailKind[]) {
    const g = given[kind] as Record<string, unknown> | undefined;
    if (g === undefined) continue;
    const def = GUARDRAILS[kind];
    const gPath = [...path, 'guardrails', kind];
    const pk = promoteKey(def.better);
    const rk = rollbackKey(def.better);
    const wrongWay = def.better === 'lower' ? ['promoteAbove', 'rollbackBelow'] : ['promoteBelow', 'rollbackAbove'];
    for (const k of wrongWay) {
      if (g[k] !== undefined) {
        issues.add([...gPath, k], `${kind} is better when ${def.better}, so it takes ${pk} and ${rk}; rename ${k}`);
      }
    }
    const promote = (g[pk] as number | undefined) ?? def.promote;
    const rollback = (g[rk] as number | undefined) ?? def.rollback;
    for (const [k, v] of [[pk, promote], [rk, rollback]] as const) {
      if (v < def.range[0] || v > def.range[1] || (kind === 'p99LatencyMs' && v <= 0)) {
        issues.add([...gPath, k], `must be ${def.unit}, got ${describeValue(v)}`);
      }
    }
    const inverted = def.better === 'lower' ? promote > rollback : promote < rollback;
    if (inverted) {
      issues.add(
        [...gPath, pk],
        def.better === 'lower'
          ? `the band is inverted: promote below ${promote} but roll back above ${rollback}, so a value between them would do both; make ${pk} at most ${rk}`
          : `the band is inverted: promote above ${promote} but roll back below ${rollback}, so a value between them would do both; make ${pk} at least ${rk}`,
      );
    }
    const query = g.query as string | undefined;
    const url = g.url as string | undefined;
    if (query !== undefined && url !== undefined) {
      issues.add([...gPath, 'url'], 'set either a PromQL query or a drift detector URL, not both; remove one');
    }
    const metric = g.metric as string | undefined;
    const success = g.success as string | undefined;
    const total = g.total as string | undefined;
    const typed = kind === 'predictionDriftPsi' ? metric !== undefined : success !== undefined || total !== undefined;
    const sources = [query !== undefined, url !== undefined, typed].filter(Boolean).length;
    if (sources > 1 && !(query !== undefined && url !== undefined)) {
      issues.add(gPath, `set one source: ${kind === 'predictionDriftPsi' ? 'metric, query or url' : 'success and total, or query'}; remove the others`);
    }
    if (kind === 'businessMetricDelta' && (success === undefined) !== (total === undefined)) {
      issues.add([...gPath, success === undefined ? 'success' : 'total'], 'success and total go together: the counters of successful predictions and of all predictions; set both');
    }
    if (!def.defaultQuery && sources === 0) {
      issues.add(
        gPath,
        kind === 'predictionDriftPsi'
          ? 'prediction drift comes from the model server or a drift detector, so there is no default; set metric (the PSI gauge your server exports, e.g. "model_prediction_psi"), query (PromQL) or url (an HTTP endpoint returning the PSI)'
          : 'a business metric is yours to define, so there is no default; set success and total (the counters of successful and of all predictions, e.g. "conversions_total" and "predictions_total"), or query',
      );
    }
    if (g.jsonPath !== undefined && url === undefined) issues.add([...gPath, 'jsonPath'], 'goes with url; add url or remove jsonPath');
    if (query !== undefined) {
      for (const p of placeholderProblems(query)) issues.add([...gPath, 'query'], p);
      const syntax = promqlSyntaxProblem(query);
      if (syntax) issues.add([...gPath, 'query'], syntax);
    }
    if (url !== undefined) for (const p of placeholderProblems(url)) issues.add([...gPath, 'url'], p);
    guardrails.push({
      ...(input.guardrails === undefined ? { defaulted: true } : {}),
      kind,
      better: def.better,
      promote,
      rollback,
      ...(query !== undefined ? { query } : {}),
      ...(metric !== undefined ? { metric } : {}),
      ...(success !== undefined ? { success } : {}),
      ...(total !== undefined ? { total } : {}),
      ...(url !== undefined ? { web: { url, jsonPath: (g.jsonPath as string | undefined) ?? '{$.psi}' } } : {}),
    });
  }
  if (issues.count > start) return undefined;
  return {
    stages,
    pauses,
    analysis: input.analysis ?? 'step',
    intervalSeconds,
    scrapeIntervalSeconds: input.scrapeInterval !== undefined ? durationSeconds(input.scrapeInterval) : DEFAULT_SCRAPE_INTERVAL_SECONDS,
    count,
    failureLimit,
    consecutiveErrorLimit: input.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
    ...(input.minRequests !== undefined ? { minRequests: input.minRequests } : {}),
    dryRun: input.dryRun ?? false,
    prometheusAddress: input.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
    guardrails,
  };
}

/**
 * Validates a rollout section on its own (e.g. for a standalone AnalysisTemplate).
 * @param path where the section is, for messages
 * @throws ValidationError with every problem, on paths under `path`
 */
export function parseRollout(input: unknown, path: IssuePath = ['rollout']): RolloutPlan {
  const issues = new IssueCollector();
  const parsed = parseWithIssues(schemas().rolloutSchema, input, path);
  issues.addAll(parsed.issues);
  const plan = parsed.data ? normalizeRollout(parsed.data, issues, path) : undefined;
  issues.throwIfAny();
  return plan!;
}
