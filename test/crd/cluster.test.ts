/**
 * Validation against the CRDs a user's cluster has: the CLI's --crds, the
 * cdk8s validation plugin and the Pulumi option, on a KServe older than 0.20
 * (no spec.canary) and on the current CRDs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ClusterCrdValidation, CrdValidationContext, synthesizeConfigFile, validateAgainstCrds } from '../../src';
import { EXAMPLES, runCli, writeTemp } from '../support/cli';
import { CRDS_DIR } from '../support/manifests';

const KSERVE_CRD = path.join(CRDS_DIR, 'kserve/serving.kserve.io_inferenceservices.yaml');
const MODELS = path.join(EXAMPLES, 'summarization-models.yaml');

/** The official InferenceService CRD without spec.canary, as a KServe before 0.20 has it. */
function oldKServeCrd(): string {
  const crd = parse(fs.readFileSync(KSERVE_CRD, 'utf8'));
  for (const v of crd.spec.versions) delete v.schema.openAPIV3Schema.properties.spec.properties.canary;
  return writeTemp('kserve-0.19-inferenceservices.yaml', stringify(crd));
}

/** CRDs as `kubectl get crd -o yaml` prints them: one List. */
function kubectlList(files: string[]): string {
  const items = files.map((f) => parse(fs.readFileSync(f, 'utf8')));
  return writeTemp('kubectl-get-crd.yaml', stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }));
}

describe('canary-inference validate --crds', () => {
  test('fails against a KServe CRD without spec.canary, naming canary and what to do', () => {
    const run = runCli('validate', '-f', MODELS, '--crds', oldKServeCrd());
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('refuse InferenceService/summarization-blel: spec.canary: unknown field "canary"');
    expect(run.stderr).toContain('spec.canary (several canaries in KServe Standard mode) needs KServe 0.20 or later');
  });

  test('passes against the current KServe CRD, as a file, a folder, or a kubectl List', () => {
    for (const crds of [KSERVE_CRD, path.dirname(KSERVE_CRD), kubectlList([KSERVE_CRD])]) {
      const run = runCli('validate', '-f', MODELS, '--crds', crds);
      // the only line on stderr is the warning about where KServe applies the spec.canary split
      expect(run.stderr).toBe('warning: KServe Standard mode applies the spec.canary split (a 20%, b 30%) only in the Gateway API route KServe writes itself (inferenceservice-config ingress.enableGatewayApi: true); callers of the Service summarization-blel-predictor inside the cluster reach main alone. To split in-mesh traffic, use the per-version strategy with router "istio" or "gateway-api"\n');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('ok\n');
    }
  });

  test('synth --crds prints nothing on stdout when the cluster refuses', () => {
    const run = runCli('synth', '-f', MODELS, '--crds', oldKServeCrd());
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
  });

  test('Knative mode (one canary, canaryTrafficPercent) needs no spec.canary and passes the old CRD', () => {
    const run = runCli('validate', '-f', path.join(EXAMPLES, 'summarization-knative.yaml'), '--crds', oldKServeCrd());
    expect(run.stderr.split('\n').filter((l) => l && !l.startsWith('warning: '))).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok\n');
  });

  test('a kind the cluster has no CRD for is named', () => {
    const run = runCli('validate', '-f', path.join(EXAMPLES, 'fraud-detector-rollout.yaml'), '--crds', KSERVE_CRD);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refuse Rollout/fraud-detector: (root): no CustomResourceDefinition defines Rollout in argoproj.io/v1alpha1: the cluster does not have this CRD');
  });

  test('every example passes against all the official CRDs', () => {
    for (const f of fs.readdirSync(EXAMPLES).filter((x) => x.endsWith('.yaml') && x !== 'summarization.yaml')) {
      expect(validateAgainstCrds(synthesizeConfigFile(path.join(EXAMPLES, f)).objects, CRDS_DIR)).toEqual([]);
    }
  });

  test('a path that is missing or holds no CRD is an error, not a pass', () => {
    const missing = runCli('validate', '-f', MODELS, '--crds', '/nonexistent/crds');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read the cluster\'s CRDs from /nonexistent/crds');
    const empty = runCli('validate', '-f', MODELS, '--crds', writeTemp('not-crds.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no CustomResourceDefinition in');
  });

  test('--crds is for synth and validate', () => {
    expect(runCli('plan', '-f', MODELS, '--crds', KSERVE_CRD)).toMatchObject({ code: 2, stderr: expect.stringContaining('--crds is for synth and validate') });
  });
});

