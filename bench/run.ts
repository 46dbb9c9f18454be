/**
 * The synth benchmark (not part of the tests): `npm run bench [-- OPTIONS]`.
 * See bench/README.md. Progress goes to stderr, the Markdown report to stdout;
 * both the JSON and the Markdown are written to bench/results/.
 *
 * This runner only orchestrates: the library is compiled to JS once
 * (bench/build.ts), and every measurement runs in a fresh child process
 * (bench/case.ts, bench/require-cost.ts) that loads that JS, never ts-node.
 */
import { ChildProcess, fork, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build } from './build';
import { CaseReply, CaseRequest, CaseResult, PathName, PATHS, RequireResult, WorkloadName, WORKLOADS } from './meta';
import { BenchResults, markdown, median, RequireCost, VerifyResult } from './report';
import { fileText } from './shapes';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const BUILD = path.join(RESULTS, 'build');
const TMP = path.join(RESULTS, 'tmp');

const USAGE = `usage: npm run bench -- [options]

  --quick              N = 1, 10, 100 and one timed run per case (a fast check; no targets)
  --sizes 1,10,100     the numbers of services (default 1,10,100,1000)
  --workloads a,b      ${WORKLOADS.join(', ')} (default: all)
  --paths a,b          ${PATHS.join(', ')} (default: all)
  --reps N             timed runs per case (default 5; 1 with --quick)
  --ref REF            benchmark src/ as of a git ref (e.g. HEAD) instead of the working tree
  --no-verify          skip the check that the paths render the same objects
  --report FILE.json   print the Markdown of an earlier run and exit
  -h, --help           this help
`;

interface Options {
  readonly quick: boolean;
  readonly sizes: number[];
  readonly workloads: WorkloadName[];
  readonly paths: PathName[];
  readonly reps?: number;
  readonly ref?: string;
  readonly verify: boolean;
  readonly report?: string;
}

function list<T extends string>(value: string, known: readonly T[], what: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    if (!known.includes(item as T)) throw new Error(`unknown ${what} "${item}"; use ${known.join(', ')}`);
  }
  return items as T[];
}

function parseArgs(argv: string[]): Options {
  let quick = false;
  let verify = true;
  let sizes: number[] | undefined;
  let workloads: WorkloadName[] = [...WORKLOADS];
  let paths: PathName[] = [...PATHS];
  let reps: number | undefined;
  let ref: string | undefined;
  let report: string | undefined;
  const args = argv.flatMap((a) => (a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--no-verify':
        verify = false;
        break;
      case '--sizes':
        sizes = value().split(',').map((s) => {
          const n = Number(s);
          if (!Number.isInteger(n) || n < 1) throw new Error(`--sizes takes positive integers, got "${s}"`);
          return n;
        });
        break;
      case '--workloads':
        workloads = list(value(), WORKLOADS, 'workload');
        break;
      case '--paths': {
        const asked = list(value(), PATHS, 'path');
        paths = PATHS.filter((p) => asked.includes(p)); // in the report's order
        break;
      }
      case '--reps':
        reps = Number(value());
        if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps takes a positive integer');
        break;
      case '--ref':
        ref = value();
        break;
      case '--report':
        report = value();
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown option ${flag}\n\n${USAGE}`);
    }
  }
  return { quick, sizes: sizes ?? (quick ? [1, 10, 100] : [1, 10, 100, 1000]), workloads, paths, reps, ref, verify, report };
}

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** Runs a compiled bench script in a fresh node (with --expose-gc); returns its JSON line. */
function child<T>(script: 'case.js' | 'require-cost.js', args: readonly string[]): T {
  const run = spawnSync(process.execPath, ['--expose-gc', path.join(BUILD, 'bench', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${run.status ?? run.signal}):\n${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Wall time of a whole process, ms. */
function processMs(args: readonly string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed (${run.status ?? run.signal}):\n${run.stderr}`);
  return ms;
}

/** A `case.js case ...` process forked with an IPC channel: warmed up, then one timed run per request. */
class CaseProcess {
  private readonly child: ChildProcess;
  private stderr = '';
  private pending?: { resolve: (reply: CaseReply) => void; reject: (e: Error) => void };
  private readonly label: string;

  constructor(args: readonly string[]) {
    this.label = `case.js ${args.join(' ')}`;
    this.child = fork(path.join(BUILD, 'bench', 'case.js'), args, { cwd: ROOT, execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.child.on('message', (m: CaseReply) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    this.child.on('exit', (code, signal) => {
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new Error(`${this.label} exited (${code ?? signal}) before replying:\n${this.stderr}`));
    });
  }

  /** The next reply, after sending `request` (or none: the first reply, `ready`). */
  public reply(request?: CaseRequest): Promise<CaseReply> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      if (request) this.child.send(request);
    });
  }

  public async ready(): Promise<void> {
    const m = await this.reply();
    if (m.type !== 'ready') throw new Error(`${this.label}: expected ready, got ${m.type}`);
  }

  public async rep(): Promise<number> {
    const m = await this.reply({ type: 'rep' });
    if (m.type !== 'rep') throw new Error(`${this.label}: expected rep, got ${m.type}`);
    return m.ms;
  }

  public async result(): Promise<CaseResult> {
    const m = await this.reply({ type: 'done' });
    if (m.type !== 'result') throw new Error(`${this.label}: expected result, got ${m.type}`);
    return m.result;
  }
}

