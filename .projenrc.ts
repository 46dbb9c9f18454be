import { javascript, typescript } from 'projen';

/** The repository (package.json `repository`, `homepage`, `bugs`); the address is to be confirmed before a release. */
const REPOSITORY = 'https://github.com/canary-inference/canary-inference';

/** Where the Grafana SDK's subpath types are, for TypeScript's CommonJS resolution (relative to the tsconfig). */
function grafanaSdkPaths(toRoot: string): Record<string, string[]> {
  return { '@grafana/grafana-foundation-sdk/*': [`${toRoot}/node_modules/@grafana/grafana-foundation-sdk/dist/*`] };
}
const GRAFANA_SDK_PATHS = grafanaSdkPaths('.');

/** How the examples and the tests import the package from a checkout: its two entries, mapped to the sources. */
function entryPaths(toRoot: string): Record<string, string[]> {
  return {
    'canary-inference': [`${toRoot}/src/index.ts`],
    'canary-inference/pulumi': [`${toRoot}/src/pulumi/index.ts`],
  };
}

const project = new typescript.TypeScriptProject({
  name: 'canary-inference',
  description: 'One definition of a canary rollout for ML model servers, rendered to KServe, Seldon Core and Argo Rollouts manifests.',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  license: 'Apache-2.0',
  copyrightOwner: 'canary-inference authors',
  repository: `${REPOSITORY}.git`,
  homepage: `${REPOSITORY}#readme`,
  bugsUrl: `${REPOSITORY}/issues`,
  keywords: ['cdk8s', 'pulumi', 'kubernetes', 'kserve', 'seldon', 'argo-rollouts', 'canary', 'progressive-delivery', 'mlops', 'model-serving', 'inference', 'istio', 'gateway-api', 'bentoml'],
  minNodeVersion: '20.0.0',

  // no hosted CI files: CI runs .ci/run
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,

  // ts-jest and @pulumi/pulumi need TypeScript below 7
  typescriptVersion: '~5.9.3',

  // the official PromQL grammar parses guardrail queries at synth
  // Grafana's typed dashboard builders (pre-1.0: pinned to the patch range), loaded only when a dashboard is rendered
  deps: ['zod@^4.1.0', 'yaml@^2.8.0', '@prometheus-io/lezer-promql@^0.315.0', '@lezer/lr@^1.4.0', '@lezer/highlight@^1.2.0', '@grafana/grafana-foundation-sdk@~0.0.21'],
  // construct libraries take cdk8s and constructs from the app (one copy, the app's version); the Pulumi component
  // (subpath canary-inference/pulumi) needs @pulumi/*, which cdk8s and CLI users never load
  peerDeps: ['cdk8s@^2.69.0', 'constructs@^10.3.0', '@pulumi/pulumi@^3.142.0', '@pulumi/kubernetes@^4.18.0'],
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    // the suite's own copies of the peer dependencies
    'cdk8s@^2.70.0',
    'constructs@^10.4.2',
    '@types/node@^20',
    'ts-node@^10.9.2',
    // @pulumi/pulumi 3.249 and later need Node.js 22; the suite runs on Node.js 20
    '@pulumi/pulumi@~3.248.0',
    '@pulumi/kubernetes@~4.34.2',
    // `cdk8s synth` for examples/cdk8s
    'cdk8s-cli@^2.207.0',
    // property-based tests
    'fast-check@^4',
    // the examples import 'canary-inference' and 'canary-inference/pulumi'; from a checkout, ts-node maps them to src/
    'tsconfig-paths@^4.2.0',
    // the public API reports (etc/*.api.md), checked by the test command
    '@microsoft/api-extractor@^7.60.1',
    // tests: a service beside cdk8s-plus constructs in one chart
    'cdk8s-plus-28@^2.5.6',
  ],
  bin: { 'canary-inference': 'lib/cli/main.js' },

  jest: true,
  jestOptions: {
    jestVersion: '^30',
    // --ci: a changed snapshot fails instead of being rewritten
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 60_000,
      // the examples import the package by name, as a user does: here it is the sources
      moduleNameMapper: {
        '^canary-inference$': '<rootDir>/src/index.ts',
        '^canary-inference/pulumi$': '<rootDir>/src/pulumi/index.ts',
      },
      // both cores of a CI machine (jest's default leaves one idle)
      maxWorkers: 2,
    },
  },
  tsconfig: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      // fast-check's declarations resolve pure-rand through package "exports", which CommonJS resolution cannot follow
      skipLibCheck: true,
      // the Grafana SDK publishes its types only through package "exports" subpaths, which CommonJS (node10) resolution
      // cannot follow: its types are mapped here (at run time Node resolves the subpaths itself); no public
      // declaration mentions them
      paths: GRAFANA_SDK_PATHS,
      // source maps beside the JavaScript (lib/**/*.js.map), with the sources inside: the package ships no src/
      inlineSourceMap: false,
      sourceMap: true,
      inlineSources: true,
    },
  },
  tsconfigDev: { compilerOptions: { paths: { ...entryPaths('..'), ...grafanaSdkPaths('..') } } },
  gitignore: ['/out/', '/dist-example/', '/examples/**/dist/', '/bench/results/', '/temp/'],
  // the package is an allowlist (`files` below), so no .npmignore
  npmignoreEnabled: false,
});

