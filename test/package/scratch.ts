/**
 * Helpers for test/package: the package built and packed as `npm publish` would, and stock apps outside the
 * repository that install it. Every step runs in a temporary directory; the checkout is only read.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const PKG = require('../../package.json');

/** What the copy of the checkout leaves out: installed and generated directories. */
const NOT_COPIED = new Set(['node_modules', '.git', 'lib', 'dist', 'coverage', 'test-reports', 'temp']);

/**
 * The environment of the programs started here: npm's script variables (`npm test` sets `npm_config_local_prefix`
 * to the checkout, among others) removed, so that an `npm install` in a scratch app installs there.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_UPDATE_NOTIFIER: '1' };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|execpath$|config_(local_prefix|call)$)/i.test(key) || key === 'INIT_CWD') delete env[key];
  }
  delete env.CDK8S_OUTDIR;
  return env;
}

/** One finished process: what a failure message shows. */
export interface Run {
  readonly command: string;
  readonly cwd: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs `command args` in `cwd` to the end (10 minutes at most). */
export function run(command: string, args: readonly string[], cwd: string): Run {
  const start = Date.now();
  const r: SpawnSyncReturns<string> = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  return {
    command: [path.basename(command), ...args].join(' '),
    cwd,
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error ? `\n${r.error.message}` : ''),
    seconds: (Date.now() - start) / 1000,
  };
}

/** Runs like {@link run} and throws, with the output, unless it exits 0. */
export function mustRun(what: string, command: string, args: readonly string[], cwd: string): Run {
  const r = run(command, args, cwd);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): \`${r.command}\` in ${r.cwd}\n${r.stdout}\n${r.stderr}`.trimEnd());
  return r;
}

/** Runs a JavaScript file of a package of the checkout's node_modules with this Node.js. */
export function runTool(pkg: string, bin: string, args: readonly string[], cwd: string): Run {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }));
  return run(process.execPath, [path.join(dir, bin), ...args], cwd);
}

/** The checkout's TypeScript compiler on `project`, one diagnostic a line. */
export function tsc(project: string, cwd: string): Run {
  return runTool('typescript', 'bin/tsc', ['-p', project, '--pretty', 'false'], cwd);
}

/** A fresh temporary directory outside the checkout. */
export function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'canary-inference-package-'));
}

/**
 * The checkout copied to `dir` (without node_modules, lib, ...; node_modules linked), compiled as `npx projen compile`
 * does, so packing and API reports never touch the checkout's own lib/.
 */
export function stageCheckout(dir: string): void {
  fs.cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(ROOT, src);
      return rel === '' || !rel.split(path.sep).some((part, i) => NOT_COPIED.has(part) && (i === 0 || part === 'node_modules'));
    },
  });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const r = runTool('typescript', 'bin/tsc', ['--build'], dir);
  if (r.status !== 0) throw new Error(`compiling the library (tsc --build, as \`npx projen compile\`) failed:\n${r.stdout}\n${r.stderr}`.trimEnd());
}

/** `npm pack` of `dir` into `dest`: the tarball's path and the files it holds. */
export function pack(dir: string, dest: string): { tarball: string; files: string[] } {
  const r = mustRun('npm pack', 'npm', ['pack', '--json', '--pack-destination', dest], dir);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  return { tarball: path.join(dest, info.filename), files: info.files.map((f: { path: string }) => f.path).sort() };
}

/** A directory with these files (paths relative to it). */
export function writeApp(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** `npm install` in an app, from npm's cache where it can (the checkout's `npm ci` filled it). */
export function npmInstall(dir: string): Run {
  return mustRun('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], dir);
}

/** The version of `name` installed in an app. */
export function installedVersion(dir: string, name: string): string {
  return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** The declaration files under `lib` (paths relative to it) that import `pkg` or one of its subpaths. */
export function declarationsImporting(lib: string, pkg: string): string[] {
  const quoted = `['"]${pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/[^'"]*)?['"]`;
  const importing = new RegExp(`(from |import\\(|require\\()${quoted}`);
  return (fs.readdirSync(lib, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.d.ts') && importing.test(fs.readFileSync(path.join(lib, f), 'utf8')))
    .sort();
}

/** The lowest version a caret range allows: `^2.69.0` -> `2.69.0`. */
export function lowest(range: string): string {
  const m = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!m) throw new Error(`expected a caret range like ^2.69.0, got ${range}`);
  return m[1];
}

/** The README's complete TypeScript examples that import `from '<module>'` (fragments without imports are left out). */
export function readmeExamples(module: string): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes(`from '${module}';`));
}