function cpuModel(): string {
  try {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (pretty) return `${pretty[1]}, kernel ${os.release()}`;
  } catch {
    // not Linux
  }
  return `${os.type()} ${os.release()}`;
}

/** Timed runs per case. 5 at every N, also 1,000 (where 3 would save a minute): on a shared machine fewer runs gave ±20 % medians. */
function repsFor(options: Options): number {
  if (options.reps !== undefined) return options.reps;
  return options.quick ? 1 : 5;
}

async function main(options: Options): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const loadAvgStart = os.loadavg()[0];
  const cores = os.cpus().length;
  if (loadAvgStart > cores * 0.5) log(`note: load average ${loadAvgStart.toFixed(2)} on ${cores} cores: something else is running; times may be inflated`);

  log(`compiling src/ (${options.ref ?? 'working tree'}) to ${path.relative(ROOT, BUILD)} ...`);
  const buildInfo = build(ROOT, BUILD, options.ref);
  log(`  ${buildInfo.files} files in ${Math.round(buildInfo.ms)} ms${buildInfo.dirtyFiles.length > 0 ? ` (src/ has ${buildInfo.dirtyFiles.length} uncommitted change(s))` : ''}`);
  fs.mkdirSync(TMP, { recursive: true });

  const verify: VerifyResult[] = [];
  if (options.verify) {
    log('checking that the paths render the same objects (N = 3) ...');
    for (const w of options.workloads) {
      const v = child<VerifyResult>('case.js', ['verify', w, '3']);
      verify.push(v);
      const ok = v.cdk8sVsBaseline.identicalYaml && v.cliVsCdk8s.sameObjects;
      log(`  ${w}: ${v.objects} objects (${v.kinds.join(', ')}) ${ok ? 'same on every path' : `DIFFER: ${v.cliVsCdk8s.firstDifference ?? v.cdk8sVsBaseline.firstDifference}`}`);
      for (const warning of v.warnings) log(`    warning: ${warning}`);
    }
  }

  const requireRuns = options.quick ? 1 : 5;
  log(`require cost (${requireRuns} fresh process(es) per entry) ...`);
  const targets = ['none', 'cdk8s', 'main', 'cli', 'ts-node-main'];
  const requireCost: RequireCost[] = targets.map((target) => ({ target, runs: [] as RequireResult[] }));
  for (let r = 0; r < requireRuns; r++) {
    // round robin, so a busy moment does not hit one entry only
    for (const cost of requireCost) cost.runs.push(child<RequireResult>('require-cost.js', [cost.target]));
  }
  for (const cost of requireCost) {
    log(`  ${cost.target}: ${median(cost.runs.map((x) => x.requireMs)).toFixed(1)} ms, peak RSS ${(median(cost.runs.map((x) => x.maxRssKiB)) / 1024).toFixed(1)} MiB`);
  }

  log('whole processes: node -e 0, and the CLI rendering one file ...');
  const emptyNodeMs: number[] = [];
  const cliSynthOneFileMs: Partial<Record<WorkloadName, number[]>> = {};
  for (const w of options.workloads) {
    const file = path.join(TMP, `${w}.yaml`);
    fs.writeFileSync(file, fileText(w, 1));
    cliSynthOneFileMs[w] = [];
  }
  for (let r = 0; r < requireRuns; r++) {
    emptyNodeMs.push(processMs(['-e', '0']));
    for (const w of options.workloads) cliSynthOneFileMs[w]!.push(processMs([path.join(BUILD, 'src/cli/main.js'), 'synth', '-f', path.join(TMP, `${w}.yaml`)]));
  }

  const idleRuns = options.quick ? 1 : 3;
  const idle: Partial<Record<PathName, RequireResult[]>> = {};
  for (const p of options.paths) {
    idle[p] = [];
    for (let r = 0; r < idleRuns; r++) idle[p]!.push(child<RequireResult>('case.js', ['idle', p]));
  }

  const maxN = Math.max(...options.sizes);
  const objectsFile = (w: WorkloadName) => path.join(TMP, `objects-${w}.json`);
  if (options.paths.includes('baseline')) {
    log(`precomputing the baseline's objects (N = ${maxN}, via synthesize) ...`);
    for (const w of options.workloads) child('case.js', ['prepare', w, String(maxN), objectsFile(w)]);
  }

  const cases: CaseResult[] = [];
  for (const w of options.workloads) {
    for (const n of options.sizes) {
      // The paths of one (workload, N): each in its own process, warmed up one after the
      // other, then their timed runs interleaved (A B C A B C ...), so a busy moment of
      // the machine hits every path alike and the ratios to the baseline hold up.
      const reps = repsFor(options);
      const procs: CaseProcess[] = [];
      for (const p of options.paths) {
        const proc = new CaseProcess(['case', w, p, String(n), String(reps), ...(p === 'baseline' ? [objectsFile(w)] : [])]);
        await proc.ready();
        procs.push(proc);
      }
      for (let r = 0; r < reps; r++) {
        for (const proc of procs) await proc.rep();
      }
      for (const proc of procs) {
        const result = { ...(await proc.result()), loadAvg1m: os.loadavg()[0] };
        cases.push(result);
        log(
          `  ${w.padEnd(13)} ${result.path.padEnd(8)} N=${String(n).padEnd(5)} ${median(result.timesMs).toFixed(1).padStart(9)} ms (1st ${result.firstRunMs.toFixed(1)}, ${reps} run(s))` +
            `  peak ${(result.firstRunMaxRssKiB / 1024).toFixed(1)} MiB  ${result.objects} objects  load ${result.loadAvg1m.toFixed(2)}`,
        );
      }
    }
  }
  fs.rmSync(TMP, { recursive: true, force: true });

  const results: BenchResults = {
    startedAt: started.toISOString(),
    durationS: (performance.now() - t0) / 1000,
    options: {
      quick: options.quick,
      sizes: options.sizes,
      workloads: options.workloads,
      paths: options.paths,
      reps: String(repsFor(options)),
    },
    machine: {
      cpu: cpuModel(),
      cores,
      memoryGiB: os.totalmem() / 1024 ** 3,
      os: osName(),
      node: process.version,
      loadAvgStart,
      loadAvgEnd: os.loadavg()[0],
    },
    build: buildInfo,
    verify,
    requireCost,
    processes: { emptyNodeMs, cliSynthOneFileMs },
    idle,
    cases,
  };
  const md = markdown(results);
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  for (const name of [`bench-${stamp}`, 'latest']) {
    fs.writeFileSync(path.join(RESULTS, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(path.join(RESULTS, `${name}.md`), md);
  }
  log(`wrote ${path.relative(ROOT, path.join(RESULTS, 'latest.json'))} and latest.md (and bench-${stamp}.*) in ${Math.round(results.durationS)} s\n`);
  process.stdout.write(md);
}

async function cli(argv: string[]): Promise<void> {
  const options = parseArgs(argv);
  if (options.report) {
    process.stdout.write(markdown(JSON.parse(fs.readFileSync(options.report, 'utf8')) as BenchResults));
  } else {
    await main(options);
  }
}

cli(process.argv.slice(2)).catch((e: unknown) => {
  log(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
