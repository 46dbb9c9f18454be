#!/usr/bin/env node
/**
 * canary-inference CLI: synth | validate. Exit codes: 0 success, 1 invalid input, 2 usage error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BACKEND_NAMES, KubeObject } from '../backends';
import { ConfigOverrides, loadConfigFile, synthesizeConfig } from '../config';
import { toYaml } from '../render';
import { ROUTER_NAMES } from '../routers';
import { formatIssue, ValidationError } from '../spec';

/** Where the CLI writes. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `usage: canary-inference <command> -f FILE [options]

commands:
  synth      print the manifests as multi-document YAML (or write one file per object with -o DIR)
  validate   print "ok", or one line per problem on stderr (FILE:LINE:COL path: message)

options:
  -f, --file FILE             the canary file (BentoCloud format, plus an optional kubernetes: block)
  --backend NAME              ${BACKEND_NAMES.join(' | ')} (default: the file's kubernetes.backend, else kserve)
  --kserve-mode MODE          standard | knative (default: standard)
  --router NAME               ${ROUTER_NAMES.join(' | ')} (default: native)
  --namespace NS              namespace of every object
  --image-repository REPO     registry/repository prefix of bento images
  -o, --output DIR            synth only: write one YAML file per object into DIR
  -h, --help                  show this help

exit codes: 0 success, 1 invalid input, 2 usage error
`;

class UsageError extends Error {}

interface Args {
  command: 'synth' | 'validate';
  file: string;
  output?: string;
  overrides: ConfigOverrides;
}

const VALUE_FLAGS: Record<string, keyof ConfigOverrides | 'file' | 'output'> = {
  '-f': 'file',
  '--file': 'file',
  '-o': 'output',
  '--output': 'output',
  '--backend': 'backend',
  '--kserve-mode': 'kserveMode',
  '--router': 'router',
  '--namespace': 'namespace',
  '--image-repository': 'imageRepository',
};

function parseArgs(argv: readonly string[]): Args | 'help' {
  if (argv.length === 0) throw new UsageError('missing command');
  if (argv.includes('-h') || argv.includes('--help')) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'synth' && command !== 'validate') throw new UsageError(`unknown command ${JSON.stringify(command)}; use synth or validate`);
  const values: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUE_FLAGS[flag];
    if (!key) throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    const value = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '') throw new UsageError(`option ${flag} needs a value`);
    if (key in values) throw new UsageError(`option ${flag} is given twice`);
    values[key] = value;
  }
  if (!values.file) throw new UsageError('missing -f FILE');
  if (values.output && command !== 'synth') throw new UsageError('-o is for synth only');
  if (values.backend && !BACKEND_NAMES.includes(values.backend)) {
    throw new UsageError(`unknown backend ${JSON.stringify(values.backend)}; use ${BACKEND_NAMES.join(', ')}`);
  }
  if (values.kserveMode && !['standard', 'knative'].includes(values.kserveMode)) {
    throw new UsageError(`unknown KServe mode ${JSON.stringify(values.kserveMode)}; use standard or knative`);
  }
  if (values.router && !ROUTER_NAMES.includes(values.router)) {
    throw new UsageError(`unknown router ${JSON.stringify(values.router)}; use ${ROUTER_NAMES.join(', ')}`);
  }
  const { file, output, ...overrides } = values;
  return { command, file, output, overrides };
}

/** One file name per object, in output order. */
function fileNameFor(obj: KubeObject, index: number): string {
  return `${String(index + 1).padStart(2, '0')}-${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`;
}

/** Runs the CLI; returns the exit code. */
export function main(argv: readonly string[], io: CliIo): number {
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
    const rendered = synthesizeConfig(loadConfigFile(args.file, args.overrides));
    for (const w of rendered.warnings) io.stderr(`warning: ${w}\n`);
    if (args.command === 'validate') {
      io.stdout('ok\n');
    } else if (args.output) {
      fs.mkdirSync(args.output, { recursive: true });
      rendered.objects.forEach((o, i) => fs.writeFileSync(path.join(args.output!, fileNameFor(o, i)), toYaml([o])));
    } else {
      io.stdout(toYaml(rendered.objects));
    }
    return 0;
  } catch (e) {
    if (e instanceof ValidationError) {
      io.stderr(e.issues.map((i) => `${formatIssue(i)}\n`).join(''));
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}
