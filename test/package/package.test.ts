/**
 * The package as a user gets it: the checkout compiled and packed (`npm pack`) in a temporary directory, then
 * installed from the tarball into stock apps outside the repository — a cdk8s app (`cdk8s init typescript-app`) on
 * the oldest and on the newest cdk8s and constructs the peer ranges allow, and a Pulumi TypeScript program — each
 * compiled by `tsc` under its own strict tsconfig (no esModuleInterop, no skipLibCheck) and run. Also: what the
 * tarball holds, and the public API against the reports in etc/ (`npx projen api-report` updates them).
 *
 * Installs the apps' dependencies with `npm install --prefer-offline`: from npm's cache where the checkout's
 * `npm ci` put them, from the registry otherwise (cdk8s 2.69.0, constructs 10.3.0, the newest cdk8s).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { declarationsImporting, installedVersion, lowest, mustRun, npmInstall, pack, PKG, readmeExamples, ROOT, run, runTool, scratchDir, stageCheckout, tsc, writeApp } from './scratch';

/** `cdk8s init typescript-app`'s files, from the checkout's cdk8s-cli. */
const CDK8S_TEMPLATE = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'templates/typescript-app');

/** `pulumi new typescript`'s tsconfig.json (github.com/pulumi/templates, typescript/tsconfig.json). */
const PULUMI_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: 'bin',
    target: 'es2020',
    module: 'commonjs',
    moduleResolution: 'node',
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ['index.ts'],
};

/** The service each app defines: KServe's default, main and one canary. */
const MAIN = "{ artifact: Artifact.model({ storageUri: 's3://models/summarization/v1', format: 'huggingface' }), instanceType: InstanceType.of('cpu.2') }";
const V2 = "{ weight: 20, artifact: Artifact.model({ storageUri: 's3://models/summarization/v2', format: 'huggingface' }) }";

/** Runs the compiled program under Pulumi's mocks (no Pulumi CLI, no engine) and prints its outputs and resources. */
const PULUMI_MOCKS_RUNNER = `const pulumi = require('@pulumi/pulumi');
const registered = [];
pulumi.runtime.setMocks({
  newResource: (args) => {
    registered.push({ type: args.type, name: args.name, kind: args.inputs.kind });
    return { id: args.name + '-id', state: args.inputs };
  },
  call: (args) => args.inputs,
}, 'scratch', 'dev', false);
const program = require('./bin/index.js');
const outputs = Object.entries(program).filter(([, value]) => pulumi.Output.isInstance(value));
Promise.all(outputs.map(([name, value]) => new Promise((resolve) => value.apply((v) => resolve([name, v])))))
  .then((resolved) => setTimeout(() => process.stdout.write(JSON.stringify({ outputs: Object.fromEntries(resolved), registered })), 100));
`;

function json(value: unknown): string {
  return JSON.stringify(value, undefined, 2) + '\n';
}

/** `text` with `search` replaced once; throws when the template no longer holds it. */
function replaceIn(text: string, search: string, replacement: string): string {
  if (!text.includes(search)) throw new Error(`the cdk8s-cli template ${CDK8S_TEMPLATE}/main.ts no longer holds ${JSON.stringify(search)}`);
  return text.replace(search, () => replacement);
}

/**
 * tsc in an app; when it reports errors, throws with a count per file and code, the packages whose declarations fail
 * and which of canary-inference's declarations bring them in, then the first errors.
 */
function compile(app: string, what: string): void {
  const r = tsc('tsconfig.json', app);
  if (r.status === 0) return;
  const errors = r.stdout.split('\n').filter((line) => /: error TS\d+:/.test(line));
  const counts = new Map<string, number>();
  for (const line of errors) {
    const [, file, code] = /^(.*?)\(\d+,\d+\): error (TS\d+):/.exec(line) ?? [undefined, line, ''];
    counts.set(`${code} in ${file}`, (counts.get(`${code} in ${file}`) ?? 0) + 1);
  }
  const packages = [...new Set(errors.map((line) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1]))].filter((p): p is string => !!p && p !== 'canary-inference');
  const lib = path.join(app, 'node_modules/canary-inference/lib');
  throw new Error(
    [
      `tsc reported ${errors.length} error(s) in ${what}, compiling against the packed canary-inference (${app}):`,
      ...[...counts].map(([where, n]) => `  ${n} x ${where}`),
      ...packages.map((p) => `  ${p}'s declarations are compiled because these of canary-inference import it: ${declarationsImporting(lib, p).join(', ') || '(none directly)'}`),
      '',
      ...errors.slice(0, 20),
      ...(errors.length > 20 ? [`... and ${errors.length - 20} more`] : []),
      ...(errors.length === 0 ? [r.stdout, r.stderr] : []),
    ].join('\n').trimEnd(),
  );
}

