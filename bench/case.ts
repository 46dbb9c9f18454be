/**
 * One child process of the benchmark, run compiled (bench/results/build/bench/case.js)
 * with `node --expose-gc`, so each case has its own heap and its own peak RSS.
 * Prints one JSON line on stdout.
 *
 *   case.js prepare WORKLOAD N OUT.json      the baseline's objects of services 1..N (via synthesize), per service
 *   case.js case WORKLOAD PATH N REPS [OBJECTS.json]
 *                                            one warm-up run (the cold time, and the peak RSS of one synth), then REPS
 *                                            timed runs (forked with IPC: a timed run per request of the runner)
 *   case.js idle PATH                        require what PATH requires, nothing else: the floor of its RSS
 *   case.js verify WORKLOAD N                do the three paths render the same objects?
 *
 * Each path loads only its own modules: baseline cdk8s, cdk8s the main entry,
 * cli the modules the CLI loads (src/config, src/render: no cdk8s).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import { join } from 'path';
import type { ApiObjectProps } from 'cdk8s';
import { CaseReply, CaseRequest, CaseResult, PathName, PATHS, RequireResult, WorkloadName, WORKLOADS } from './meta';
import { fileText, serviceName } from './shapes';

/** One timed run: from the definitions to one YAML string. */
type Runner = () => { yaml: string; objects: number };

const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k + 1);

const maxRssKiB = (): number => process.resourceUsage().maxRSS;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
}

/** Baseline: the precomputed objects as plain ApiObjects in one chart, then synthYaml. */
async function baselineRunner(objectsFile: string, n: number): Promise<Runner> {
  const { ApiObject, App, Chart } = await import('cdk8s');
  const perService = JSON.parse(fs.readFileSync(objectsFile, 'utf8')) as ApiObjectProps[][];
  if (perService.length < n) throw new Error(`${objectsFile} holds ${perService.length} services, ${n} asked`);
  const objects = perService.slice(0, n).flat();
  return () => {
    const app = new App();
    const chart = new Chart(app, 'bench');
    objects.forEach((o, k) => new ApiObject(chart, `o${k}`, o));
    return { yaml: app.synthYaml(), objects: objects.length };
  };
}

/** cdk8s: N constructs with their canaries, then synthYaml. */
async function cdk8sRunner(workload: WorkloadName, n: number): Promise<Runner> {
  const { App, Chart } = await import('cdk8s');
  const { CanaryInferenceService } = await import('../src');
  const { serviceProps } = await import('./workloads');
  const services = range(n).map((i) => serviceProps(workload, i));
  return () => {
    const app = new App();
    const chart = new Chart(app, 'bench');
    const constructs = services.map(({ props, canaries }) => {
      const service = new CanaryInferenceService(chart, props.name, props);
      for (const [name, version] of canaries) service.addVersion(name, version);
      return service;
    });
    const yaml = app.synthYaml();
    return { yaml, objects: constructs.reduce((sum, c) => sum + c.apiObjects.length, 0) };
  };
}

/** CLI: each file's text parsed, rendered and serialized, as `canary-inference synth -f` does. */
async function cliRunner(workload: WorkloadName, n: number): Promise<Runner> {
  const { parseConfig, synthesizeConfig } = await import('../src/config');
  const { toYaml } = await import('../src/render');
  const files = range(n).map((i) => ({ file: `${serviceName(i)}.yaml`, text: fileText(workload, i) }));
  return () => {
    const docs: string[] = [];
    let objects = 0;
    for (const { file, text } of files) {
      const rendered = synthesizeConfig(parseConfig(text, file));
      objects += rendered.objects.length;
      docs.push(toYaml(rendered.objects));
    }
    return { yaml: docs.join('---\n'), objects };
  };
}

async function runner(workload: WorkloadName, path: PathName, n: number, objectsFile?: string): Promise<Runner> {
  switch (path) {
    case 'baseline':
      if (!objectsFile) throw new Error('the baseline needs the objects file of `prepare`');
      return baselineRunner(objectsFile, n);
    case 'cdk8s':
      return cdk8sRunner(workload, n);
    case 'cli':
      return cliRunner(workload, n);
  }
}

/**
 * A case: the inputs prepared, one warm-up run (the cold time, and the peak RSS of one synth),
 * then the timed runs. With an IPC channel (forked by the runner), each timed run waits for a
 * `rep` request, so the runner can interleave the paths' runs and a busy moment of the machine
 * hits them alike; without one, `reps` runs back to back.
 */
