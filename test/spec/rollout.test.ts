import {
  atStage,
  CanarySpec,
  DEFAULT_STAGES,
  durationSeconds,
  goDuration,
  GUARDRAILS,
  normalizeService,
  parseRollout,
  promoted,
  rolledBack,
  shareAmong,
  stagePlan,
} from '../../src/spec';
import { issuesOf } from '../support/issues';

/** A service with main and one canary at 5%, and `rollout` when given. */
function service(rollout?: unknown, overrides: Record<string, unknown> = {}): any {
  return {
    name: 'fraud',
    main: { artifact: { type: 'bento', tag: 'fraud:v1' } },
    versions: { v2: { artifact: { type: 'bento', tag: 'fraud:v2' }, weight: 5 } },
    ...(rollout !== undefined ? { rollout } : {}),
    ...overrides,
  };
}

/** A service with canaries of the given names and declared weights. */
function withCanaries(weights: Record<string, number>, rollout: unknown = {}): CanarySpec {
  const versions = Object.fromEntries(
    Object.entries(weights).map(([name, weight]) => [name, { artifact: { type: 'bento', tag: `fraud:${name}` }, weight }]),
  );
  return normalizeService(service(rollout, { versions }));
}

const plan = (rollout: unknown) => normalizeService(service(rollout)).rollout!;

/** The formatted issues of a service with this rollout section. */
const problems = (rollout: unknown, overrides: Record<string, unknown> = {}) => issuesOf(() => normalizeService(service(rollout, overrides)));

const DRIFT_QUERY = 'max(model_prediction_psi{service="{{args.service}}"})';
const BUSINESS_QUERY = 'sum(rate(orders_total{version="{{args.canary-version}}"}[5m])) / sum(rate(orders_total{version="{{args.stable-version}}"}[5m])) - 1';