describe('the packed package', () => {
  let dir: string;
  let stage: string;
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    // given the checkout compiled and packed outside the repository
    dir = scratchDir();
    stage = path.join(dir, 'canary-inference');
    stageCheckout(stage);
    ({ tarball, files } = pack(stage, dir));
  }, 300_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('holds the compiled entries with their declarations and source maps, README, LICENSE and the examples; no sources, tests, CI, scripts or configs', () => {
    expect(files.filter((f) => !/^(package\.json|README\.md|LICENSE|lib\/.+\.(js|js\.map|d\.ts)|examples\/.+\.(ts|yaml))$/.test(f))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'lib/index.js',
        'lib/index.d.ts',
        'lib/index.js.map',
        'lib/pulumi/index.js',
        'lib/pulumi/index.d.ts',
        'lib/pulumi/index.js.map',
        'lib/cli/main.js',
        'examples/cdk8s/cdk8s.yaml',
        'examples/cdk8s/main.ts',
        'examples/pulumi/Pulumi.yaml',
        'examples/pulumi/index.ts',
        'examples/bentocloud/summarization-models.yaml',
      ]),
    );
    expect(files.filter((f) => /(^|\/)(dist|node_modules)\/|tsconfig|\.tsbuildinfo$/.test(f))).toEqual([]);
    // every module has its declarations and its map
    for (const js of files.filter((f) => f.endsWith('.js'))) expect(files).toEqual(expect.arrayContaining([`${js}.map`, js.replace(/\.js$/, '.d.ts')]));
    // maps beside the code, not inline, with the sources inside them (the package has no src/)
    const index = fs.readFileSync(path.join(stage, 'lib/index.js'), 'utf8');
    expect(index.trimEnd().split('\n').pop()).toBe('//# sourceMappingURL=index.js.map');
    const map = JSON.parse(fs.readFileSync(path.join(stage, 'lib/index.js.map'), 'utf8'));
    expect(map.sources).toEqual(['../src/index.ts']);
    expect(map.sourcesContent).toEqual([fs.readFileSync(path.join(stage, 'src/index.ts'), 'utf8')]);
  });

  test('declares what a registry and an installer read: engines, repository, keywords', () => {
    const packed = JSON.parse(fs.readFileSync(path.join(stage, 'package.json'), 'utf8'));
    expect(packed.engines).toEqual({ node: '>= 20.0.0' });
    expect(packed.repository.url).toMatch(/^https:\/\/github\.com\//);
    expect(packed.keywords).toEqual(expect.arrayContaining(['cdk8s', 'pulumi', 'kubernetes', 'kserve', 'seldon', 'argo-rollouts', 'canary', 'mlops']));
  });

  test('its public API is the one in etc/*.api.md (after an intended change: `npx projen api-report`, then review and commit the diff)', () => {
    const changed: string[] = [];
    for (const [config, report] of [
      ['api-extractor.json', 'canary-inference.api.md'],
      ['api-extractor.pulumi.json', 'canary-inference-pulumi.api.md'],
    ]) {
      // without --local, API Extractor fails when the report it writes to temp/ differs from the one in etc/
      const r = runTool('@microsoft/api-extractor', 'bin/api-extractor', ['run', '--config', config], stage);
      if (r.status === 0) continue;
      const fresh = path.join(stage, 'temp', report);
      const diff = fs.existsSync(fresh) ? run('diff', ['-u', `etc/${report}`, fresh], ROOT).stdout : '';
      changed.push(`etc/${report} (api-extractor run --config ${config}):\n${diff || r.stdout + r.stderr}`);
    }
    if (changed.length > 0) {
      throw new Error(
        `the public API no longer matches its report; if the change is intended, run \`npx projen api-report\` and commit etc/*.api.md\n\n${changed.join('\n')}`,
      );
    }
  }, 120_000);

  describe.each([
    ['oldest', lowest(PKG.peerDependencies.cdk8s), lowest(PKG.peerDependencies.constructs)],
    ['newest', PKG.peerDependencies.cdk8s, PKG.peerDependencies.constructs],
  ])('in a stock cdk8s app on the %s cdk8s and constructs the peer ranges allow', (which, cdk8s, constructs) => {
    test(`(cdk8s ${cdk8s}, constructs ${constructs}) compiles under the app's strict tsconfig, README's example included, and synthesizes an InferenceService`, () => {
      // given `cdk8s init typescript-app`'s tsconfig.json and main.ts, with a service in the chart
      const template = (name: string) => fs.readFileSync(path.join(CDK8S_TEMPLATE, name), 'utf8');
      const tsconfig = JSON.parse(template('tsconfig.json'));
      expect(tsconfig.compilerOptions).toMatchObject({ strict: true });
      expect(tsconfig.compilerOptions).not.toHaveProperty('esModuleInterop');
      expect(tsconfig.compilerOptions).not.toHaveProperty('skipLibCheck');
      let main = template('main.ts');
      main = replaceIn(main, "import { App, Chart, ChartProps } from 'cdk8s';", "import { App, Chart, ChartProps } from 'cdk8s';\nimport { Artifact, CanaryInferenceService, InstanceType } from 'canary-inference';");
      main = replaceIn(main, '// define resources here', `const service = new CanaryInferenceService(this, 'Summarization', { name: 'summarization', main: ${MAIN} });\n    service.addVersion('v2', ${V2});`);
      main = replaceIn(main, '{{ $base }}', 'hello');
      const readme = readmeExamples('canary-inference');
      expect(readme.length).toBeGreaterThan(0);
      const app = writeApp(path.join(dir, `cdk8s-${which}`), {
        'package.json': json({
          name: 'hello',
          version: '1.0.0',
          main: 'main.js',
          license: 'Apache-2.0',
          private: true,
          dependencies: { 'canary-inference': `file:${tarball}`, cdk8s, constructs },
          devDependencies: { '@types/node': PKG.devDependencies['@types/node'] },
        }),
        'tsconfig.json': template('tsconfig.json'),
        'main.ts': main,
        ...Object.fromEntries(readme.map((code, i) => [`readme-${i + 1}.ts`, code])),
      });

      // when it installs the tarball, compiles and runs
      npmInstall(app);
      compile(app, `a stock cdk8s app (cdk8s ${installedVersion(app, 'cdk8s')}, constructs ${installedVersion(app, 'constructs')})`);
      mustRun('node main.js (app.synth())', process.execPath, ['main.js'], app);

      // then one copy of cdk8s and constructs (the app's), no Pulumi package, and the manifests
      if (which === 'oldest') expect([installedVersion(app, 'cdk8s'), installedVersion(app, 'constructs')]).toEqual([cdk8s, constructs]);
      expect(fs.existsSync(path.join(app, 'node_modules/canary-inference/node_modules/cdk8s'))).toBe(false);
      expect(fs.existsSync(path.join(app, 'node_modules/canary-inference/node_modules/constructs'))).toBe(false);
      expect(fs.existsSync(path.join(app, 'node_modules/@pulumi'))).toBe(false);
      const objects = parseAllDocuments(fs.readFileSync(path.join(app, 'dist/hello.k8s.yaml'), 'utf8')).map((d) => d.toJS());
      const isvc = objects.find((o) => o.kind === 'InferenceService');
      expect(isvc?.metadata.name).toBe('summarization');

      // and the installed command runs on the packaged example
      const cli = mustRun('the canary-inference command', path.join(app, 'node_modules/.bin/canary-inference'), ['validate', '-f', 'node_modules/canary-inference/examples/bentocloud/summarization-models.yaml'], app);
      expect(cli.stdout.trim()).toBe('ok');
    }, 300_000);
  });

  test('in a stock Pulumi TypeScript program compiles under its strict tsconfig, README\'s example included, and runs under mocks', () => {
    // given `pulumi new typescript`'s tsconfig.json with the same @pulumi/* as the checkout's (npm's cache has them)
    const readme = readmeExamples('canary-inference/pulumi');
    expect(readme.length).toBeGreaterThan(0);
    const readmeFiles = readme.map((_, i) => `readme-${i + 1}.ts`);
    const app = writeApp(path.join(dir, 'pulumi'), {
      'package.json': json({
        name: 'scratch',
        main: 'bin/index.js',
        private: true,
        dependencies: {
          'canary-inference': `file:${tarball}`,
          '@pulumi/pulumi': PKG.devDependencies['@pulumi/pulumi'],
          '@pulumi/kubernetes': PKG.devDependencies['@pulumi/kubernetes'],
        },
        devDependencies: { '@types/node': PKG.devDependencies['@types/node'] },
      }),
      'Pulumi.yaml': 'name: scratch\nruntime: nodejs\n',
      'tsconfig.json': json({ ...PULUMI_TSCONFIG, files: [...PULUMI_TSCONFIG.files, ...readmeFiles] }),
      'index.ts': [
        "import { Artifact, CanaryInferenceService, InstanceType } from 'canary-inference/pulumi';",
        '',
        `const service = new CanaryInferenceService('summarization', { main: ${MAIN}, versions: { v2: ${V2} } });`,
        '',
        'export const versions = service.versions;',
        '',
      ].join('\n'),
      ...Object.fromEntries(readme.map((code, i) => [readmeFiles[i], code])),
      'mocks.js': PULUMI_MOCKS_RUNNER,
    });

    // when it installs the tarball, compiles and runs under pulumi.runtime.setMocks
    npmInstall(app);
    compile(app, `a stock Pulumi program (@pulumi/pulumi ${installedVersion(app, '@pulumi/pulumi')}, @pulumi/kubernetes ${installedVersion(app, '@pulumi/kubernetes')})`);
    const r = mustRun('the program under mocks (node mocks.js)', process.execPath, ['mocks.js'], app);

    // then the component and its objects are registered, with the app's one copy of @pulumi/pulumi
    expect(fs.existsSync(path.join(app, 'node_modules/canary-inference/node_modules/@pulumi'))).toBe(false);
    const { outputs, registered } = JSON.parse(r.stdout);
    expect(registered.map((res: { type: string }) => res.type)).toContain('canary-inference:index:CanaryInferenceService');
    expect(registered.map((res: { kind?: string }) => res.kind)).toContain('InferenceService');
    expect(outputs.versions).toMatchObject({ main: { weight: 80 }, v2: { weight: 20 } });
  }, 300_000);
});
