import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { EXAMPLES, runCli } from '../support/cli';
import { expectValidManifests } from '../support/manifests';

const ROOT = path.resolve(__dirname, '../..');

/** Examples that must synthesize, and the one that must be refused (BentoCloud's file, unchanged). */
const REFUSED = new Set(['summarization.yaml']);
const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();

describe('examples/bentocloud', () => {
  test('holds the examples this suite knows about', () => {
    expect(files).toEqual(['fraud-detector-rollout.yaml', 'summarization-header.yaml', 'summarization-knative.yaml', 'summarization-models.yaml', 'summarization-query.yaml', 'summarization.yaml']);
  });

  test.each(files.filter((f) => !REFUSED.has(f)))('%s synthesizes to manifests a cluster accepts', (file) => {
    const run = runCli('synth', '-f', path.join(EXAMPLES, file));
    expect(run.code).toBe(0);
    const objects = parseAllDocuments(run.stdout).map((d) => d.toJS());
    expectValidManifests(objects);
    expect(run.stdout).toMatchSnapshot();
  });

  test('summarization.yaml (BentoCloud\'s file, unchanged) is refused for its query hashing', () => {
    const run = runCli('validate', '-f', path.join(EXAMPLES, 'summarization.yaml'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('canary.route_type: routing by "query"');
  });
});

describe('the installed command', () => {
  // One real process, as a user runs it: exit codes and the split of stdout and stderr.
  const bin = (...args: string[]) =>
    spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  test('synth exits 0 with YAML on stdout; invalid input exits 1 with messages on stderr only; usage errors exit 2', () => {
    const ok = bin('synth', '-f', 'examples/bentocloud/summarization-models.yaml');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^apiVersion: serving\.kserve\.io\/v1beta1\nkind: InferenceService\n/);

    const bad = bin('synth', '-f', 'examples/bentocloud/summarization.yaml');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('examples/bentocloud/summarization.yaml:19:3 canary.route_type:');

    const usage = bin('synth');
    expect(usage.status).toBe(2);
    expect(usage.stdout).toBe('');
  });
});
