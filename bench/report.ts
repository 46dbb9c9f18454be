/**
 * The results of a benchmark run (what bench/run.ts writes as JSON), the
 * numbers derived from them, and their Markdown tables.
 */
import { CaseResult, PathName, RequireResult, WORKLOAD_INFO, WorkloadName } from './meta';

/** Is service i's output the same on every path? From `case.js verify`. */
export interface VerifyResult {
  readonly workload: WorkloadName;
  readonly n: number;
  readonly objects: number;
  readonly kinds: string[];
  readonly warnings: string[];
  readonly cdk8sVsBaseline: { identicalYaml: boolean; sameObjects: boolean; firstDifference?: string };
  readonly cliVsCdk8s: { identicalYaml: boolean; sameObjects: boolean; firstDifference?: string };
}

/** Repeated measurements of one require target. */
export interface RequireCost {
  readonly target: string;
  readonly runs: RequireResult[];
}

/** Wall time of whole processes: `node -e 0`, and the CLI rendering one file. */
export interface ProcessTimes {
  readonly emptyNodeMs: number[];
  readonly cliSynthOneFileMs: Partial<Record<WorkloadName, number[]>>;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average when the run started and ended. */
  readonly loadAvgStart: number;
  readonly loadAvgEnd: number;
}

/** Everything a run measured (bench/results/latest.json). */
export interface BenchResults {
  readonly startedAt: string;
  readonly durationS: number;
  readonly options: {
    readonly quick: boolean;
    readonly sizes: number[];
    readonly workloads: WorkloadName[];
    readonly paths: PathName[];
    readonly reps: string;
  };
  readonly machine: Machine;
  readonly build: { readonly source: string; readonly commit: string; readonly dirtyFiles: string[]; readonly files: number; readonly ms: number };
  readonly verify: VerifyResult[];
  readonly requireCost: RequireCost[];
  readonly processes: ProcessTimes;
  /** Peak RSS (KiB) of processes that only required what each path requires. */
  readonly idle: Partial<Record<PathName, RequireResult[]>>;
  readonly cases: CaseResult[];
}

// ------------------------------------------------------------ numbers

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const mib = (kib: number): number => kib / 1024;

/** The issue's targets. */
export const TARGETS = {
  /** At 1,000 services, the cdk8s path at most this many times the baseline (it renders each service once). */
  maxCdk8sRatioToBaseline: 1.2,
  /** At 1,000 services, the CLI path (which also parses each file) at most this many times the baseline. */
  maxRatioToBaseline: 1.5,
  /** Requiring the main entry costs at most this many ms more than requiring cdk8s alone. */
  maxRequireOverCdk8sMs: 100,
  /** Linear growth: time(1000) / time(100) is 10; this much slack (fixed costs make it lower, superlinear work higher). */
  maxGrowth: 12,
  /** Under this many ms at 1,000 services on a 2-core machine. */
  maxMs: 10_000,
  n: 1000,
} as const;

/** One case's derived numbers. */
export interface CaseSummary {
  readonly workload: WorkloadName;
  readonly path: PathName;
  readonly n: number;
  readonly medianMs: number;
  /** The fastest timed run. */
  readonly bestMs: number;
  readonly firstRunMs: number;
  readonly msPerService: number;
  /** CPU time / wall time of the timed runs: about 1 or more on an idle machine (GC threads), well below 1 when it was busy. */
  readonly cpuPerWall: number;
  /** The machine had other work: the process waited for a core, or the load average was above ours. */
  readonly busy: boolean;
  readonly objects: number;
  readonly yamlBytes: number;
  /** Peak RSS of the case process after its first run: what a process synthesizing once peaks at. */
  readonly peakMiB: number;
  /** That peak over the idle process of the same path. */
  readonly deltaMiB: number;
}

export function summarizeCase(results: BenchResults, c: CaseResult): CaseSummary {
  const medianMs = median(c.timesMs);
  const cpuPerWall = c.cpuMs.reduce((a, b) => a + b, 0) / c.timesMs.reduce((a, b) => a + b, 0);
  const idle = results.idle[c.path];
  const idleKiB = idle ? median(idle.map((r) => r.maxRssKiB)) : NaN;
  return {
    workload: c.workload,
    path: c.path,
    n: c.n,
    medianMs,
    bestMs: Math.min(...c.timesMs),
    firstRunMs: c.firstRunMs,
    msPerService: medianMs / c.n,
    cpuPerWall,
    busy: (medianMs >= 50 && cpuPerWall < 0.9) || (c.loadAvg1m ?? 0) > busyLoad(results),
    objects: c.objects,
    yamlBytes: c.yamlBytes,
    peakMiB: mib(c.firstRunMaxRssKiB),
    deltaMiB: mib(c.firstRunMaxRssKiB - idleKiB),
  };
}

