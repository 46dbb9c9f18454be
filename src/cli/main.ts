#!/usr/bin/env node
/**
 * canary-inference CLI: synth | validate | plan | route | gate. Exit codes: 0 success, 1 invalid input, 2 usage error
 * (gate: 0 promote, 1 roll back, 3 hold, 2 usage or Prometheus unreachable).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Backend, BACKEND_NAMES, KubeObject } from '../backends';
import { GATE_EXIT, runGate } from './gate';
import { PLAN_FORMATS, PlanFormat, renderPlan } from './plan';
import { dashboardModel } from '../backends/common/dashboard';
import { ConfigOverrides, loadConfigFile, specOfConfig, synthesizeConfig } from '../config';
import { validateAgainstCrds } from '../crd';
import { toYaml } from '../render';
import { assignKey, ROUTER_NAMES } from '../routers';
import { CanarySpec, ConfigFileError, durationSeconds, formatIssue, ValidationError } from '../spec';

/** Where the CLI writes. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `usage: canary-inference <command> -f FILE [options]

commands:
  synth      print the manifests as multi-document YAML (or write one file per object with -o DIR)
  validate   print "ok", or one line per problem on stderr (FILE:LINE:COL path: message)
  plan       print the rollout's stages: each version's weight, the pause, the guardrails
             (--format table, json or mermaid)
  dashboard  print the service's Grafana dashboard as JSON, for importing by hand (each version's traffic,
             errors, latency, pods and guardrails side by side)
  route      print the version a key is assigned to (header or query routing)
  gate       run the guardrails against Prometheus now (or --at TIME), one line per guardrail:
             exit 0 promote, 1 roll back, 3 hold, 2 usage or Prometheus unreachable;
             --from T1 --to T2 --step 1m replays recorded data stage by stage

options:
  -f, --file FILE             the canary file (BentoCloud format, plus an optional kubernetes: block)
  --backend NAME              ${BACKEND_NAMES.join(' | ')} (default: the file's kubernetes.backend, else kserve)
  --kserve-mode MODE          standard | knative (default: standard)
  --kserve-strategy NAME      canary | per-version (default: per-version with a router, else canary)
  --router NAME               ${ROUTER_NAMES.join(' | ')} (default: native)
  --pin-header NAME           header pinning a request to a version (default: x-canary-version)
  --gateway NS/NAME           gateway the service is exposed through (istio, gateway-api)
  --namespace NS              namespace of every object
  --image-repository REPO     registry/repository prefix of bento images
  -o, --output DIR            synth only: write one YAML file per object into DIR
  --stage N                   synth/validate: the manifests of stage N of the rollout (1-based)
  --promote VERSION           synth/validate: the manifests after promoting VERSION to main
  --rollback                  synth/validate: the manifests with every canary at 0
  --crds PATH                 synth/validate: also check the output against the CRDs your cluster has
                              (a file or folder of CRD YAML, e.g. from \`kubectl get crd -o yaml\`)
  --format FORMAT             plan only: ${PLAN_FORMATS.join(' | ')} (default: table)
  --key VALUE                 route only: print the version VALUE is assigned to
  --keys-file FILE            route only: one key a line in, one "KEY VERSION" line out
  --prometheus URL            gate only: the Prometheus the guardrails query, e.g. http://localhost:9090
  --at TIME                   gate only: evaluate at TIME (RFC 3339 or unix seconds; default now)
  --from T1 --to T2 --step D  gate only: replay from T1 to T2 every D (e.g. 1m)
  -h, --help                  show this help

exit codes: 0 success, 1 invalid input, 2 usage error (gate: 0 promote, 1 roll back, 3 hold, 2 usage or unreachable)
`;

class UsageError extends Error {}

const COMMANDS = ['synth', 'validate', 'plan', 'dashboard', 'route', 'gate'] as const;
type Command = (typeof COMMANDS)[number];

interface Args {
  command: Command;
  file: string;
  output?: string;
  key?: string;
  keysFile?: string;
  stage?: number;
  promote?: string;
  rollback: boolean;
  crds?: string;
  format: PlanFormat;
  gate: { prometheus?: string; at?: string; from?: string; to?: string; step?: string };
  overrides: ConfigOverrides;
}

const VALUE_FLAGS: Record<string, string> = {
  '-f': 'file',
  '--file': 'file',
  '-o': 'output',
  '--output': 'output',
  '--key': 'key',
  '--keys-file': 'keysFile',
  '--backend': 'backend',
  '--kserve-mode': 'kserveMode',
  '--kserve-strategy': 'kserveStrategy',
  '--router': 'router',
  '--pin-header': 'pinHeader',
  '--gateway': 'gateway',
  '--namespace': 'namespace',
  '--image-repository': 'imageRepository',
  '--stage': 'stage',
  '--promote': 'promote',
  '--crds': 'crds',
  '--format': 'format',
  '--prometheus': 'prometheus',
  '--at': 'at',
  '--from': 'from',
  '--to': 'to',
  '--step': 'step',
};

const SWITCHES: Record<string, string> = { '--rollback': 'rollback' };

const CHOICES: Record<string, readonly string[]> = {
  backend: BACKEND_NAMES,
  kserveMode: ['standard', 'knative'],
  kserveStrategy: ['canary', 'per-version'],
  router: ROUTER_NAMES,
  format: PLAN_FORMATS,
};

const FLAG_OF: Record<string, string> = { backend: '--backend', kserveMode: '--kserve-mode', kserveStrategy: '--kserve-strategy', router: '--router', format: '--format' };

function parseArgs(argv: readonly string[]): Args | 'help' {
  if (argv.length === 0) throw new UsageError('missing command');
  if (argv.includes('-h') || argv.includes('--help')) return 'help';
  const [command, ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}; use ${COMMANDS.join(', ')}`);
  }
  const values: Record<string, string> = {};
  const switches = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (SWITCHES[arg]) {
      if (switches.has(SWITCHES[arg])) throw new UsageError(`option ${arg} is given twice`);
      switches.add(SWITCHES[arg]);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUE_FLAGS[flag];
    if (!key) throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    const value = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || (value === '' && key !== 'key')) throw new UsageError(`option ${flag} needs a value`);
    if (key in values) throw new UsageError(`option ${flag} is given twice`);
    values[key] = value;
  }
  if (!values.file) throw new UsageError('missing -f FILE');
  if (values.output !== undefined && command !== 'synth') throw new UsageError('-o is for synth only');
  if ((values.key !== undefined || values.keysFile !== undefined) && command !== 'route') throw new UsageError('--key and --keys-file are for route only');
  if (command === 'route' && (values.key === undefined) === (values.keysFile === undefined)) throw new UsageError('route needs one of --key VALUE or --keys-file FILE');
  const gateFlags = ['prometheus', 'at', 'from', 'to', 'step'].filter((k) => values[k] !== undefined);
  if (gateFlags.length > 0 && command !== 'gate') throw new UsageError('--prometheus, --at, --from, --to and --step are for gate only');
  if (command === 'gate') {
    if (values.prometheus === undefined) throw new UsageError('gate needs --prometheus URL, e.g. --prometheus http://localhost:9090');
    const replay = ['from', 'to', 'step'].filter((k) => values[k] !== undefined);
    if (replay.length > 0 && replay.length < 3) throw new UsageError('a replay needs all of --from, --to and --step');
    if (replay.length > 0 && values.at !== undefined) throw new UsageError('--at evaluates once, --from/--to/--step replay: give one of them');
  }
  const state = ['stage', 'promote', 'rollback'].filter((k) => values[k] !== undefined || switches.has(k));
  if (state.length > 0 && command === 'gate' && state.some((k) => k !== 'stage')) throw new UsageError('gate takes --stage, not --promote or --rollback');
  if (state.length > 0 && command !== 'synth' && command !== 'validate' && command !== 'gate') {
    throw new UsageError('--stage, --promote and --rollback are for synth and validate (and --stage for gate)');
  }
  if (values.crds !== undefined && command !== 'synth' && command !== 'validate') throw new UsageError('--crds is for synth and validate');
  if (values.format !== undefined && command !== 'plan') throw new UsageError('--format is for plan only');
  if (state.length > 1) throw new UsageError(`--${state.join(' and --')} ask for different states; give one of them`);
  if (values.stage !== undefined && !/^[1-9]\d{0,2}$/.test(values.stage)) {
    throw new UsageError(`--stage takes a stage number from 1 (see \`canary-inference plan\`), got ${JSON.stringify(values.stage)}`);
  }
  for (const [k, allowed] of Object.entries(CHOICES)) {
    if (values[k] !== undefined && !allowed.includes(values[k])) {
      throw new UsageError(`unknown value ${JSON.stringify(values[k])} for ${FLAG_OF[k]}; use ${allowed.join(', ')}`);
    }
  }
  const { file, output, key, keysFile, stage, promote, crds, format, prometheus, at, from, to, step, ...overrides } = values;
  return {
    command: command as Command,
    file,
    output,
    key,
    keysFile,
    stage: stage === undefined ? undefined : Number(stage),
    promote,
    rollback: switches.has('rollback'),
    crds,
    format: (format ?? 'table') as PlanFormat,
    gate: { prometheus, at, from, to, step },
    overrides: { ...overrides, words: 'flags' },
  };
}

/** One file name per object, in output order. */
function fileNameFor(obj: KubeObject, index: number): string {
  return `${String(index + 1).padStart(2, '0')}-${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`;
}

