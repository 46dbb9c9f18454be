/**
 * What requiring an entry costs: time spent in require() and the process's
 * peak RSS after it. One target per process (run compiled, `node --expose-gc`):
 *
 *   require-cost.js none | cdk8s | main | cli | ts-node-main
 *
 * `main` is the compiled main entry (src/index.ts: cdk8s included), `cli` the
 * CLI's modules (src/cli/main.ts, which loads no cdk8s), `ts-node-main` the
 * main entry from the TypeScript sources through ts-node's transpile-only
 * register (what running from a checkout costs; never what users pay).
 */
import * as path from 'path';
import { RequireResult } from './meta';

/** This file is bench/results/build/bench/require-cost.js; the repository is four levels up. */
const BUILD = path.resolve(__dirname, '..');
const ROOT = path.resolve(__dirname, '../../../..');

async function load(target: string): Promise<void> {
  switch (target) {
    case 'none':
      return;
    case 'cdk8s':
      await import('cdk8s');
      return;
    case 'main':
      await import(path.join(BUILD, 'src/index.js'));
      return;
    case 'cli':
      await import(path.join(BUILD, 'src/cli/main.js'));
      return;
    case 'ts-node-main': {
      // eslint-disable-next-line import/no-extraneous-dependencies
      const tsNode = await import('ts-node');
      tsNode.register({ transpileOnly: true, project: path.join(ROOT, 'tsconfig.json') });
      await import(path.join(ROOT, 'src/index.ts'));
      return;
    }
    default:
      throw new Error(`target: none | cdk8s | main | cli | ts-node-main, got ${target}`);
  }
}

async function main(target: string): Promise<RequireResult> {
  const start = performance.now();
  await load(target);
  const requireMs = performance.now() - start;
  (globalThis as { gc?: () => void }).gc?.();
  return { target, requireMs, maxRssKiB: process.resourceUsage().maxRSS, heapUsedBytes: process.memoryUsage().heapUsed };
}

main(process.argv[2] ?? 'none').then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