/** A load average above this means other processes ran: ours counts 1, a quarter per core of slack. */
export const busyLoad = (results: BenchResults): number => 1 + 0.25 * results.machine.cores;

function find(results: BenchResults, workload: WorkloadName, path: PathName, n: number): CaseSummary | undefined {
  const c = results.cases.find((x) => x.workload === workload && x.path === path && x.n === n);
  return c ? summarizeCase(results, c) : undefined;
}

/** Median time in require() and median peak RSS of a require target. */
export function requireSummary(results: BenchResults, target: string): { ms: number; peakMiB: number } | undefined {
  const r = results.requireCost.find((x) => x.target === target);
  return r ? { ms: median(r.runs.map((x) => x.requireMs)), peakMiB: mib(median(r.runs.map((x) => x.maxRssKiB))) } : undefined;
}

/** Where a path stands against the targets, at N = 1,000. */
export interface TargetVerdict {
  readonly workload: WorkloadName;
  readonly path: PathName;
  readonly ms: number;
  readonly ratioToBaseline?: number;
  /** The same ratio from each path's fastest run: noise only adds time, so this is the ratio least hurt by a busy machine. */
  readonly bestRatioToBaseline?: number;
  readonly growth?: number;
  /** The time a user waits in a fresh process: require of the entry + the first (cold) run. */
  readonly coldMs: number;
  readonly ratioMet?: boolean;
  readonly linearMet?: boolean;
  readonly under10sMet: boolean;
  readonly coldUnder10sMet: boolean;
}

export function targetVerdicts(results: BenchResults): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const entryMs = (path: PathName) => requireSummary(results, path === 'cli' ? 'cli' : path === 'cdk8s' ? 'main' : 'cdk8s')?.ms ?? 0;
  for (const workload of results.options.workloads) {
    const base = find(results, workload, 'baseline', TARGETS.n);
    for (const path of results.options.paths) {
      const at = find(results, workload, path, TARGETS.n);
      if (!at) continue;
      const before = find(results, workload, path, 100);
      const ratioToBaseline = path !== 'baseline' && base ? at.medianMs / base.medianMs : undefined;
      const bestRatioToBaseline = path !== 'baseline' && base ? at.bestMs / base.bestMs : undefined;
      const growth = before ? at.medianMs / before.medianMs : undefined;
      const coldMs = entryMs(path) + at.firstRunMs;
      out.push({
        workload,
        path,
        ms: at.medianMs,
        ratioToBaseline,
        bestRatioToBaseline,
        growth,
        coldMs,
        ratioMet: ratioToBaseline === undefined ? undefined : ratioToBaseline <= (path === 'cdk8s' ? TARGETS.maxCdk8sRatioToBaseline : TARGETS.maxRatioToBaseline),
        linearMet: growth === undefined ? undefined : growth <= TARGETS.maxGrowth,
        under10sMet: at.medianMs < TARGETS.maxMs,
        coldUnder10sMet: coldMs < TARGETS.maxMs,
      });
    }
  }
  return out;
}

// ------------------------------------------------------------ Markdown

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toLocaleString('en-US');
}

const fmtRatio = (r: number | undefined): string => (r === undefined || !Number.isFinite(r) ? '–' : `${r.toFixed(2)}×`);
const fmtMiB = (m: number): string => (Number.isFinite(m) ? m.toFixed(1) : '–');
const fmtDeltaMiB = (m: number): string => (Number.isFinite(m) ? `${m < 0 ? '−' : '+'}${Math.abs(m).toFixed(1)}` : '–');
const fmtBytes = (b: number): string => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`);
const mark = (ok: boolean | undefined): string => (ok === undefined ? '–' : ok ? '✅' : '❌');

const PATH_TITLES: Record<PathName, string> = { baseline: 'baseline', cdk8s: 'cdk8s', cli: 'CLI' };

function workloadLabel(w: WorkloadName): string {
  const info = WORKLOAD_INFO[w];
  return `${info.title} (${info.versions} versions${info.versions === 2 ? '*' : ''})`;
}

export function machineLine(results: BenchResults): string {
  const m = results.machine;
  const b = results.build;
  const src = b.source === 'working tree'
    ? `working tree at ${b.commit.slice(0, 7)}${b.dirtyFiles.length > 0 ? ` + ${b.dirtyFiles.length} changed file(s) in src/` : ''}`
    : `${b.source} (${b.commit.slice(0, 7)})`;
  return (
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB · ${m.os} · Node ${m.node} · src: ${src} · ` +
    `load average ${m.loadAvgStart.toFixed(2)} → ${m.loadAvgEnd.toFixed(2)} · ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC · run took ${Math.round(results.durationS)} s`
  );
}