async function runCase(workload: WorkloadName, path: PathName, n: number, reps: number, objectsFile?: string): Promise<CaseResult | undefined> {
  const run = await runner(workload, path, n, objectsFile);
  const preparedMaxRssKiB = maxRssKiB();
  const start = performance.now();
  const first = run();
  const firstRunMs = performance.now() - start;
  const firstRunMaxRssKiB = maxRssKiB();
  const yamlSha256 = createHash('sha256').update(first.yaml).digest('hex');
  const yamlBytes = Buffer.byteLength(first.yaml);
  const objects = first.objects;
  // No forced GC between runs: a full GC here makes the next run up to 2x slower at
  // N = 100 (V8 shrinks the young generation, the run pays for regrowing it), which
  // no user's process sees. The garbage of one run is collected during the next.
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  const timed = (): number => {
    const cpu = process.cpuUsage();
    const t = performance.now();
    run();
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    timesMs.push(ms);
    cpuMs.push((used.user + used.system) / 1000);
    return ms;
  };
  const result = (): CaseResult => {
    const summary = { workload, path, n, timesMs, cpuMs, firstRunMs, objects, yamlBytes, yamlSha256 };
    return { ...summary, preparedMaxRssKiB, firstRunMaxRssKiB, maxRssKiB: maxRssKiB() };
  };
  const send = process.send?.bind(process);
  if (!send) {
    for (let r = 0; r < reps; r++) timed();
    return result();
  }
  process.on('message', (m: CaseRequest) => {
    if (m.type === 'rep') {
      send({ type: 'rep', ms: timed() } satisfies CaseReply);
    } else {
      send({ type: 'result', result: result() } satisfies CaseReply, () => process.disconnect());
    }
  });
  send({ type: 'ready' } satisfies CaseReply);
  return undefined;
}

async function prepare(workload: WorkloadName, n: number, out: string): Promise<{ services: number; objects: number; warnings: string[] }> {
  const { synthesize } = await import('../src');
  const { synthesizeArgs } = await import('./workloads');
  const warnings = new Set<string>();
  const perService = range(n).map((i) => {
    const { input, options } = synthesizeArgs(workload, i);
    const rendered = synthesize(input, options);
    rendered.warnings.forEach((w) => warnings.add(w.replace(serviceName(i), 'SERVICE')));
    return rendered.objects;
  });
  fs.writeFileSync(out, JSON.stringify(perService));
  return { services: n, objects: perService.reduce((sum, o) => sum + o.length, 0), warnings: [...warnings] };
}

async function idle(path: PathName): Promise<RequireResult> {
  const start = performance.now();
  if (path === 'baseline') {
    await import('cdk8s');
  } else if (path === 'cdk8s') {
    await import('../src');
    await import('./workloads');
  } else {
    await import('../src/config');
    await import('../src/render');
  }
  const requireMs = performance.now() - start;
  gc();
  return { target: `idle ${path}`, requireMs, maxRssKiB: maxRssKiB(), heapUsedBytes: process.memoryUsage().heapUsed };
}

/** Keys sorted at every level: a canonical JSON of a document. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

/** The first path where two values differ, or undefined when equal. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path || '.'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

async function verify(workload: WorkloadName, n: number): Promise<Record<string, unknown>> {
  const { parseAllDocuments } = await import('yaml');
  const tmp = fs.mkdtempSync(join(os.tmpdir(), 'bench-verify-'));
  const objectsFile = `${tmp}/objects.json`;
  const { warnings } = await prepare(workload, n, objectsFile);
  const docs: Partial<Record<PathName, unknown[]>> = {};
  const yamls: Partial<Record<PathName, string>> = {};
  for (const path of PATHS) {
    const yaml = (await runner(workload, path, n, objectsFile))().yaml;
    yamls[path] = yaml;
    docs[path] = parseAllDocuments(yaml).map((d) => canonical(d.toJS()));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const compare = (a: PathName, b: PathName) => ({
    identicalYaml: yamls[a] === yamls[b],
    sameObjects: JSON.stringify(docs[a]) === JSON.stringify(docs[b]),
    firstDifference: firstDifference(docs[a], docs[b]),
  });
  return {
    workload,
    n,
    objects: docs.cdk8s!.length,
    kinds: [...new Set(docs.cdk8s!.map((d) => (d as { kind: string }).kind))],
    warnings,
    cdk8sVsBaseline: compare('cdk8s', 'baseline'),
    cliVsCdk8s: compare('cli', 'cdk8s'),
  };
}

function workloadArg(value: string | undefined): WorkloadName {
  if (!WORKLOADS.includes(value as WorkloadName)) throw new Error(`workload: one of ${WORKLOADS.join(', ')}, got ${value}`);
  return value as WorkloadName;
}

function pathArg(value: string | undefined): PathName {
  if (!PATHS.includes(value as PathName)) throw new Error(`path: one of ${PATHS.join(', ')}, got ${value}`);
  return value as PathName;
}

async function main(args: string[]): Promise<unknown> {
  const [mode, ...rest] = args;
  switch (mode) {
    case 'prepare':
      return prepare(workloadArg(rest[0]), Number(rest[1]), rest[2]);
    case 'case':
      return runCase(workloadArg(rest[0]), pathArg(rest[1]), Number(rest[2]), Number(rest[3]), rest[4]);
    case 'idle':
      return idle(pathArg(rest[0]));
    case 'verify':
      return verify(workloadArg(rest[0]), Number(rest[1]));
    default:
      throw new Error(`mode: prepare | case | idle | verify, got ${mode}`);
  }
}

main(process.argv.slice(2)).then(
  // undefined: a case serving the runner over IPC
  (result) => result !== undefined && process.stdout.write(`${JSON.stringify(result)}\n`),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
