/*
 * The package's entries: the main one never loads a Pulumi package, the
 * Pulumi component lives at the subpath canary-inference/pulumi, and the
 * Pulumi packages are optional peers.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../../package.json');

/** The modules under node_modules/@pulumi loaded by requiring `entry` in a fresh Node.js process. */
function pulumiModulesLoadedBy(entry: string): string[] {
  const script = `
    require('ts-node').register({ transpileOnly: true });
    require(${JSON.stringify(entry)});
    const loaded = Object.keys(require.cache).filter((k) => k.includes('node_modules/@pulumi/'));
    process.stdout.write(JSON.stringify(loaded));
  `;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

describe('package entries', () => {
  test('requiring the main entry loads no @pulumi/* module', () => {
    expect(pulumiModulesLoadedBy(path.join(ROOT, 'src/index.ts'))).toEqual([]);
  }, 60_000);

  test('the Pulumi entry does load them (the check above can see them)', () => {
    const loaded = pulumiModulesLoadedBy(path.join(ROOT, 'src/pulumi/index.ts'));
    expect(loaded.some((m) => m.includes('@pulumi/pulumi/'))).toBe(true);
    expect(loaded.some((m) => m.includes('@pulumi/kubernetes/'))).toBe(true);
  }, 60_000);

  test('package.json exports the main entry and canary-inference/pulumi; cdk8s and constructs are the app\'s (peers), the Pulumi packages optional peers', () => {
    expect(pkg.exports['.']).toEqual({ types: './lib/index.d.ts', default: './lib/index.js' });
    expect(pkg.exports['./pulumi']).toEqual({ types: './lib/pulumi/index.d.ts', default: './lib/pulumi/index.js' });
    expect(pkg.peerDependencies).toEqual({ '@pulumi/kubernetes': '^4.18.0', '@pulumi/pulumi': '^3.142.0', 'cdk8s': '^2.69.0', 'constructs': '^10.3.0' });
    expect(pkg.peerDependenciesMeta).toEqual({ '@pulumi/pulumi': { optional: true }, '@pulumi/kubernetes': { optional: true } });
    // a second copy of cdk8s or constructs beside the app's breaks `scope` checks: never a regular dependency
    for (const name of ['cdk8s', 'constructs', '@pulumi/pulumi', '@pulumi/kubernetes']) expect(pkg.dependencies[name]).toBeUndefined();
  });
});