/** A small deterministic PRNG (Park-Miller), so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

describe('rollout defaults', () => {
  test('an empty rollout section takes the runbook: five stages, manual pauses, step analysis, two default guardrails', () => {
    // Given a service with an empty rollout section
    // When it is normalized
    const spec = normalizeService(service({}));
    // Then every default is filled in
    expect(spec.rollout).toEqual({
      stages: [5, 10, 25, 50, 100],
      pauses: [undefined, undefined, undefined, undefined, undefined],
      analysis: 'step',
      intervalSeconds: 60,
      // the PodMonitor's, so rate windows span at least 2 minutes
      scrapeIntervalSeconds: 30,
      count: 5,
      failureLimit: 0,
      consecutiveErrorLimit: 4,
      dryRun: false,
      prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090',
      guardrails: [
        { defaulted: true, kind: 'errorRate', better: 'lower', promote: 0.005, rollback: 0.01 },
        { defaulted: true, kind: 'p99LatencyMs', better: 'lower', promote: 200, rollback: 500 },
      ],
    });
    expect(spec.rollout!.stages).toEqual(DEFAULT_STAGES);
    expect(spec.rollout!.minRequests).toBeUndefined();
  });

  test('monitoring defaults to true with a rollout and false without; an explicit value wins', () => {
    expect(normalizeService(service({})).monitoring).toBe(true);
    const without = normalizeService(service());
    expect(without.monitoring).toBe(false);
    expect(without.rollout).toBeUndefined();
    expect(normalizeService(service({}, { monitoring: false })).monitoring).toBe(false);
    expect(normalizeService(service(undefined, { monitoring: true })).monitoring).toBe(true);
  });

  test('the declared weights are kept: a rollout does not change them', () => {
    const spec = normalizeService(service({ stages: [20, 100] }));
    expect(spec.main.weight).toBe(95);
    expect(spec.canaries.map((c) => [c.name, c.weight])).toEqual([['v2', 5]]);
  });

  test('GUARDRAILS: errorRate, p99LatencyMs and drift are lower-is-better, the business delta higher-is-better', () => {
    expect(Object.keys(GUARDRAILS)).toEqual(['errorRate', 'p99LatencyMs', 'predictionDriftPsi', 'businessMetricDelta']);
    expect(GUARDRAILS.errorRate).toMatchObject({ better: 'lower', promote: 0.005, rollback: 0.01, defaultQuery: true });
    expect(GUARDRAILS.p99LatencyMs).toMatchObject({ better: 'lower', promote: 200, rollback: 500, defaultQuery: true });
    expect(GUARDRAILS.predictionDriftPsi).toMatchObject({ better: 'lower', promote: 0.1, rollback: 0.2, defaultQuery: false });
    expect(GUARDRAILS.businessMetricDelta).toMatchObject({ better: 'higher', promote: 0, rollback: -0.03, defaultQuery: false });
    // every default band is the right way round
    for (const g of Object.values(GUARDRAILS)) {
      if (g.better === 'lower') expect(g.promote).toBeLessThanOrEqual(g.rollback);
      else expect(g.promote).toBeGreaterThanOrEqual(g.rollback);
    }
  });
});

describe('rollout settings', () => {
  test('explicit settings are kept', () => {
    const p = plan({
      stages: [1, 50, 100],
      analysis: 'background',
      interval: '30s',
      count: 10,
      failureLimit: 2,
      consecutiveErrorLimit: 0,
      minRequests: 100,
      dryRun: true,
      prometheusAddress: 'https://prometheus.example.com',
    });
    expect(p).toMatchObject({
      stages: [1, 50, 100],
      analysis: 'background',
      intervalSeconds: 30,
      count: 10,
      failureLimit: 2,
      consecutiveErrorLimit: 0,
      minRequests: 100,
      dryRun: true,
      prometheusAddress: 'https://prometheus.example.com',
    });
  });

  test('a single stage of 100 is a valid (one-step) rollout', () => {
    expect(plan({ stages: [100] }).stages).toEqual([100]);
  });

  test.each([
    ['whole seconds', 300, 300],
    ['"5m"', '5m', 300],
    ['"1h30m"', '1h30m', 5400],
    ['"45s"', '45s', 45],
    ['"1h"', '1h', 3600],
    ['"2m30s"', '2m30s', 150],
    ['0', 0, 0],
  ])('pause %s applies after every stage', (_, pause, seconds) => {
    expect(plan({ pause }).pauses).toEqual([seconds, seconds, seconds, seconds, seconds]);
  });

  test('pause null waits for a manual promote after every stage', () => {
    expect(plan({ pause: null }).pauses).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  test('a pause list gives one pause per stage, null for a manual promote', () => {
    expect(plan({ pause: ['1m', null, 300, '1h30m', 0] }).pauses).toEqual([60, undefined, 300, 5400, 0]);
    expect(plan({ stages: [50, 100], pause: [null, '10m'] }).pauses).toEqual([undefined, 600]);
  });

  test('interval as seconds or a duration string', () => {
    expect(plan({ interval: 90 }).intervalSeconds).toBe(90);
    expect(plan({ interval: '2m' }).intervalSeconds).toBe(120);
    expect(plan({ interval: '1h30m' }).intervalSeconds).toBe(5400);
  });

  test('failureLimit equal to count is fine with background analysis (it never terminates by count)', () => {
    expect(plan({ analysis: 'background', failureLimit: 5 }).failureLimit).toBe(5);
    expect(plan({ analysis: 'background', count: 3, failureLimit: 10 }).failureLimit).toBe(10);
    // and with step analysis, a failure limit one below count is the largest allowed
    expect(plan({ count: 6, failureLimit: 5 })).toMatchObject({ count: 6, failureLimit: 5 });
  });
});

describe('explicit guardrails', () => {
  test('thresholds and queries are kept, in the order of GUARDRAILS, none marked defaulted', () => {
    const p = plan({
      guardrails: {
        businessMetricDelta: { promoteAbove: 0.01, rollbackBelow: -0.05, query: BUSINESS_QUERY },
        p99LatencyMs: { promoteBelow: 150, rollbackAbove: 400, query: 'histogram_quantile(0.99, x)' },
        errorRate: { promoteBelow: 0.001, rollbackAbove: 0.02 },
        predictionDriftPsi: { query: DRIFT_QUERY },
      },
    });
    expect(p.guardrails).toEqual([
      { kind: 'errorRate', better: 'lower', promote: 0.001, rollback: 0.02 },
      { kind: 'p99LatencyMs', better: 'lower', promote: 150, rollback: 400, query: 'histogram_quantile(0.99, x)' },
      { kind: 'predictionDriftPsi', better: 'lower', promote: 0.1, rollback: 0.2, query: DRIFT_QUERY },
      { kind: 'businessMetricDelta', better: 'higher', promote: 0.01, rollback: -0.05, query: BUSINESS_QUERY },
    ]);
  });

  test('giving guardrails replaces the defaults: only the ones given are measured', () => {
    expect(plan({ guardrails: { errorRate: {} } }).guardrails).toEqual([{ kind: 'errorRate', better: 'lower', promote: 0.005, rollback: 0.01 }]);
    expect(plan({ guardrails: {} }).guardrails).toEqual([]);
  });

  test('one threshold given, the other keeps its default', () => {
    expect(plan({ guardrails: { p99LatencyMs: { rollbackAbove: 1000 } } }).guardrails).toEqual([
      { kind: 'p99LatencyMs', better: 'lower', promote: 200, rollback: 1000 },
    ]);
  });

  test('equal thresholds (no hold band) are allowed', () => {
    const errorRate = plan({ guardrails: { errorRate: { promoteBelow: 0.01, rollbackAbove: 0.01 } } }).guardrails[0];
    expect(errorRate).toMatchObject({ promote: 0.01, rollback: 0.01 });
    const business = plan({ guardrails: { businessMetricDelta: { promoteAbove: 0, rollbackBelow: 0, query: BUSINESS_QUERY } } }).guardrails[0];
    expect(business).toMatchObject({ promote: 0, rollback: 0 });
  });

  test('boundary thresholds are allowed: errorRate 0 and 1, business delta -1', () => {
    const errorRate = plan({ guardrails: { errorRate: { promoteBelow: 0, rollbackAbove: 1 } } }).guardrails[0];
    expect(errorRate).toMatchObject({ promote: 0, rollback: 1 });
    const business = plan({ guardrails: { businessMetricDelta: { promoteAbove: -0.5, rollbackBelow: -1, query: BUSINESS_QUERY } } }).guardrails[0];
    expect(business).toMatchObject({ promote: -0.5, rollback: -1 });
  });

  test('drift from a detector URL: a web source with jsonPath {$.psi} by default, no query', () => {
    const url = 'http://drift.ml.svc:8080/psi/{{args.service}}';
    expect(plan({ guardrails: { predictionDriftPsi: { url } } }).guardrails).toEqual([
      { kind: 'predictionDriftPsi', better: 'lower', promote: 0.1, rollback: 0.2, web: { url, jsonPath: '{$.psi}' } },
    ]);
    expect(plan({ guardrails: { predictionDriftPsi: { url, jsonPath: '{$.data.psi}', promoteBelow: 0.05 } } }).guardrails).toEqual([
      { kind: 'predictionDriftPsi', better: 'lower', promote: 0.05, rollback: 0.2, web: { url, jsonPath: '{$.data.psi}' } },
    ]);
  });
});

describe('durations', () => {
  test.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [90, '1m30s'],
    [3600, '1h'],
    [3661, '1h1m1s'],
    [5400, '1h30m'],
    [7200, '2h'],
  ])('goDuration(%d) is %s and durationSeconds reads it back', (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
    expect(durationSeconds(text)).toBe(seconds);
  });

  test('durationSeconds takes whole seconds as they are, and every unit combination', () => {
    expect(durationSeconds(0)).toBe(0);
    expect(durationSeconds(300)).toBe(300);
    expect(durationSeconds('30s')).toBe(30);
    expect(durationSeconds('5m')).toBe(300);
    expect(durationSeconds('2h')).toBe(7200);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('1h0m5s')).toBe(3605);
    expect(durationSeconds('90s')).toBe(90);
  });

  test('round trip over every second of the first two hours', () => {
    for (let s = 0; s <= 7200; s++) expect(durationSeconds(goDuration(s))).toBe(s);
  });
});

describe('invalid stages', () => {
  test('stages not strictly ascending: every offending index is reported with the fix', () => {
    expect(problems({ stages: [10, 5, 5, 50, 25, 100] })).toEqual([
      'rollout.stages[1]: stages must be strictly ascending, got 5 after 10 in [10, 5, 5, 50, 25, 100]; raise it above 10 or remove it',
      'rollout.stages[2]: stages must be strictly ascending, got 5 after 5 in [10, 5, 5, 50, 25, 100]; raise it above 5 or remove it',
      'rollout.stages[4]: stages must be strictly ascending, got 25 after 50 in [10, 5, 5, 50, 25, 100]; raise it above 50 or remove it',
    ]);
  });

  test('the last stage must be 100', () => {
    expect(problems({ stages: [5, 10, 50] })).toEqual([
      expect.stringMatching(/^rollout\.stages\[2\]: the last stage must be 100 .*got 50 in \[5, 10, 50\]; end the list with 100$/),
    ]);
  });

  test('a descending pair at the end reports both the order and the last stage', () => {
    expect(problems({ stages: [50, 10] })).toEqual([
      expect.stringMatching(/^rollout\.stages\[1\]: stages must be strictly ascending, got 10 after 50/),
      expect.stringMatching(/^rollout\.stages\[1\]: the last stage must be 100 .*got 10/),
    ]);
  });

  test('an empty list of stages', () => {
    expect(problems({ stages: [] })).toEqual(['rollout.stages: must list at least one stage, got []; e.g. [5, 10, 25, 50, 100]']);
  });

  test.each([
    [0, 0],
    [101, 0],
    [2.5, 0],
    [-5, 0],
  ])('stage %p is not a whole percent from 1 to 100', (stage) => {
    expect(problems({ stages: [stage, 100] })).toEqual([`rollout.stages[0]: must be a whole percent from 1 to 100, got ${stage}`]);
  });

  test('every bad stage is reported, each at its index', () => {
    expect(problems({ stages: [0, 101, 2.5, 100] })).toEqual([
      'rollout.stages[0]: must be a whole percent from 1 to 100, got 0',
      'rollout.stages[1]: must be a whole percent from 1 to 100, got 101',
      'rollout.stages[2]: must be a whole percent from 1 to 100, got 2.5',
    ]);
  });

  test('stages that are not a list', () => {
    expect(problems({ stages: '5,10,100' })).toEqual([
      'rollout.stages: must be a list of percents such as [5, 10, 25, 50, 100], got "5,10,100"',
    ]);
  });
});

describe('invalid pauses and analysis settings', () => {
  test('a pause list of the wrong length names both lengths and the fix', () => {
    expect(problems({ pause: ['5m', null] })).toEqual([
      'rollout.pause: a list of pauses needs one per stage (5), got 2; give one pause per stage, or a single pause for all',
    ]);
    expect(problems({ stages: [50, 100], pause: ['1m', '1m', '1m'] })).toEqual([
      'rollout.pause: a list of pauses needs one per stage (2), got 3; give one pause per stage, or a single pause for all',
    ]);
  });

  test.each([
    ['"1d"', '1d', 'must be a duration such as "30s", "5m", "1h30m" (units h, m, s), got "1d"'],
    ['"5 minutes"', '5 minutes', 'must be a duration such as "30s", "5m", "1h30m" (units h, m, s), got "5 minutes"'],
    ['-1', -1, 'must be a duration: whole seconds, or a string such as "30s", "5m", "1h30m", got -1'],
    ['1.5', 1.5, 'must be a duration such as "5m", null (wait for a manual promote), or a list with one per stage, got 1.5'],
    ['""', '', 'must be a duration such as "30s", "5m", "1h30m", got ""'],
  ])('pause %s is rejected, naming the value and the units allowed', (_, pause, message) => {
    expect(problems({ pause })).toEqual([`rollout.pause: ${message}`]);
  });

  test('a bad pause in a list is reported at its index', () => {
    expect(problems({ stages: [50, 100], pause: ['5m', '1d'] })).toEqual([
      'rollout.pause[1]: must be a duration such as "30s", "5m", "1h30m" (units h, m, s), got "1d"',
    ]);
  });

  test('a pause that is neither a duration, null nor a list', () => {
    expect(problems({ pause: true })).toEqual([
      'rollout.pause: must be a duration such as "5m", null (wait for a manual promote), or a list with one per stage, got true',
    ]);
  });

  test('interval 0 (as a number or "0s") is at least 1 second', () => {
    expect(problems({ interval: 0 })).toEqual(['rollout.interval: must be at least 1 second, got 0; e.g. "1m"']);
    expect(problems({ interval: '0s' })).toEqual(['rollout.interval: must be at least 1 second, got 0; e.g. "1m"']);
  });

  test('failureLimit at or above count can never be exceeded with step analysis', () => {
    expect(problems({ failureLimit: 5 })).toEqual([
      'rollout.failureLimit: a failure limit of 5 can never be exceeded in 5 measurements; lower it below count, or raise count above 5',
    ]);
    expect(problems({ count: 3, failureLimit: 7, analysis: 'step' })).toEqual([
      'rollout.failureLimit: a failure limit of 7 can never be exceeded in 3 measurements; lower it below count, or raise count above 7',
    ]);
  });

  test('count 0, an unknown analysis mode and a negative limit are rejected by shape', () => {
    expect(problems({ count: 0, analysis: 'continuous', consecutiveErrorLimit: -1, minRequests: 0, dryRun: 'yes' })).toEqual([
      'rollout.analysis: must be "step" (after each pause) or "background", got "continuous"',
      'rollout.count: must be a whole number of measurements from 1 to 1000, got 0',
      'rollout.consecutiveErrorLimit: must be a whole number of consecutive errors tolerated, from 0, got -1',
      'rollout.minRequests: must be a whole number of requests of at least 1, got 0',
      'rollout.dryRun: must be true or false, got "yes"',
    ]);
  });

  test('a prometheusAddress without http(s) scheme', () => {
    expect(problems({ prometheusAddress: 'prometheus-operated.monitoring.svc:9090' })).toEqual([
      'rollout.prometheusAddress: must be the http(s) URL of Prometheus, e.g. "http://prometheus-operated.monitoring.svc:9090", got "prometheus-operated.monitoring.svc:9090"',
    ]);
  });
});

describe('guardrail queries are parsed as Prometheus parses them', () => {
  test.each([
    // column 50: just past the 49 characters of the query
    ['an unbalanced parenthesis', 'sum(rate(x_total{service="{{args.service}}"}[5m])', /PromQL syntax error at column 50: the query ends too early \(an unclosed parenthesis, brace or operator\?\)/],
    ['a dangling operator', 'sum(rate(x_total[5m])) /', /PromQL syntax error at column 25: the query ends too early/],
    // `summ` reads as a metric name, so the call's parenthesis is the error
    ['an unknown function', 'summ(rate(x_total[5m]))', /PromQL syntax error at column 5, near "summ\(rate\(x_tota"/],
    ['a query on two lines with a stray brace', 'sum(rate(x_total[5m]))\n  / sum(}', /PromQL syntax error at line 2 column 9/],
  ])('fails on %s, with the position in the query', (_what, query, message) => {
    expect(problems({ guardrails: { predictionDriftPsi: { query } } })).toEqual([expect.stringMatching(new RegExp(`^rollout\\.guardrails\\.predictionDriftPsi\\.query: ${message.source}`))]);
  });

  test.each([
    ['{{service}}', '{{service}} (at column 24) is not a placeholder the analysis fills in; write {{args.NAME}}:'],
    ['{{args.model}}', '{{args.model}} (at column 24) is not an argument of the analysis, so every measurement would fail; use'],
  ])('fails on the placeholder %s, with its position', (placeholder, message) => {
    const query = `max(model_psi{service="${placeholder}"})`;
    const args = '{{args.service}}, {{args.namespace}}, {{args.canary-version}}, {{args.stable-version}}, {{args.canary-hash}}, {{args.stable-hash}}';
    expect(problems({ guardrails: { predictionDriftPsi: { query } } })).toEqual([`rollout.guardrails.predictionDriftPsi.query: ${message} ${args}`]);
  });

  test.each(['0.5', 'scalar(sum(rate(x_total[5m])))', 'time()'])('fails on a query that returns a scalar: %s', (query) => {
    expect(problems({ guardrails: { predictionDriftPsi: { query } } })).toEqual([
      expect.stringMatching(/^rollout\.guardrails\.predictionDriftPsi\.query: the query returns a scalar, and a guardrail reads one value of a vector/),
    ]);
  });

  test('passes the queries the guardrails themselves build, and placeholders inside label values', () => {
    const query = 'max(model_psi{service="{{args.service}}", version="{{args.canary-version}}"}) or on() vector(NaN)';
    expect(normalizeService(service({ guardrails: { predictionDriftPsi: { query } } })).rollout!.guardrails[0].query).toBe(query);
  });
});

describe('typed guardrails: metrics the model server exports', () => {
  test('drift from a PSI gauge, the business metric from two counters', () => {
    const spec = normalizeService(service({
      guardrails: {
        predictionDriftPsi: { metric: 'model_prediction_psi' },
        businessMetricDelta: { success: 'conversions_total', total: 'predictions_total' },
      },
    }));
    expect(spec.rollout!.guardrails).toEqual([
      { kind: 'predictionDriftPsi', better: 'lower', promote: 0.1, rollback: 0.2, metric: 'model_prediction_psi' },
      { kind: 'businessMetricDelta', better: 'higher', promote: 0, rollback: -0.03, success: 'conversions_total', total: 'predictions_total' },
    ]);
  });

  test('fails on a success counter without its total, a second source, and a metric name that is not one', () => {
    expect(problems({
      guardrails: {
        predictionDriftPsi: { metric: '1psi', url: 'http://drift/psi' },
        businessMetricDelta: { success: 'conversions_total' },
      },
    })).toEqual([
      'rollout.guardrails.predictionDriftPsi.metric: must be a Prometheus metric name (letters, digits, "_" and ":", not starting with a digit), got "1psi"; e.g. "predictions_total"',
    ]);
    expect(problems({
      guardrails: {
        predictionDriftPsi: { metric: 'psi', url: 'http://drift/psi' },
        businessMetricDelta: { success: 'conversions_total' },
      },
    })).toEqual([
      'rollout.guardrails.predictionDriftPsi: set one source: metric, query or url; remove the others',
      'rollout.guardrails.businessMetricDelta.total: success and total go together: the counters of successful predictions and of all predictions; set both',
    ]);
  });
});

describe('invalid guardrails', () => {
  test('an inverted band on a lower-is-better guardrail', () => {
    expect(problems({ guardrails: { errorRate: { promoteBelow: 0.02, rollbackAbove: 0.01 } } })).toEqual([
      'rollout.guardrails.errorRate.promoteBelow: the band is inverted: promote below 0.02 but roll back above 0.01, ' +
        'so a value between them would do both; make promoteBelow at most rollbackAbove',
    ]);
  });

  test('an inverted band against a default threshold', () => {
    // promoteBelow 600 against the default rollbackAbove 500
    expect(problems({ guardrails: { p99LatencyMs: { promoteBelow: 600 } } })).toEqual([
      expect.stringMatching(/^rollout\.guardrails\.p99LatencyMs\.promoteBelow: the band is inverted: promote below 600 but roll back above 500/),
    ]);
  });

  test('an inverted band on a higher-is-better guardrail', () => {
    expect(problems({ guardrails: { businessMetricDelta: { promoteAbove: -0.1, rollbackBelow: 0, query: BUSINESS_QUERY } } })).toEqual([
      'rollout.guardrails.businessMetricDelta.promoteAbove: the band is inverted: promote above -0.1 but roll back below 0, ' +
        'so a value between them would do both; make promoteAbove at least rollbackBelow',
    ]);
  });

  test('thresholds out of range name the unit allowed', () => {
    expect(problems({ guardrails: { errorRate: { promoteBelow: 0.5, rollbackAbove: 1.5 } } })).toEqual([
      'rollout.guardrails.errorRate.rollbackAbove: must be a fraction of requests from 0 to 1, got 1.5',
    ]);
    expect(problems({ guardrails: { errorRate: { promoteBelow: -0.1 } } })).toEqual([
      'rollout.guardrails.errorRate.promoteBelow: must be a fraction of requests from 0 to 1, got -0.1',
    ]);
    expect(problems({ guardrails: { p99LatencyMs: { promoteBelow: 0 } } })).toEqual([
      'rollout.guardrails.p99LatencyMs.promoteBelow: must be milliseconds above 0, got 0',
    ]);
    expect(problems({ guardrails: { predictionDriftPsi: { promoteBelow: -0.1, query: DRIFT_QUERY } } })).toEqual([
      'rollout.guardrails.predictionDriftPsi.promoteBelow: must be a PSI of 0 or more, got -0.1',
    ]);
    expect(problems({ guardrails: { businessMetricDelta: { rollbackBelow: -1.5, query: BUSINESS_QUERY } } })).toEqual([
      'rollout.guardrails.businessMetricDelta.rollbackBelow: must be a relative change of -1 or more, got -1.5',
    ]);
  });

  test('an errorRate of 1.5 on both thresholds: both out of range', () => {
    expect(problems({ guardrails: { errorRate: { promoteBelow: 1.5, rollbackAbove: 1.5 } } })).toEqual([
      'rollout.guardrails.errorRate.promoteBelow: must be a fraction of requests from 0 to 1, got 1.5',
      'rollout.guardrails.errorRate.rollbackAbove: must be a fraction of requests from 0 to 1, got 1.5',
    ]);
  });

  test('non-finite or non-numeric thresholds are rejected by shape', () => {
    expect(problems({ guardrails: { errorRate: { promoteBelow: '0.01' } } })).toEqual([
      'rollout.guardrails.errorRate.promoteBelow: must be a number, got "0.01"',
    ]);
  });

  test('wrong-direction keys are rejected at their path, naming the keys the guardrail takes', () => {
    expect(problems({ guardrails: { errorRate: { promoteAbove: 0.01 } } })).toEqual([
      'rollout.guardrails.errorRate.promoteAbove: errorRate is better when lower, so it takes promoteBelow and rollbackAbove; rename promoteAbove',
    ]);
    expect(problems({ guardrails: { businessMetricDelta: { rollbackAbove: 0.01, query: BUSINESS_QUERY } } })).toEqual([
      'rollout.guardrails.businessMetricDelta.rollbackAbove: businessMetricDelta is better when higher, so it takes promoteAbove and rollbackBelow; rename rollbackAbove',
    ]);
  });

  test('drift without a query or a URL', () => {
    expect(problems({ guardrails: { predictionDriftPsi: {} } })).toEqual([
      'rollout.guardrails.predictionDriftPsi: prediction drift comes from the model server or a drift detector, so there is no default; ' +
        'set metric (the PSI gauge your server exports, e.g. "model_prediction_psi"), query (PromQL) or url (an HTTP endpoint returning the PSI)',
    ]);
  });

  test('drift with both a query and a URL', () => {
    expect(problems({ guardrails: { predictionDriftPsi: { query: DRIFT_QUERY, url: 'http://drift.ml.svc/psi' } } })).toEqual([
      'rollout.guardrails.predictionDriftPsi.url: set either a PromQL query or a drift detector URL, not both; remove one',
    ]);
  });

  test('jsonPath without url', () => {
    expect(problems({ guardrails: { predictionDriftPsi: { query: DRIFT_QUERY, jsonPath: '{$.psi}' } } })).toEqual([
      'rollout.guardrails.predictionDriftPsi.jsonPath: goes with url; add url or remove jsonPath',
    ]);
  });

  test('a drift URL that is not http(s)', () => {
    expect(problems({ guardrails: { predictionDriftPsi: { url: 'drift.ml.svc/psi' } } })).toEqual([
      'rollout.guardrails.predictionDriftPsi.url: must be an http(s) URL of the drift detector, got "drift.ml.svc/psi"',
    ]);
  });

  test('a business metric without a query', () => {
    expect(problems({ guardrails: { businessMetricDelta: { promoteAbove: 0.01 } } })).toEqual([
      'rollout.guardrails.businessMetricDelta: a business metric is yours to define, so there is no default; ' +
        'set success and total (the counters of successful and of all predictions, e.g. "conversions_total" and "predictions_total"), or query',
    ]);
  });

  test('an empty query', () => {
    expect(problems({ guardrails: { errorRate: { query: '' } } })).toEqual([
      'rollout.guardrails.errorRate.query: must be a non-empty PromQL query, got ""',
    ]);
  });
});

describe('unknown keys', () => {
  test.each([
    [{ stagse: [5, 100] }, 'rollout.stagse: unknown key; did you mean "stages"?'],
    [{ pauses: '5m' }, 'rollout.pauses: unknown key; did you mean "pause"?'],
    [{ guardrails: { errRate: {} } }, 'rollout.guardrails.errRate: unknown key; did you mean "errorRate"?'],
    [{ guardrails: { errorRate: { promoteBelo: 0.1 } } }, 'rollout.guardrails.errorRate.promoteBelo: unknown key; did you mean "promoteBelow"?'],
    [{ guardrails: { predictionDriftPsi: { url: 'http://d/psi', jsonpath: '{$.psi}' } } }, 'rollout.guardrails.predictionDriftPsi.jsonpath: unknown key; did you mean "jsonPath"?'],
  ])('%j: %s', (rollout, message) => {
    expect(problems(rollout)).toEqual([message]);
  });
});

describe('several mistakes at once', () => {
  test('every rule broken after the shape check is reported in one ValidationError', () => {
    expect(
      problems({
        stages: [50, 25, 75],
        pause: ['5m'],
        interval: 0,
        count: 2,
        failureLimit: 2,
        guardrails: {
          errorRate: { promoteBelow: 0.05, rollbackAbove: 0.01 },
          p99LatencyMs: { rollbackAbove: 0 },
          predictionDriftPsi: { jsonPath: '{$.psi}' },
          businessMetricDelta: {},
        },
      }),
    ).toEqual([
      expect.stringMatching(/^rollout\.stages\[1\]: stages must be strictly ascending, got 25 after 50/),
      expect.stringMatching(/^rollout\.stages\[2\]: the last stage must be 100 .*got 75/),
      expect.stringMatching(/^rollout\.pause: a list of pauses needs one per stage \(3\), got 1/),
      expect.stringMatching(/^rollout\.interval: must be at least 1 second, got 0/),
      expect.stringMatching(/^rollout\.failureLimit: a failure limit of 2 can never be exceeded in 2 measurements/),
      expect.stringMatching(/^rollout\.guardrails\.errorRate\.promoteBelow: the band is inverted/),
      expect.stringMatching(/^rollout\.guardrails\.p99LatencyMs\.rollbackAbove: must be milliseconds above 0, got 0/),
      expect.stringMatching(/^rollout\.guardrails\.p99LatencyMs\.promoteBelow: the band is inverted: promote below 200 but roll back above 0/),
      expect.stringMatching(/^rollout\.guardrails\.predictionDriftPsi: prediction drift comes from the model server or a drift detector/),
      expect.stringMatching(/^rollout\.guardrails\.predictionDriftPsi\.jsonPath: goes with url/),
      expect.stringMatching(/^rollout\.guardrails\.businessMetricDelta: a business metric is yours to define/),
    ]);
  });

  test('every shape mistake is reported in one ValidationError', () => {
    expect(
      problems({
        stages: [0, 50, 100],
        pause: '1d',
        interval: -1,
        prometheusAddress: 'prometheus:9090',
        stagse: [],
        guardrails: { errorRate: { promoteBelow: 'low' } },
      }),
    ).toEqual([
      'rollout.stages[0]: must be a whole percent from 1 to 100, got 0',
      expect.stringMatching(/^rollout\.pause: must be a duration .*got "1d"/),
      expect.stringMatching(/^rollout\.interval: must be a duration: whole seconds, .*got -1/),
      expect.stringMatching(/^rollout\.prometheusAddress: must be the http\(s\) URL of Prometheus, .*got "prometheus:9090"/),
      expect.stringMatching(/^rollout\.guardrails\.errorRate\.promoteBelow: must be a number, got "low"/),
      'rollout.stagse: unknown key; did you mean "stages"?',
    ]);
  });

  test('a rollout shape mistake does not hide the versions\' problems', () => {
    const input = service({ stages: [0, 100], pause: '1d' }, { versions: { v2: { weight: 60 }, v3: { weight: 50 } } });
    expect(issuesOf(() => normalizeService(input))).toEqual(expect.arrayContaining([
      expect.stringMatching(/^versions: canary weights sum to 110 \(v2: 60, v3: 50\)/),
      'rollout.stages[0]: must be a whole percent from 1 to 100, got 0',
      expect.stringMatching(/^rollout\.pause: must be a duration .*got "1d"/),
    ]));
    expect(issuesOf(() => normalizeService(input))).toHaveLength(3);
  });

  test('rollout problems are reported together with the versions\' problems', () => {
    const input = service({ stages: [10, 5, 100] }, { versions: { v2: { weight: 60 }, v3: { weight: 50 } } });
    expect(issuesOf(() => normalizeService(input))).toEqual([
      expect.stringMatching(/^versions: canary weights sum to 110 \(v2: 60, v3: 50\)/),
      expect.stringMatching(/^rollout\.stages\[1\]: stages must be strictly ascending, got 5 after 10/),
    ]);
  });
});

describe('parseRollout', () => {
  test('validates a rollout section on its own, with the same defaults', () => {
    expect(parseRollout({})).toEqual(normalizeService(service({})).rollout);
    expect(parseRollout({ pause: '5m', guardrails: { errorRate: {} } })).toMatchObject({
      pauses: [300, 300, 300, 300, 300],
      guardrails: [{ kind: 'errorRate', promote: 0.005, rollback: 0.01 }],
    });
  });

  test('reports every problem on paths under rollout', () => {
    expect(issuesOf(() => parseRollout({ stages: [10, 5], guardrails: { errorRate: { promoteBelow: 0.5, rollbackAbove: 0.1 } } }))).toEqual([
      expect.stringMatching(/^rollout\.stages\[1\]: stages must be strictly ascending/),
      expect.stringMatching(/^rollout\.stages\[1\]: the last stage must be 100/),
      expect.stringMatching(/^rollout\.guardrails\.errorRate\.promoteBelow: the band is inverted/),
    ]);
    expect(issuesOf(() => parseRollout({ stages: [0, 100] }))).toEqual(['rollout.stages[0]: must be a whole percent from 1 to 100, got 0']);
    expect(issuesOf(() => parseRollout('fast'))).toEqual([expect.stringMatching(/^rollout: must be a map, got "fast"/)]);
  });
});

describe('shareAmong', () => {
  test('one canary takes the whole percent, whatever its declared weight', () => {
    const [v2] = withCanaries({ v2: 5 }).canaries;
    for (const total of [0, 1, 5, 37, 100]) expect(shareAmong([v2], total)).toEqual([total]);
    const [dark] = withCanaries({ dark: 0 }).canaries;
    expect(shareAmong([dark], 25)).toEqual([25]);
  });

  test('two canaries share in proportion to their declared weights, by largest remainder', () => {
    const canaries = withCanaries({ a: 1, b: 2 }).canaries;
    expect([5, 10, 25, 50, 100].map((t) => shareAmong(canaries, t))).toEqual([
      [2, 3], // 1.67, 3.33
      [3, 7], // 3.33, 6.67
      [8, 17], // 8.33, 16.67
      [17, 33], // 16.67, 33.33
      [33, 67], // 33.33, 66.67
    ]);
  });

  test('ties of the remainder go to declaration order', () => {
    const canaries = withCanaries({ a: 5, b: 5, c: 5 }).canaries;
    expect(shareAmong(canaries, 10)).toEqual([4, 3, 3]);
    expect(shareAmong(canaries, 5)).toEqual([2, 2, 1]);
    expect(shareAmong(canaries, 100)).toEqual([34, 33, 33]);
    const reversed = withCanaries({ c: 5, b: 5, a: 5 }).canaries;
    expect(reversed.map((c) => c.name)).toEqual(['c', 'b', 'a']);
    expect(shareAmong(reversed, 10)).toEqual([4, 3, 3]);
  });

  test('equal split when every declared weight is 0', () => {
    expect(shareAmong(withCanaries({ a: 0, b: 0 }).canaries, 5)).toEqual([3, 2]);
    expect(shareAmong(withCanaries({ a: 0, b: 0, c: 0 }).canaries, 25)).toEqual([9, 8, 8]);
    expect(shareAmong(withCanaries({ a: 0, b: 0 }).canaries, 100)).toEqual([50, 50]);
  });

  test('a dark canary beside a weighted one gets nothing', () => {
    expect(shareAmong(withCanaries({ dark: 0, lit: 10 }).canaries, 50)).toEqual([0, 50]);
  });

  test('no canaries: nothing to share', () => {
    expect(shareAmong([], 50)).toEqual([]);
  });
});

describe('stagePlan', () => {
  test('one canary: it takes each stage\'s percent, main the rest; manual pauses carry no pauseSeconds', () => {
    const spec = normalizeService(service({}));
    expect(stagePlan(spec)).toEqual([
      { number: 1, percent: 5, weights: [{ version: 'main', weight: 95 }, { version: 'v2', weight: 5 }] },
      { number: 2, percent: 10, weights: [{ version: 'main', weight: 90 }, { version: 'v2', weight: 10 }] },
      { number: 3, percent: 25, weights: [{ version: 'main', weight: 75 }, { version: 'v2', weight: 25 }] },
      { number: 4, percent: 50, weights: [{ version: 'main', weight: 50 }, { version: 'v2', weight: 50 }] },
      { number: 5, percent: 100, weights: [{ version: 'main', weight: 0 }, { version: 'v2', weight: 100 }] },
    ]);
  });

  test('two canaries share each stage in proportion to their declared weights; pauses are carried', () => {
    const spec = withCanaries({ a: 10, b: 20 }, { stages: [5, 10, 50, 100], pause: ['30s', null, '1h30m', 0] });
    expect(stagePlan(spec)).toEqual([
      { number: 1, percent: 5, pauseSeconds: 30, weights: [{ version: 'main', weight: 95 }, { version: 'a', weight: 2 }, { version: 'b', weight: 3 }] },
      { number: 2, percent: 10, weights: [{ version: 'main', weight: 90 }, { version: 'a', weight: 3 }, { version: 'b', weight: 7 }] },
      { number: 3, percent: 50, pauseSeconds: 5400, weights: [{ version: 'main', weight: 50 }, { version: 'a', weight: 17 }, { version: 'b', weight: 33 }] },
      { number: 4, percent: 100, pauseSeconds: 0, weights: [{ version: 'main', weight: 0 }, { version: 'a', weight: 33 }, { version: 'b', weight: 67 }] },
    ]);
  });

  test('a single pause is carried to every stage', () => {
    expect(stagePlan(normalizeService(service({ pause: '5m' }))).map((s) => s.pauseSeconds)).toEqual([300, 300, 300, 300, 300]);
  });

  test('the mirror takes no share of a stage', () => {
    const spec = normalizeService(service({ stages: [20, 100] }, {
      versions: { v2: { weight: 5 }, shadow: { weight: 10, mirror: true } },
    }));
    expect(stagePlan(spec).map((s) => s.weights)).toEqual([
      [{ version: 'main', weight: 80 }, { version: 'v2', weight: 20 }],
      [{ version: 'main', weight: 0 }, { version: 'v2', weight: 100 }],
    ]);
  });

  test('a spec without a rollout section, or without canaries, has no stage plan', () => {
    expect(issuesOf(() => stagePlan(normalizeService(service())))).toEqual([
      'rollout: a stage plan needs a rollout section with stages; add rollout: {stages: [5, 10, 25, 50, 100]}',
    ]);
    expect(issuesOf(() => stagePlan(normalizeService(service({}, { versions: undefined }))))).toEqual([
      'versions: a stage plan needs a canary version to roll out; add one under versions',
    ]);
  });
});

describe('atStage', () => {
  test('stage n: the canaries share the stage\'s percent, main has the rest; other settings unchanged', () => {
    const spec = withCanaries({ a: 10, b: 20 });
    const at3 = atStage(spec, 3);
    expect(at3.main.weight).toBe(75);
    expect(at3.canaries.map((c) => [c.name, c.role, c.weight])).toEqual([
      ['a', 'canary', 8],
      ['b', 'canary', 17],
    ]);
    expect(at3.main.artifact).toEqual(spec.main.artifact);
    expect(at3.rollout).toBe(spec.rollout);
    // the declared spec is untouched
    expect(spec.main.weight).toBe(70);
    expect(spec.canaries.map((c) => c.weight)).toEqual([10, 20]);
  });

  test('the first and last stages', () => {
    const spec = normalizeService(service({}));
    expect([atStage(spec, 1).main.weight, atStage(spec, 1).canaries[0].weight]).toEqual([95, 5]);
    expect([atStage(spec, 5).main.weight, atStage(spec, 5).canaries[0].weight]).toEqual([0, 100]);
  });

  test.each([0, 6, 2.5, -1])('stage %p is out of range: the error names the range and the stages', (n) => {
    expect(issuesOf(() => atStage(normalizeService(service({})), n))).toEqual([
      `stage: must be a stage number from 1 to 5 (stages 5, 10, 25, 50, 100), got ${n}`,
    ]);
  });

  test('the range follows the rollout\'s own stages', () => {
    expect(issuesOf(() => atStage(normalizeService(service({ stages: [50, 100] })), 3))).toEqual([
      'stage: must be a stage number from 1 to 2 (stages 50, 100), got 3',
    ]);
  });

  test('without a rollout section or without canaries', () => {
    expect(issuesOf(() => atStage(normalizeService(service()), 1))).toEqual([
      'rollout: a stage needs a rollout section with stages; add rollout: {stages: [5, 10, 25, 50, 100]}',
    ]);
    expect(issuesOf(() => atStage(normalizeService(service({}, { versions: {} })), 1))).toEqual([
      'versions: a stage needs a canary version to roll out; add one under versions',
    ]);
  });
});

describe('promoted', () => {
  test('the canary becomes main, with role main; the other canaries keep their weights', () => {
    const spec = withCanaries({ v2: 10, v3: 20 });
    const after = promoted(spec, 'v2');
    expect(after.main).toMatchObject({ name: 'v2', role: 'main', weight: 80 });
    expect(after.main.artifact).toEqual(spec.canaries[0].artifact);
    expect(after.canaries.map((c) => [c.name, c.role, c.weight])).toEqual([['v3', 'canary', 20]]);
    // weights still sum to 100
    expect(after.main.weight + after.canaries.reduce((a, c) => a + c.weight, 0)).toBe(100);
  });

  test('the only canary promoted takes all traffic and leaves no canary', () => {
    const after = promoted(normalizeService(service({})), 'v2');
    expect(after.main).toMatchObject({ name: 'v2', role: 'main', weight: 100 });
    expect(after.canaries).toEqual([]);
  });

  test('works without a rollout section', () => {
    expect(promoted(normalizeService(service()), 'v2').main.name).toBe('v2');
  });

  test('an unknown version: did you mean, and the canaries to choose from', () => {
    expect(issuesOf(() => promoted(withCanaries({ v2: 10, v3: 20 }), 'v2x'))).toEqual([
      'promote: unknown canary "v2x"; did you mean "v2"? promote one of v2, v3',
    ]);
    expect(issuesOf(() => promoted(withCanaries({ v2: 10, v3: 20 }), 'candidate'))).toEqual([
      'promote: unknown canary "candidate"; promote one of v2, v3',
    ]);
  });

  test('main\'s own name: it is already main', () => {
    expect(issuesOf(() => promoted(withCanaries({ v2: 10 }), 'main'))).toEqual(['promote: "main" is already main; promote one of v2']);
  });

  test('no canary to promote', () => {
    expect(issuesOf(() => promoted(normalizeService(service(undefined, { versions: undefined })), 'v2'))).toEqual([
      'promote: unknown canary "v2"; there is no canary to promote',
    ]);
  });
});

describe('rolledBack', () => {
  test('every canary at 0, still deployed; main at 100', () => {
    const spec = withCanaries({ v2: 10, v3: 20 });
    const back = rolledBack(spec);
    expect(back.main).toMatchObject({ name: 'main', role: 'main', weight: 100 });
    expect(back.canaries.map((c) => [c.name, c.role, c.weight])).toEqual([
      ['v2', 'canary', 0],
      ['v3', 'canary', 0],
    ]);
    expect(back.canaries[0].artifact).toEqual(spec.canaries[0].artifact);
  });
});

describe('stage weights, over many random rollouts', () => {
  test('every stage\'s weights are non-negative integers summing to 100, and the canaries sum to the stage percent', () => {
    const next = random(20240611);
    const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
    for (let run = 0; run < 500; run++) {
      // ascending stages ending in 100
      const stages: number[] = [];
      let at = 0;
      while (at < 99 && next() < 0.8) {
        at = int(at + 1, 99);
        stages.push(at);
      }
      stages.push(100);
      // 1 to 4 canaries with random weights (sometimes all 0)
      const n = int(1, 4);
      const allZero = next() < 0.15;
      const weights: Record<string, number> = {};
      for (let i = 0; i < n; i++) weights[`c${i}`] = allZero ? 0 : int(0, 25);
      const spec = withCanaries(weights, { stages });
      const table = stagePlan(spec);
      const context = JSON.stringify({ stages, weights });
      expect({ context, count: table.length }).toEqual({ context, count: stages.length });
      table.forEach((stage, i) => {
        const ws = stage.weights.map((w) => w.weight);
        const ok =
          stage.percent === stages[i] &&
          ws.length === n + 1 &&
          ws.every((w) => Number.isInteger(w) && w >= 0) &&
          ws.reduce((a, b) => a + b, 0) === 100 &&
          ws.slice(1).reduce((a, b) => a + b, 0) === stage.percent &&
          stage.weights[0].version === 'main' &&
          stage.weights[0].weight === 100 - stage.percent;
        if (!ok) throw new Error(`stage ${stage.number} of ${context}: ${JSON.stringify(stage.weights)}`);
        // atStage renders the same weights
        const rendered = atStage(spec, stage.number);
        expect([rendered.main.weight, ...rendered.canaries.map((c) => c.weight)]).toEqual(ws);
      });
      // rolled back: main 100, the rest 0
      const back = rolledBack(spec);
      expect([back.main.weight, ...back.canaries.map((c) => c.weight)]).toEqual([100, ...Array(n).fill(0)]);
    }
  });

  test('each canary\'s share is its exact proportional share rounded down or up (the quota rule)', () => {
    const next = random(7);
    for (let run = 0; run < 300; run++) {
      const n = 1 + Math.floor(next() * 4);
      const weights: Record<string, number> = {};
      for (let i = 0; i < n; i++) weights[`c${i}`] = Math.floor(next() * 26);
      const spec = withCanaries(weights);
      const declared = Object.values(weights);
      const sum = declared.reduce((a, b) => a + b, 0);
      for (let total = 0; total <= 100; total++) {
        const shares = shareAmong(spec.canaries, total);
        shares.forEach((share, i) => {
          const exact = sum === 0 ? total / n : (total * declared[i]) / sum;
          if (share < Math.floor(exact) || share > Math.ceil(exact)) {
            throw new Error(`${JSON.stringify(weights)} at ${total}: c${i} gets ${share}, its exact share is ${exact}`);
          }
        });
      }
    }
  });
});

describe('duration bounds', () => {
  test('a pause or interval longer than a week is refused, in seconds or as a string', () => {
    expect(problems({ pause: '9999h', interval: 604_801 })).toEqual([
      expect.stringMatching(/^rollout\.pause: must be a duration of at most 7 days \(168h\), got "9999h"/),
      expect.stringMatching(/^rollout\.interval: must be a duration: whole seconds, .*got 604801/),
    ]);
    expect(normalizeService(service({ pause: '168h' })).rollout!.pauses[0]).toBe(604_800);
  });
});