/** A time flag: unix seconds or RFC 3339. */
function timeOf(flag: string, value: string): number {
  const t = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(t)) throw new UsageError(`${flag} takes unix seconds or an RFC 3339 time such as 2026-12-01T10:00:00Z, got ${JSON.stringify(value)}`);
  return t;
}

/** Runs the CLI, `gate` included (it queries Prometheus); resolves to the exit code. */
export async function mainAsync(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] !== 'gate') return main(argv, io);
  let args: Args | 'help';
  let options: Parameters<typeof runGate>[2];
  try {
    args = parseArgs(argv);
    if (args === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    const g = args.gate;
    const step = g.step === undefined ? undefined : /^\d+$/.test(g.step) ? Number(g.step) : /^(\d+h)?(\d+m)?(\d+s)?$/.test(g.step) && g.step !== '' ? durationSeconds(g.step) : NaN;
    if (step !== undefined && !(step > 0)) throw new UsageError(`--step takes a duration such as 1m or 30s, got ${JSON.stringify(g.step)}`);
    options = {
      prometheus: g.prometheus!,
      ...(args.stage !== undefined ? { stage: args.stage } : {}),
      ...(g.at !== undefined ? { at: timeOf('--at', g.at) } : {}),
      ...(step !== undefined ? { replay: { from: timeOf('--from', g.from!), to: timeOf('--to', g.to!), step } } : {}),
    };
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`canary-inference: ${e.message}

${USAGE}`);
      return GATE_EXIT.usage;
    }
    throw e;
  }
  let spec: CanarySpec;
  let router: string;
  try {
    const config = loadConfigFile(args.file, args.overrides);
    spec = specOfConfig(config);
    router = config.router;
  } catch (e) {
    if (e instanceof ConfigFileError) {
      io.stderr(`${e.message}\n`);
      return GATE_EXIT.usage;
    }
    if (e instanceof ValidationError) {
      // 2, not 1: for gate, 1 means roll back
      io.stderr(e.issues.map((i) => `${formatIssue(i)}\n`).join(''));
      return GATE_EXIT.usage;
    }
    throw e;
  }
  return runGate(spec, router, options, io);
}