/** Synth time: one row per (workload, N), the paths side by side. */
export function timeTable(results: BenchResults): string {
  const paths = results.options.paths;
  const head = ['workload', 'N', 'objects', 'YAML', ...paths.map((p) => `${PATH_TITLES[p]} ms`), ...paths.filter((p) => p !== 'baseline').map((p) => `${PATH_TITLES[p]} ×base`), 'ms/service (' + paths.map((p) => PATH_TITLES[p]).join(' / ') + ')'];
  const rows: string[][] = [];
  for (const w of results.options.workloads) {
    for (const n of results.options.sizes) {
      const s = Object.fromEntries(paths.map((p) => [p, find(results, w, p, n)])) as Partial<Record<PathName, CaseSummary>>;
      const any = paths.map((p) => s[p]).find((x) => x !== undefined);
      if (!any) continue;
      const base = s.baseline;
      rows.push([
        workloadLabel(w),
        n.toLocaleString('en-US'),
        any.objects.toLocaleString('en-US'),
        fmtBytes(any.yamlBytes),
        ...paths.map((p) => fmtMs(s[p]?.medianMs ?? NaN)),
        ...paths.filter((p) => p !== 'baseline').map((p) => fmtRatio(base && s[p] ? s[p]!.medianMs / base.medianMs : undefined)),
        paths.map((p) => fmtMs(s[p]?.msPerService ?? NaN)).join(' / '),
      ]);
    }
  }
  // the workload label only on its first row
  let last = '';
  for (const r of rows) {
    if (r[0] === last) r[0] = '';
    else last = r[0];
  }
  return table(head, rows);
}

/** Peak RSS per case and over the idle process of its path. */
export function memoryTable(results: BenchResults): string {
  const paths = results.options.paths;
  const head = ['workload', 'N', ...paths.map((p) => `${PATH_TITLES[p]} peak MiB (Δ idle)`)];
  const rows: string[][] = [];
  for (const w of results.options.workloads) {
    let first = true;
    for (const n of results.options.sizes) {
      const cells = paths.map((p) => {
        const s = find(results, w, p, n);
        return s ? `${fmtMiB(s.peakMiB)} (${fmtDeltaMiB(s.deltaMiB)})` : '–';
      });
      if (cells.every((c) => c === '–')) continue;
      rows.push([first ? workloadLabel(w) : '', n.toLocaleString('en-US'), ...cells]);
      first = false;
    }
  }
  return table(head, rows);
}

export function idleLine(results: BenchResults): string {
  return (
    'Idle processes (required the modules, nothing else): ' +
    results.options.paths
      .map((p) => {
        const runs = results.idle[p];
        return runs ? `${PATH_TITLES[p]} ${fmtMiB(mib(median(runs.map((r) => r.maxRssKiB))))} MiB` : undefined;
      })
      .filter((x) => x !== undefined)
      .join(', ') +
    '.'
  );
}

/** The issue's targets at N = 1,000. */
export function targetTable(results: BenchResults): string {
  const verdicts = targetVerdicts(results);
  if (verdicts.length === 0) return `_Targets not evaluated: the run did not include N = ${TARGETS.n.toLocaleString('en-US')} (drop --quick)._`;
  const head = [
    'workload',
    'path',
    'ms at 1,000',
    `×baseline ≤ ${TARGETS.maxCdk8sRatioToBaseline} (cdk8s) / ${TARGETS.maxRatioToBaseline} (CLI)`,
    '×baseline, fastest runs',
    `time(1000)/time(100) ≤ ${TARGETS.maxGrowth}`,
    '< 10 s (warm)',
    'cold process: require + 1st run',
  ];
  const rows = verdicts.map((v) => [
    workloadLabel(v.workload),
    PATH_TITLES[v.path],
    fmtMs(v.ms),
    v.ratioToBaseline === undefined ? '–' : `${fmtRatio(v.ratioToBaseline)} ${mark(v.ratioMet)}`,
    fmtRatio(v.bestRatioToBaseline),
    v.growth === undefined ? '–' : `${v.growth.toFixed(1)} ${mark(v.linearMet)}`,
    mark(v.under10sMet),
    `${fmtMs(v.coldMs)} ms ${mark(v.coldUnder10sMet)}`,
  ]);
  let last = '';
  for (const r of rows) {
    if (r[0] === last) r[0] = '';
    else last = r[0];
  }
  return table(head, rows);
}

