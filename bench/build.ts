/**
 * Compiles the library (src/, from the working tree or a git ref) and the
 * benchmark's child scripts to JavaScript under bench/results/build, so the
 * timed runs load plain JS as users do, never ts-node.
 *
 * Each file is transpiled on its own (ts.transpileModule, the compiler options
 * of the root tsconfig.json): the JS `tsc` emits for this code base, without
 * the ~20 s type check, and without failing when src/ is mid-edit.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line import/no-extraneous-dependencies
import * as ts from 'typescript';

/** The bench scripts that run in child processes (bench/*.ts, compiled beside the library). */
const CHILD_SCRIPTS = ['meta.ts', 'shapes.ts', 'workloads.ts', 'case.ts', 'require-cost.ts'];

/** What was compiled. */
export interface BuildInfo {
  /** `working tree` or the git ref asked for. */
  readonly source: string;
  /** The commit of HEAD (working tree) or of the ref. */
  readonly commit: string;
  /** Files of src/ changed from HEAD (working tree only). */
  readonly dirtyFiles: string[];
  /** Number of files compiled. */
  readonly files: number;
  readonly ms: number;
}

function git(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * Transpiles src/ (of `ref`, or the working tree) and the child scripts into `outDir`,
 * keeping the layout (outDir/src, outDir/bench) so `../src` resolves from the scripts.
 */
export function build(root: string, outDir: string, ref?: string): BuildInfo {
  const start = performance.now();
  const configPath = path.join(root, 'tsconfig.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
  const compilerOptions: ts.CompilerOptions = { ...parsed.options, declaration: false, noEmit: false };

  const sources: Array<{ rel: string; text: string }> = [];
  let commit: string;
  let dirtyFiles: string[] = [];
  if (ref === undefined) {
    for (const file of walk(path.join(root, 'src'))) sources.push({ rel: path.relative(root, file), text: fs.readFileSync(file, 'utf8') });
    commit = git(root, 'rev-parse', 'HEAD').trim();
    dirtyFiles = git(root, 'status', '--porcelain', '--', 'src')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.slice(3));
  } else {
    commit = git(root, 'rev-parse', '--verify', `${ref}^{commit}`).trim();
    const files = git(root, 'ls-tree', '-r', '--name-only', commit, '--', 'src')
      .split('\n')
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    for (const rel of files) sources.push({ rel, text: git(root, 'show', `${commit}:${rel}`) });
  }
  for (const name of CHILD_SCRIPTS) {
    const rel = path.join('bench', name);
    sources.push({ rel, text: fs.readFileSync(path.join(root, rel), 'utf8') });
  }

  fs.rmSync(outDir, { recursive: true, force: true });
  for (const { rel, text } of sources) {
    const out = ts.transpileModule(text, { compilerOptions, fileName: path.join(root, rel), reportDiagnostics: false });
    const target = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, out.outputText);
  }
  return { source: ref ?? 'working tree', commit, dirtyFiles, files: sources.length, ms: performance.now() - start };
}
