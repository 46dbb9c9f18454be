/**
 * Runs PromQL against a real Prometheus (the Debian package's `prometheus` and
 * `promtool`, installed by scripts/test-tools.sh) filled with synthetic data.
 *
 * The data goes in by backfill: `openMetricsText` renders series as OpenMetrics
 * text, `promtool tsdb create-blocks-from openmetrics` turns it into TSDB blocks,
 * and `PrometheusServer.start` serves those blocks on 127.0.0.1 with no scrape
 * targets, so nothing but the synthetic data is ever in the database.
 *
 * What promtool 2.42 accepts (prometheus/prometheus v2.42.0,
 * model/textparse/openmetricsparse.go + openmetricslex.l, cmd/promtool/backfill.go):
 * - every sample needs a timestamp (seconds, may be fractional; stored as int64(ts*1000));
 * - the text must end with `# EOF` (optionally one newline) and nothing after;
 * - the only comments are `# HELP`, `# TYPE`, `# UNIT` and `# EOF`;
 * - label names are unquoted `[a-zA-Z_][a-zA-Z0-9_]*`, no trailing comma; label
 *   values are double-quoted with `\\`, `\"` and `\n` escaped;
 * - values go through Go's strconv.ParseFloat (`NaN`, `+Inf`, `-Inf`, `1e-7` ok);
 * - the parser does not check names against `# TYPE` (a counter's `_total` is not
 *   enforced), but OpenMetrics wants the family name without `_total`, which we follow;
 * - a series' samples must be in increasing time order: the block writer's head
 *   appender silently drops an out-of-order sample inside one commit and fails with
 *   "out of order sample" across commits (every 5000 samples), so we sort.
 */
import { ChildProcess, execFile, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** One time series: full metric name (e.g. `istio_requests_total`, `x_bucket`), labels, and points as [unix seconds, value]. */
export interface Series {
  name: string;
  labels: Record<string, string>;
  points: readonly (readonly [number, number])[];
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'unknown';

export interface MetricFamily {
  /** The family name; for a counter, with or without `_total` (the `# TYPE` line drops it). */
  name: string;
  type: MetricType;
  help?: string;
  series: readonly Series[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A float as Go's strconv.ParseFloat reads it. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLabels(labels: Record<string, string>, where: string): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  for (const n of names) {
    if (!LABEL_NAME.test(n) || n === '__name__') throw new Error(`${where}: invalid label name ${JSON.stringify(n)}`);
  }
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n])}"`).join(',')}}`;
}

function allowedSampleNames(base: string, type: MetricType): string[] {
  switch (type) {
    case 'counter': return [`${base}_total`, `${base}_created`];
    case 'histogram': return [`${base}_bucket`, `${base}_count`, `${base}_sum`, `${base}_created`];
    default: return [base];
  }
}

/**
 * OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: per family
 * `# HELP` (when given) and `# TYPE`, then every series' samples `name{labels} value timestamp`
 * sorted by timestamp, ending with `# EOF`. Throws on names promtool would reject,
 * on sample names that do not belong to the family, and on duplicate timestamps in a series.
 */