/** What requiring each entry costs (compiled JS), and a whole CLI process. */
export function requireTable(results: BenchResults): string {
  const none = requireSummary(results, 'none');
  const row = (label: string, target: string): string[] | undefined => {
    const s = requireSummary(results, target);
    if (!s) return undefined;
    return [label, fmtMs(s.ms), fmtMiB(s.peakMiB), none ? fmtDeltaMiB(s.peakMiB - none.peakMiB) : '–'];
  };
  const cdk8s = requireSummary(results, 'cdk8s');
  const main = requireSummary(results, 'main');
  const rows = [
    row('empty `node` process', 'none'),
    row("`require('cdk8s')`", 'cdk8s'),
    row('`require` main entry (lib/index.js; cdk8s included)', 'main'),
    cdk8s && main
      ? [
        `difference: our code (main entry − cdk8s), target ≤ ${TARGETS.maxRequireOverCdk8sMs} ms`,
        `${fmtMs(main.ms - cdk8s.ms)} ${mark(main.ms - cdk8s.ms <= TARGETS.maxRequireOverCdk8sMs)}`,
        '',
        fmtDeltaMiB(main.peakMiB - cdk8s.peakMiB),
      ]
      : undefined,
    row('`require` CLI modules (lib/cli/main.js; no cdk8s)', 'cli'),
    row('main entry from src/ via ts-node transpile-only (not what users pay)', 'ts-node-main'),
  ].filter((r): r is string[] => r !== undefined);
  return table(['what is required', 'require ms', 'peak RSS MiB', 'over empty node'], rows);
}

export function processLine(results: BenchResults): string {
  const p = results.processes;
  const cli = Object.entries(p.cliSynthOneFileMs)
    .map(([w, runs]) => `${w} ${fmtMs(median(runs!))} ms`)
    .join(', ');
  if (!cli) return '';
  return `Whole processes (wall time, median): \`node -e 0\` ${fmtMs(median(p.emptyNodeMs))} ms; \`node lib/cli/main.js synth -f FILE\` for one service: ${cli}.`;
}

export function verifyLine(results: BenchResults): string {
  if (results.verify.length === 0) return '';
  const bad = results.verify.filter((v) => !v.cdk8sVsBaseline.identicalYaml || !v.cliVsCdk8s.sameObjects);
  // the baseline and cdk8s YAML, byte for byte, at every N measured
  const shaMismatch = results.options.workloads.flatMap((w) =>
    results.options.sizes.filter((n) => {
      const b = results.cases.find((c) => c.workload === w && c.path === 'baseline' && c.n === n);
      const c = results.cases.find((x) => x.workload === w && x.path === 'cdk8s' && x.n === n);
      return b && c && b.yamlSha256 !== c.yamlSha256;
    }).map((n) => `${w} N=${n}`),
  );
  const parts = [
    bad.length === 0
      ? `Same output on every path: for N = ${results.verify[0].n} of each workload, the cdk8s and baseline YAML are byte-identical and the CLI's documents parse to the same objects (its YAML differs in formatting only).`
      : `⚠ Paths disagree: ${bad.map((v) => `${v.workload} (${v.cliVsCdk8s.firstDifference ?? v.cdk8sVsBaseline.firstDifference})`).join('; ')}.`,
    shaMismatch.length === 0 ? 'cdk8s and baseline YAML have the same sha256 at every N.' : `⚠ cdk8s and baseline YAML differ at ${shaMismatch.join(', ')}.`,
  ];
  return parts.join(' ');
}

function table(head: string[], rows: string[][]): string {
  const align = head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The whole report. */
export function markdown(results: BenchResults): string {
  const notes = results.options.workloads.filter((w) => WORKLOAD_INFO[w].versions === 2).map((w) => `\\* ${WORKLOAD_INFO[w].title}: ${WORKLOAD_INFO[w].note}.`);
  const busy = results.cases.map((c) => summarizeCase(results, c)).filter((s) => s.busy);
  const loads = results.cases.map((c) => c.loadAvg1m).filter((l): l is number => l !== undefined);
  const sections = [
    `**Machine:** ${machineLine(results)}`,
    '#### Synth time (median of the timed runs after a warm-up; ×base = time / baseline time)',
    timeTable(results),
    notes.join(' '),
    verifyLine(results),
    busy.length > 0
      ? `⚠ **The machine was not idle** during ${busy.length === results.cases.length ? 'every case' : `${busy.length} of ${results.cases.length} cases`} ` +
        `(load average up to ${Math.max(...loads).toFixed(2)} on ${results.machine.cores} cores, where this benchmark alone makes about 1; ` +
        'or CPU under 90 % of wall time): other processes competed for the cores, so those times are pessimistic and noisy' +
        (busy.length === results.cases.length ? '.' : `: ${busy.map((s) => `${s.workload}/${s.path}/N=${s.n}`).join(', ')}.`)
      : '',
    '#### Targets at 1,000 services',
    targetTable(results),
    '#### Peak memory (each case in its own process, peak RSS after one synth; Δ idle = over a process that only required the same modules)',
    memoryTable(results),
    idleLine(results),
    '#### What requiring the entry costs (compiled JS, fresh process each, median)',
    requireTable(results),
    processLine(results),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}