// What the package holds: the compiled entries with their declarations and source maps, and the examples
// (npm adds package.json, README.md and LICENSE). Nothing else: no sources, tests, CI, scripts or benchmark.
// test/package checks the list.
project.package.addField('files', [
  'lib/**/*.js',
  'lib/**/*.js.map',
  'lib/**/*.d.ts',
  'examples/**/*.ts',
  'examples/**/*.yaml',
  '!examples/**/dist/',
  '!examples/**/Pulumi.*.yaml',
]);

// The examples import 'canary-inference' and 'canary-inference/pulumi' as an app does. From a checkout both
// resolve to the sources: for type-checking through `paths`, for ts-node (`cdk8s synth` in examples/cdk8s, a Pulumi
// program in examples/pulumi) through tsconfig-paths, and for jest through moduleNameMapper (above).
const examplesTsconfig = new javascript.TypescriptConfig(project, {
  fileName: 'examples/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromTypescriptConfigs([project.tsconfig!]),
  include: ['**/*.ts'],
  exclude: ['**/node_modules', '**/dist'],
  compilerOptions: { noEmit: true, rootDir: '..', types: ['node'], paths: { ...entryPaths('..'), ...grafanaSdkPaths('..') } },
});
examplesTsconfig.file.addOverride('ts-node', { require: ['tsconfig-paths/register'] });
// `pulumi up` in examples/pulumi reads that directory's tsconfig.json only (tsconfig-paths takes `paths` relative to
// the tsconfig.json it finds, not to the one that sets them: so here again)
new javascript.TypescriptConfig(project, {
  fileName: 'examples/pulumi/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromTypescriptConfigs([examplesTsconfig]),
  include: ['*.ts'],
  compilerOptions: { paths: { ...entryPaths('../..'), ...grafanaSdkPaths('../..') } },
});

// Two entries: the main one (spec, backends, cdk8s, CLI) and the Pulumi component, so cdk8s users never load @pulumi/*.
project.package.addField('peerDependenciesMeta', { '@pulumi/pulumi': { optional: true }, '@pulumi/kubernetes': { optional: true } });
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './pulumi': { types: './lib/pulumi/index.d.ts', default: './lib/pulumi/index.js' },
  './package.json': './package.json',
});
project.package.addField('typesVersions', { '*': { pulumi: ['lib/pulumi/index.d.ts'] } });

// Imports point one way: spec <- backends, routers <- config, cdk8s, pulumi, cli.
const frontEnds = ['./src/config', './src/cdk8s', './src/pulumi', './src/cli'];
project.eslint?.addRules({
  'import/no-restricted-paths': [
    'error',
    {
      zones: [
        { target: './src/spec', from: ['./src/backends', './src/routers', './src/render.ts', './src/props.ts', ...frontEnds] },
        { target: './src/backends', from: ['./src/render.ts', './src/props.ts', ...frontEnds] },
        { target: './src/routers', from: ['./src/render.ts', './src/props.ts', ...frontEnds] },
        { target: './src/cdk8s', from: ['./src/pulumi', './src/cli'] },
        { target: './src/pulumi', from: ['./src/cdk8s', './src/cli'] },
        { target: './src/cli', from: ['./src/cdk8s', './src/pulumi'] },
      ],
    },
  ],
});
// zod lives in the spec (and the file-level shape in config) only
project.eslint?.addOverride({
  files: ['src/backends/**', 'src/routers/**', 'src/cdk8s/**', 'src/pulumi/**', 'src/cli/**', 'src/*.ts'],
  rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'zod', message: 'zod belongs in src/spec (and src/config)' }] }] },
});

// Programs the suite runs that npm does not bring (LuaJIT) are installed by the test command itself when missing.
project.testTask.prependExec('bash scripts/test-tools.sh');

// The main example: synthesize the BentoCloud-style file with model artifacts on KServe Standard mode.
project.addTask('example', {
  description: 'Synthesize the main example (examples/bentocloud/summarization-models.yaml) on KServe Standard mode',
  exec: 'ts-node --prefer-ts-exts src/cli/main.ts synth -f examples/bentocloud/summarization-models.yaml',
});

// The public API reports (etc/*.api.md): `npx projen api-report` rewrites them; the test command
// (test/package) fails when the compiled declarations no longer match them.
project.addTask('api-report', {
  description: 'Compile, then update the public API reports etc/canary-inference.api.md and etc/canary-inference-pulumi.api.md',
  steps: [
    { spawn: 'compile' },
    { exec: 'api-extractor run --local --config api-extractor.json' },
    { exec: 'api-extractor run --local --config api-extractor.pulumi.json' },
  ],
});

// The synth benchmark (not part of the tests): npm run bench
project.addTask('bench', {
  description: 'Measure synth time and peak memory (bench/README.md); writes bench/results/',
  exec: 'ts-node --prefer-ts-exts bench/run.ts',
  receiveArgs: true,
});

// The CLI from a checkout: npm run cli -- validate -f FILE
project.addTask('cli', {
  description: 'Run the canary-inference CLI from the sources',
  exec: 'ts-node --prefer-ts-exts src/cli/main.ts',
  receiveArgs: true,
});

project.synth();