/** Runs the CLI; returns the exit code. `gate` needs {@link mainAsync}. */
export function main(argv: readonly string[], io: CliIo): number {
  if (argv[0] === 'gate') {
    io.stderr('canary-inference: gate queries Prometheus: run it through mainAsync\n');
    return 2;
  }
  let args: Args | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`canary-inference: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const config = loadConfigFile(args.file, args.overrides);
    if (args.command === 'route') return route(args, specOfConfig(config), io);
    const rendered = synthesizeConfig(config, { stage: args.stage, promote: args.promote, rollback: args.rollback || undefined });
    if (args.command === 'dashboard') {
      // the dashboard whatever its delivery (kubernetes.dashboards), for importing into Grafana by hand
      const backend = Backend.of(config.backend, { kserveMode: config.kserveMode, kserveStrategy: config.kserveStrategy });
      io.stdout(`${JSON.stringify(dashboardModel(rendered.spec, config.router, !backend.renderer.sharedServers), null, 2)}\n`);
      return 0;
    }
    if (args.command === 'plan') {
      // the spec says when there is no plan (no rollout, no canary), in the file's words
      const backend = Backend.of(config.backend, { kserveMode: config.kserveMode, kserveStrategy: config.kserveStrategy });
      let plan: string;
      try {
        plan = renderPlan(args.format, rendered.spec, config.router, backend.renderer);
      } catch (e) {
        if (e instanceof ValidationError) throw new ValidationError(config.toFileIssues(e.issues));
        throw e;
      }
      io.stdout(plan);
      return 0;
    }
    for (const w of rendered.warnings) io.stderr(`warning: ${w}\n`);
    if (args.crds !== undefined) {
      let problems: string[];
      try {
        problems = validateAgainstCrds(rendered.objects, args.crds);
      } catch (e) {
        io.stderr(`${args.crds}: ${(e as Error).message}\n`);
        return 1;
      }
      if (problems.length > 0) {
        io.stderr(problems.map((p) => `${args.file}: the cluster's CRDs (${args.crds}) refuse ${p}\n`).join(''));
        return 1;
      }
    }
    if (args.command === 'validate') {
      io.stdout('ok\n');
    } else if (args.output) {
      const failure = writeAll(args.output, rendered.objects);
      if (failure) {
        io.stderr(`${failure}\n`);
        return 2;
      }
    } else {
      io.stdout(toYaml(rendered.objects));
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigFileError) {
      io.stderr(`${e.message}\n`);
      return 2;
    }
    if (e instanceof ValidationError) {
      io.stderr(e.issues.map((i) => `${formatIssue(i)}\n`).join(''));
      return 1;
    }
    throw e;
  }
}