describe('ClusterCrdValidation (cdk8s validation plugin)', () => {
  function context(manifest: string) {
    const violations: any[] = [];
    let status: string | undefined;
    const ctx: CrdValidationContext = {
      manifests: [manifest],
      report: {
        addViolation: (v) => violations.push(v),
        submit: (s) => {
          status = s;
        },
      },
      parseManifest: (p) => parseAllDocuments(fs.readFileSync(p, 'utf8')).map((d) => d.toJS()),
    };
    return { ctx, violations, status: () => status };
  }

  const manifest = () => writeTemp('app.k8s.yaml', synthesizeConfigFile(MODELS).objects.map((o) => stringify(o)).join('---\n'));

  test('fails with a violation naming canary against an old KServe', async () => {
    const { ctx, violations, status } = context(manifest());
    await new ClusterCrdValidation({ crds: oldKServeCrd() }).validate(ctx);
    expect(status()).toBe('failure');
    expect(violations).toHaveLength(1);
    expect(violations[0].recommendation).toContain('spec.canary: unknown field "canary"');
    expect(violations[0].violatingResources[0].resourceName).toBe('summarization-blel');
  });

  test('succeeds against the current CRDs', async () => {
    const { ctx, violations, status } = context(manifest());
    await new ClusterCrdValidation({ crds: [path.dirname(KSERVE_CRD)] }).validate(ctx);
    expect(violations).toEqual([]);
    expect(status()).toBe('success');
  });

  test('runs inside `cdk8s synth` from cdk8s.yaml, and fails the synth', () => {
    const root = path.resolve(__dirname, '../..');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-inference-plugin-'));
    fs.mkdirSync(path.join(dir, 'plugin'));
    fs.writeFileSync(
      path.join(dir, 'plugin/index.js'),
      `require(${JSON.stringify(path.join(root, 'node_modules/ts-node'))}).register({ transpileOnly: true });\n` +
        `module.exports = require(${JSON.stringify(path.join(root, 'src'))});\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'main.ts'),
      `const lib = require(${JSON.stringify(path.join(root, 'src'))});\n` +
        `const { App, Chart } = require(${JSON.stringify(path.join(root, 'node_modules/cdk8s'))});\n` +
        'const app = new App();\n' +
        `lib.CanaryInferenceService.fromConfigFile(new Chart(app, 'ml'), 'Summarization', ${JSON.stringify(MODELS)});\n` +
        'app.synth();\n',
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node', target: 'ES2022', esModuleInterop: true, strict: true } }),
    );
    fs.writeFileSync(
      path.join(dir, 'cdk8s.yaml'),
      stringify({
        language: 'typescript',
        app: `node -r ${path.join(root, 'node_modules/ts-node/register/transpile-only')} main.ts`,
        output: 'dist',
        validations: [{ package: './plugin', version: '0.0.0', class: 'ClusterCrdValidation', properties: { crds: oldKServeCrd() } }],
      }),
    );
    const synth = spawnSync(process.execPath, [path.join(root, 'node_modules/cdk8s-cli/bin/cdk8s'), 'synth', '--check-upgrade', 'false'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(synth.status).not.toBe(0);
    expect(synth.stdout + synth.stderr).toContain('spec.canary: unknown field "canary"');
  }, 120_000);
});
