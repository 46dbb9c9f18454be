import {
  counterSeries, gaugeSeries, histogramSeries, openMetricsText, PrometheusServer, prometheusInstalled, promtoolCheckRules,
} from '../support/prometheus';

const MIN = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;
// Minute-aligned scenario: data from now-3h to now-1h, every 15 s.
const now = Math.floor(Date.now() / 1000 / MIN) * MIN;
const from = now - 3 * HOUR;
const to = now - HOUR;
const mid = now - 2 * HOUR + 7 * MIN; // inside the data, more than 5m from either end
const step = 15;

const tricky = 'a "quoted"\\path\nnext line';
const latency: Record<number, number> = { 0.1: 0.5, 0.25: 0.9, 0.5: 0.99, 1: 1 };

const data = openMetricsText([
  {
    name: 'x',
    type: 'counter',
    help: 'Synthetic requests.',
    series: [
      counterSeries('x_total', { job: 'a', path: tricky }, 4, from, to, step),
      counterSeries('x_total', { job: 'b', path: '/' }, 6, from, to, step),
    ],
  },
  {
    name: 'req_duration_seconds',
    type: 'histogram',
    series: histogramSeries('req_duration_seconds', { job: 'a' }, [0.1, 0.25, 0.5, 1], 20, (le) => latency[le], from, to, step),
  },
  // Older than Prometheus' default 15d retention, and far from the rest.
  { name: 'old_gauge', type: 'gauge', series: [gaugeSeries('old_gauge', {}, 42, now - 20 * DAY, now - 20 * DAY + 10 * MIN, step)] },
  // In the range a live head would hold (the last 2h).
  { name: 'recent_gauge', type: 'gauge', series: [gaugeSeries('recent_gauge', {}, (t) => t % 1000, now - 10 * MIN, now, step)] },
]);

describe('openMetricsText', () => {
  test('writes TYPE/HELP, escaped labels, time-sorted samples and # EOF', () => {
    const text = openMetricsText([
      { name: 'c_total', type: 'counter', help: 'h "q"\nx', series: [{ name: 'c_total', labels: { b: '1', a: tricky }, points: [[200, 2], [100, 1]] }] },
      { name: 'g', type: 'gauge', series: [{ name: 'g', labels: {}, points: [[100, NaN], [160, Infinity], [220, -Infinity], [280, 1e-7]] }] },
    ]);
    expect(text).toBe([
      '# HELP c h \\"q\\"\\nx',
      '# TYPE c counter',
      'c_total{a="a \\"quoted\\"\\\\path\\nnext line",b="1"} 1 100',
      'c_total{a="a \\"quoted\\"\\\\path\\nnext line",b="1"} 2 200',
      '# TYPE g gauge',
      'g NaN 100',
      'g +Inf 160',
      'g -Inf 220',
      'g 1e-7 280',
      '# EOF',
      '',
    ].join('\n'));
  });

  test('rejects samples that do not belong to the family, and duplicate timestamps', () => {
    expect(() => openMetricsText([{ name: 'c', type: 'counter', series: [{ name: 'c', labels: {}, points: [[1, 1]] }] }])).toThrow(/c_total/);
    expect(() => openMetricsText([{ name: 'g', type: 'gauge', series: [{ name: 'g', labels: {}, points: [[1, 1], [1, 2]] }] }])).toThrow(/two samples/);
  });

  test('histogramSeries writes cumulative buckets with +Inf, _count and _sum', () => {
    const [b1, , , , inf, count, sum] = histogramSeries('h', { j: 'a' }, [0.1, 0.25, 0.5, 1], 20, (le) => latency[le], 0, 60, 30);
    expect(b1).toEqual({ name: 'h_bucket', labels: { j: 'a', le: '0.1' }, points: [[0, 0], [30, 300], [60, 600]] });
    expect(inf.labels.le).toBe('+Inf');
    expect(inf.points).toEqual(count.points);
    expect(count.points[2]).toEqual([60, 1200]);
    expect(sum.name).toBe('h_sum');
    expect(sum.points[2][1]).toBeGreaterThan(0);
  });
});

describe('promtoolCheckRules', () => {
  test('accepts a valid expression', () => {
    const r = promtoolCheckRules(['sum(rate(x_total[5m]))', 'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))']);
    expect(r.output).toMatch(/SUCCESS: 2 rules found/);
    expect(r.ok).toBe(true);
  });

  test('rejects an unbalanced expression with a message', () => {
    const r = promtoolCheckRules(['sum(rate(x[5m])']);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/FAILED/);
    expect(r.output).toMatch(/unclosed left parenthesis/);
  });
});

describe('PrometheusServer on backfilled data', () => {
  let prom: PrometheusServer;

  beforeAll(async () => {
    if (!prometheusInstalled()) throw new Error('prometheus and promtool are missing; scripts/test-tools.sh installs the Debian package "prometheus"');
    prom = await PrometheusServer.start(data);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
  });

  const value = (r: { result: any[] }) => Number(r.result[0].value[1]);

  test('listens on 127.0.0.1', () => {
    expect(prom.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('sum(rate(x_total[5m])) is 10 req/s inside the data', async () => {
    const r = await prom.query('sum(rate(x_total[5m]))', mid);
    expect(r.resultType).toBe('vector');
    expect(r.result).toHaveLength(1);
    expect(value(r)).toBeCloseTo(10, 6);
  });

  test('label values survive escaping', async () => {
    const r = await prom.query('rate(x_total{job="a"}[5m])', mid);
    expect(r.result).toHaveLength(1);
    expect(r.result[0].metric).toEqual({ job: 'a', path: tricky });
    expect(value(r)).toBeCloseTo(4, 6);
  });

  test('histogram_quantile lands in the expected bucket', async () => {
    const q = (p: number) => prom.query(`histogram_quantile(${p}, sum by (le) (rate(req_duration_seconds_bucket[5m])))`, mid);
    expect(value(await q(0.5))).toBeCloseTo(0.1, 6); // exactly half the observations are <= 0.1
    const p95 = value(await q(0.95));
    expect(p95).toBeGreaterThan(0.25);
    expect(p95).toBeLessThanOrEqual(0.5);
    expect(p95).toBeCloseTo(0.25 + 0.25 * (0.95 - 0.9) / (0.99 - 0.9), 6);
    expect(value(await prom.query('sum(rate(req_duration_seconds_count[5m]))', mid))).toBeCloseTo(20, 6);
  });

  test('a missing series gives an empty vector', async () => {
    expect(await prom.query('sum(rate(no_such_metric_total[5m]))', mid)).toEqual({ resultType: 'vector', result: [] });
  });

  test('outside the data, even inside the lookback, there is nothing', async () => {
    expect((await prom.query('x_total', from - 1)).result).toEqual([]);
    expect((await prom.query('x_total', to + 5 * MIN + 1)).result).toEqual([]);
  });

  test('vector(NaN) comes back as the string "NaN"', async () => {
    const r = await prom.query('vector(NaN)', mid);
    expect(r.result).toEqual([{ metric: {}, value: [mid, 'NaN'] }]);
  });

  test('blocks older than the default retention and in the head range are queryable', async () => {
    expect(value(await prom.query('old_gauge', now - 20 * DAY + 5 * MIN))).toBe(42);
    const t = now - MIN;
    expect(value(await prom.query('recent_gauge', t))).toBe(t % 1000);
  });

  test('a PromQL error throws with Prometheus\' message', async () => {
    await expect(prom.query('sum(rate(x[5m])', mid)).rejects.toThrow(/bad_data: .*unclosed left parenthesis/);
  });
});