/**
 * Writes one file per object into `dir` (created when missing, its parent must exist); the reason it could not,
 * naming the path, or undefined.
 */
function writeAll(dir: string, objects: readonly KubeObject[]): string | undefined {
  const reason = (e: unknown) => {
    const err = e as NodeJS.ErrnoException;
    return err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? 'permission denied' : err.code === 'ENOENT' ? 'its parent directory does not exist' : err.message;
  };
  try {
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    if (stat && !stat.isDirectory()) return `${dir}: cannot write the manifests there: it is a file, not a directory; give -o a directory`;
    if (!stat) fs.mkdirSync(dir);
  } catch (e) {
    return `${dir}: cannot create the output directory: ${reason(e)}`;
  }
  for (const [i, o] of objects.entries()) {
    const file = path.join(dir, fileNameFor(o, i));
    try {
      fs.writeFileSync(file, toYaml([o]));
    } catch (e) {
      return `${file}: cannot write the manifest: ${reason(e)}`;
    }
  }
  return undefined;
}

/** `route`: the version each key is assigned to. */
function route(args: Args, spec: CanarySpec, io: CliIo): number {
  if (spec.routing.type === 'random') {
    io.stderr(`${args.file}: canary.route_type is "random": requests are not assigned by key; set route_type to "header" or "query"\n`);
    return 1;
  }
  const show = (key: string) => assignKey(spec, key) ?? '(random: empty key)';
  if (args.key !== undefined) {
    io.stdout(`${show(args.key)}\n`);
    return 0;
  }
  let text: string;
  try {
    text = fs.readFileSync(args.keysFile!, 'utf8');
  } catch (e) {
    io.stderr(`${args.keysFile}: cannot read the keys file: ${(e as Error).message}\n`);
    return 1;
  }
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  io.stdout(lines.map((k) => `${k} ${show(k)}\n`).join(''));
  return 0;
}

if (require.main === module) {
  void mainAsync(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then((code) => {
    process.exitCode = code;
  });
}