export function openMetricsText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  const seenFamilies = new Set<string>();
  for (const family of families) {
    const base = family.type === 'counter' ? family.name.replace(/_total$/, '') : family.name;
    if (!METRIC_NAME.test(base)) throw new Error(`invalid metric family name ${JSON.stringify(family.name)}`);
    if (seenFamilies.has(base)) throw new Error(`metric family ${base} appears twice (OpenMetrics forbids interleaving families)`);
    seenFamilies.add(base);
    if (family.help !== undefined) lines.push(`# HELP ${base} ${escapeLabelValue(family.help)}`);
    lines.push(`# TYPE ${base} ${family.type}`);
    const allowed = allowedSampleNames(base, family.type);
    for (const s of family.series) {
      if (!allowed.includes(s.name)) {
        throw new Error(`series ${s.name} does not belong to ${family.type} family ${base} (expected one of ${allowed.join(', ')})`);
      }
      const id = `${s.name}${formatLabels(s.labels, s.name)}`;
      const points = [...s.points].sort((a, b) => a[0] - b[0]);
      for (let i = 0; i < points.length; i++) {
        const [t, v] = points[i];
        if (!Number.isFinite(t)) throw new Error(`${id}: invalid timestamp ${t}`);
        if (i > 0 && Math.round(points[i - 1][0] * 1000) === Math.round(t * 1000)) throw new Error(`${id}: two samples at ${t}`);
        lines.push(`${id} ${formatValue(v)} ${formatValue(t)}`);
      }
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

/** The timestamps from `from` to `to` (inclusive, unix seconds) every `step` seconds. */
function times(from: number, to: number, step: number): number[] {
  if (!(step > 0)) throw new Error(`step must be positive, got ${step}`);
  const out: number[] = [];
  for (let i = 0; from + i * step <= to; i++) out.push(from + i * step);
  return out;
}

/** A counter that starts at 0 at `from` and grows by `ratePerSecond` every second: `rate(name[5m])` is `ratePerSecond`. */
export function counterSeries(
  name: string, labels: Record<string, string>, ratePerSecond: number, from: number, to: number, step: number,
): Series {
  return { name, labels, points: times(from, to, step).map((t) => [t, ratePerSecond * (t - from)] as const) };
}

/** A gauge with a constant value or a value computed per timestamp. */
export function gaugeSeries(
  name: string, labels: Record<string, string>, value: number | ((t: number) => number), from: number, to: number, step: number,
): Series {
  const f = typeof value === 'number' ? () => value : value;
  return { name, labels, points: times(from, to, step).map((t) => [t, f(t)] as const) };
}

/**
 * A classic histogram observed `observationsPerSecond` times a second, a fraction
 * `latencyDistribution(le)` of the observations at or below `le`: the cumulative
 * `<name>_bucket{le=...}` series (a `+Inf` bucket is added when missing), `<name>_count`
 * and `<name>_sum`. `name` is the family name (e.g. `request_duration_seconds`). The sum
 * counts every observation at the middle of its bucket (the last finite bound for `+Inf`).
 */
export function histogramSeries(
  name: string,
  labels: Record<string, string>,
  bucketBounds: number[],
  observationsPerSecond: number,
  latencyDistribution: (le: number) => number,
  from: number,
  to: number,
  step: number,
): Series[] {
  const bounds = [...new Set(bucketBounds)].sort((a, b) => a - b);
  if (bounds[bounds.length - 1] !== Infinity) bounds.push(Infinity);
  const fractions = bounds.map((le) => (le === Infinity ? 1 : latencyDistribution(le)));
  fractions.forEach((f, i) => {
    if (!(f >= 0 && f <= 1) || (i > 0 && f < fractions[i - 1])) {
      throw new Error(`latencyDistribution must be a non-decreasing fraction in [0, 1]; got ${f} at le=${bounds[i]}`);
    }
  });
  let mean = 0;
  let lower = 0;
  const finite = bounds.filter((b) => b !== Infinity);
  bounds.forEach((le, i) => {
    const share = fractions[i] - (i > 0 ? fractions[i - 1] : 0);
    const at = le === Infinity ? (finite.length ? finite[finite.length - 1] : 0) : (lower + le) / 2;
    mean += share * at;
    if (le !== Infinity) lower = le;
  });
  const ts = times(from, to, step);
  const count = (t: number) => observationsPerSecond * (t - from);
  return [
    ...bounds.map((le, i): Series => ({
      name: `${name}_bucket`,
      labels: { ...labels, le: formatValue(le) },
      points: ts.map((t) => [t, count(t) * fractions[i]] as const),
    })),
    { name: `${name}_count`, labels, points: ts.map((t) => [t, count(t)] as const) },
    { name: `${name}_sum`, labels, points: ts.map((t) => [t, count(t) * mean] as const) },
  ];
}

function installed(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return !r.error && r.status === 0;
}

/** Whether both `prometheus` and `promtool` run (scripts/test-tools.sh installs the Debian package). */
export function prometheusInstalled(): boolean {
  return installed('prometheus') && installed('promtool');
}

/**
 * Checks expressions with `promtool check rules`: one recording rule per expression
 * (group `check`, rule `check:rule_N` for `exprs[N]`). `ok` is promtool's exit status, `output` its stdout and stderr.
 */
export function promtoolCheckRules(exprs: readonly string[]): { ok: boolean; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-rules-'));
  try {
    const file = path.join(dir, 'rules.yml');
    // JSON is YAML: no quoting to get wrong.
    const rules = { groups: [{ name: 'check', rules: exprs.map((expr, i) => ({ record: `check:rule_${i}`, expr })) }] };
    fs.writeFileSync(file, JSON.stringify(rules, null, 2) + '\n');
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw new Error(`promtool check rules: ${r.error.message}`);
    return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${output}`));
      else resolve(output);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface QueryResult {
  resultType: string;
  result: any[];
}

/** A Prometheus on 127.0.0.1 serving only backfilled data; `stop()` it (afterAll). */
export class PrometheusServer {
  /**
   * Backfills `openMetrics` with promtool and starts Prometheus on it. `retention`
   * (default `10y`) is Prometheus' --storage.tsdb.retention.time; Prometheus measures it
   * back from the newest block, not from now, so old synthetic data stays queryable.
   */
  static async start(openMetrics: string, options: { retention?: string; readyTimeoutMs?: number } = {}): Promise<PrometheusServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-harness-'));
    const tsdbDir = path.join(dir, 'tsdb');
    const logFile = path.join(dir, 'prometheus.log');
    fs.mkdirSync(tsdbDir);
    let server: PrometheusServer | undefined;
    try {
      const input = path.join(dir, 'data.om.txt');
      fs.writeFileSync(input, openMetrics);
      await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, tsdbDir]);
      const config = path.join(dir, 'prometheus.yml');
      fs.writeFileSync(config, 'global:\n  evaluation_interval: 1h\nscrape_configs: []\n');

      // The port is free when we look; another process could take it before
      // Prometheus binds it, so try a few ports.
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        const log = fs.openSync(logFile, 'a');
        const proc = spawn('prometheus', [
          `--config.file=${config}`,
          `--storage.tsdb.path=${tsdbDir}`,
          `--storage.tsdb.retention.time=${options.retention ?? '10y'}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ], { stdio: ['ignore', log, log] });
        fs.closeSync(log);
        server = new PrometheusServer(`http://127.0.0.1:${port}`, proc, dir, logFile);
        const ready = await server.waitReady(options.readyTimeoutMs ?? 20_000);
        if (ready === 'ready') return server;
        await server.kill();
        const logTail = tail(logFile);
        if (ready === 'exited' && /address already in use/.test(logTail) && attempt < 3) continue;
        throw new Error(`Prometheus did not become ready (${ready}); log tail (${logFile}):\n${logTail}`);
      }
    } catch (e) {
      if (server) await server.kill();
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private exited = false;

  private constructor(readonly url: string, private readonly proc: ChildProcess, private readonly dir: string, private readonly logFile: string) {
    proc.on('exit', () => (this.exited = true));
    proc.on('error', (e) => {
      this.exited = true;
      fs.appendFileSync(logFile, `\nspawn prometheus: ${e.message}\n`);
    });
  }

  private async waitReady(timeoutMs: number): Promise<'ready' | 'exited' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) return 'exited';
      try {
        const r = await httpGet(`${this.url}/-/ready`, 1000);
        if (r.status === 200) return 'ready';
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    return 'timeout';
  }

  /** An instant query at `timeSeconds` (unix seconds); throws with Prometheus' error on `status: "error"`. */
  async query(promql: string, timeSeconds: number): Promise<QueryResult> {
    const u = `${this.url}/api/v1/query?${new URLSearchParams({ query: promql, time: String(timeSeconds) })}`;
    let res: { status: number; body: string };
    try {
      res = await httpGet(u, 30_000);
    } catch (e) {
      throw new Error(`query ${promql}: ${(e as Error).message}\nPrometheus log tail:\n${tail(this.logFile)}`);
    }
    let body: any;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new Error(`query ${promql}: HTTP ${res.status}, not JSON: ${res.body.slice(0, 500)}\nPrometheus log tail:\n${tail(this.logFile)}`);
    }
    if (body.status !== 'success') {
      throw new Error(`query ${promql}: ${body.errorType ?? 'error'}: ${body.error ?? res.body.slice(0, 500)}`);
    }
    return body.data as QueryResult;
  }

  /** The tail of Prometheus' stdout and stderr. */
  logTail(lines = 30): string {
    return tail(this.logFile, lines);
  }

  /** Kills Prometheus and removes its data, config and log. */
  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async kill(): Promise<void> {
    if (this.exited || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}
