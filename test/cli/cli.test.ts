import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { bentoCloudExampleText, EXAMPLES, exampleVariant, runCli, withModels, writeTemp } from '../support/cli';
import { expectValidManifests } from '../support/manifests';

function docs(yaml: string): any[] {
  return parseAllDocuments(yaml).map((d) => d.toJS());
}

/** The acceptance variant: random routing, a/b max = min, models instead of bentos. */
function modelsVariant(): string {
  return exampleVariant('models.yaml', (d) => {
    d.canary.route_type = 'random';
    delete d.canary.route_by;
    d.canary.versions.a.services.Summarization.scaling.max_replicas = 1;
    d.canary.versions.b.services.Summarization.scaling.max_replicas = 1;
    withModels(d);
  });
}

describe('canary-inference synth', () => {
  test('renders the models variant on KServe Standard mode as one InferenceService with spec.canary', () => {
    // Given the BentoCloud example with random routing, fixed canary replicas and model artifacts
    const file = modelsVariant();
    // When it is synthesized for KServe Standard mode
    const run = runCli('synth', '-f', file, '--backend', 'kserve', '--kserve-mode', 'standard');
    // Then one valid InferenceService carries a at 20 and b at 30, and the one warning says where KServe applies that split
    expect(run.stderr).toBe('warning: KServe Standard mode applies the spec.canary split (a 20%, b 30%) only in the Gateway API route KServe writes itself (inferenceservice-config ingress.enableGatewayApi: true); callers of the Service summarization-blel-predictor inside the cluster reach main alone. To split in-mesh traffic, use the per-version strategy with router "istio" or "gateway-api"\n');
    expect(run.code).toBe(0);
    const objects = docs(run.stdout);
    expect(objects).toHaveLength(1);
    expectValidManifests(objects);
    const isvc = objects[0];
    expect(isvc.kind).toBe('InferenceService');
    expect(isvc.metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Standard');
    expect(isvc.spec.canary.map((c: any) => [c.predictor.name, c.trafficPercent])).toEqual([
      ['a', 20],
      ['b', 30],
    ]);
    expect(isvc.spec.predictor.model.storageUri).toBe('s3://models/summarization/main');
    expect(isvc.spec.canary[0].predictor.model.storageUri).toBe('s3://models/summarization/a');
    expect(isvc.spec.canary[1].predictor.model.storageUri).toBe('s3://models/summarization/b');
    expect(isvc.spec.canary[0].predictor.model.resources.requests).toEqual({ cpu: '1', memory: '2Gi' });
    expect(isvc.spec.canary[1].predictor.model.resources.requests).toEqual({ cpu: '4', memory: '8Gi' });
    for (const c of isvc.spec.canary) {
      // the Hugging Face runtime's caches on the scratch volume, then the version's own
      expect(c.predictor.model.env).toEqual([{ name: 'XDG_CACHE_HOME', value: '/tmp/cache' }, { name: 'VLLM_CONFIG_ROOT', value: '/tmp/vllm-config' }, { name: 'VAR_NAME', value: 'var_value' }]);
      expect(c.predictor.maxReplicas).toBeUndefined();
      expect(c.predictor.autoScaling).toBeUndefined();
    }
    expect(run.stdout).toMatchSnapshot();
  });

  test('renders the bento example with one canary on KServe Knative mode with canaryTrafficPercent', () => {
    const file = exampleVariant('knative.yaml', (d) => {
      d.canary.route_type = 'random';
      delete d.canary.route_by;
      delete d.canary.versions.b;
    });
    const run = runCli('synth', '-f', file, '--kserve-mode', 'knative');
    expect(run.code).toBe(0);
    const objects = docs(run.stdout);
    expectValidManifests(objects);
    const predictor = objects[0].spec.predictor;
    expect(objects[0].metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Knative');
    expect(predictor.canaryTrafficPercent).toBe(20);
    // the new revision is version a: its bento image, instance type and autoscaling bounds
    expect(predictor.containers[0].image).toBe('summarization:t226bcshm2bqicvj');
    expect(predictor.containers[0].resources.requests).toEqual({ cpu: '1', memory: '2Gi' });
    expect([predictor.minReplicas, predictor.maxReplicas]).toEqual([1, 2]);
    expect(predictor.annotations['autoscaling.knative.dev/scale-down-delay']).toBe('600s');
    expect(run.stderr).toContain('warning: KServe Knative mode: canaryTrafficPercent 20 sends 20% to the revision this manifest creates');
    expect(run.stdout).toMatchSnapshot();
  });

  test('is refused on KServe Standard mode for the bento example, naming the storage-URI rule and the alternatives', () => {
    const file = exampleVariant('standard-bento.yaml', (d) => {
      d.canary.route_type = 'random';
      delete d.canary.route_by;
    });
    const run = runCli('synth', '-f', file, '--kserve-mode', 'standard');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/standard-bento\.yaml:2:1 bento: KServe Standard mode runs canaries through spec\.canary, which needs the main \(stable\) predictor to load its model from a storage URI, and main is a bento \(summarization:xq4dggshm25lecvj\); .*model artifact .*KServe Knative mode/),
      expect.stringMatching(/:\d+:\d+ canary\.versions\.a\.services\.Summarization\.scaling\.max_replicas: KServe Standard canaries run a fixed number of replicas .*got min 1 and max 2; set max replicas equal to min replicas \(1\)/),
      expect.stringMatching(/:\d+:\d+ canary\.versions\.b\.services\.Summarization\.scaling\.max_replicas: .*got min 1 and max 3/),
    ]);
  });

  test('is deterministic: two runs give byte-identical YAML', () => {
    const file = modelsVariant();
    const first = runCli('synth', '-f', file);
    const second = runCli('synth', '-f', file);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  test('-o DIR writes one file per object', () => {
    const out = path.join(path.dirname(modelsVariant()), 'out');
    const run = runCli('synth', '-f', modelsVariant(), '-o', out);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(fs.readdirSync(out)).toEqual(['01-inferenceservice-summarization-blel.yaml']);
    expectValidManifests(docs(fs.readFileSync(path.join(out, '01-inferenceservice-summarization-blel.yaml'), 'utf8')));
  });

  test('flags override the file\'s kubernetes block', () => {
    const run = runCli('synth', '-f', path.join(EXAMPLES, 'summarization-models.yaml'), '--namespace', 'prod', '--image-repository', 'ghcr.io/acme');
    expect(run.code).toBe(0);
    expect(docs(run.stdout)[0].metadata.namespace).toBe('prod');
  });

  test('bento images take the image repository prefix', () => {
    const run = runCli('synth', '-f', path.join(EXAMPLES, 'summarization-knative.yaml'), '--image-repository', 'registry.example.com/ml');
    expect(run.code).toBe(0);
    expect(docs(run.stdout)[0].spec.predictor.containers[0].image).toBe('registry.example.com/ml/summarization:t226bcshm2bqicvj');
  });
});

describe('canary-inference validate', () => {
  test('prints ok for a valid file', () => {
    const run = runCli('validate', '-f', path.join(EXAMPLES, 'summarization-models.yaml'));
    expect(run).toEqual({ code: 0, stdout: 'ok\n', stderr: 'warning: KServe Standard mode applies the spec.canary split (a 20%, b 30%) only in the Gateway API route KServe writes itself (inferenceservice-config ingress.enableGatewayApi: true); callers of the Service summarization-blel-predictor inside the cluster reach main alone. To split in-mesh traffic, use the per-version strategy with router "istio" or "gateway-api"\n' });
  });

  test('fails on the unchanged example with a message about routing and hashing', () => {
    // Given BentoCloud's example unchanged (query hashing on "feature")
    const file = writeTemp('summarization.yaml', bentoCloudExampleText());
    // When it is validated
    const run = runCli('validate', '-f', file);
    // Then it exits 1 and says hashing needs a router, naming the alternative
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      `${file}:19:3 canary.route_type: routing by "query" (hashing query "feature") needs a router that hashes keys, and router "native" does not; use router "istio", or routing "random"`,
    );
  });

  // Each bad input beside what stderr must say: FILE:LINE:COL, the path, the value and the fix.
  const badInputs: Array<[string, string, RegExp[]]> = [
    ['weights over 100', 'weight: 30', [/:\d+:\d+ canary\.versions: canary weights sum to 110 \(a: 20, b: 90\); the sum must be at most 100.*lower the weights by 10/]],
    ['min above max', 'min_replicas: 1\n      max_replicas: 1', [/:8:7 services\.Summarization\.scaling\.min_replicas: min replicas 3 is more than max replicas 1; .*raise max or lower min/]],
    ['an unknown instance type', 'instance_type: cpu.2', [/:6:5 services\.Summarization\.instance_type: unknown instance type "cpu\.3"; did you mean ".*"\? known types: cpu\.1/]],
    ['an invalid name', 'name: summarization-blel', [/:1:1 name: must be a service name: lower-case letters, digits and '-'.*got "Summarization_Blel"/]],
    ['a misspelled key', 'instance_type: cpu.2', [/:6:5 services\.Summarization\.instance_typ: unknown key; did you mean "instance_type"\?/]],
    ['a negative weight', 'weight: 20', [/:\d+:\d+ canary\.versions\.a\.weight: must be a whole percent from 0 to 100, got -20; 0 is a dark launch/]],
    ['a fractional weight', 'weight: 20', [/:\d+:\d+ canary\.versions\.a\.weight: must be a whole percent from 0 to 100, got 20\.5/]],
    ['header routing without a key', 'route_by: feature', [/:18:1 canary\.route_by: is required: the name of the header to hash, e\.g\. "X-User-ID"/]],
    ['an unknown route type', 'route_type: query', [/:19:3 canary\.route_type: must be one of "random", "header", "query", got "sticky"$/]],
    ['a duplicate version key', 'dup', [/:34:5 canary\.versions\.a: duplicate key "a"; each key may appear once in a map: remove or rename one/]],
    ['malformed YAML', 'malformed', [/:\d+:\d+ .*malformed YAML: .*; fix the syntax at this position/]],
  ];
  const edits: Record<string, (t: string) => string> = {
    'weights over 100': (t) => t.replace('weight: 30', 'weight: 90'),
    'min above max': (t) => t.replace('min_replicas: 1\n      max_replicas: 1', 'min_replicas: 3\n      max_replicas: 1'),
    'an unknown instance type': (t) => t.replace('instance_type: cpu.2', 'instance_type: cpu.3'),
    'an invalid name': (t) => t.replace('name: summarization-blel', 'name: Summarization_Blel'),
    'a misspelled key': (t) => t.replace('instance_type: cpu.2', 'instance_typ: cpu.2'),
    'a negative weight': (t) => t.replace('weight: 20', 'weight: -20'),
    'a fractional weight': (t) => t.replace('weight: 20', 'weight: 20.5'),
    'header routing without a key': (t) => t.replace('route_type: query', 'route_type: header').replace('  route_by: feature\n', ''),
    'an unknown route type': (t) => t.replace('route_type: query', 'route_type: sticky'),
    'a duplicate version key': (t) => t.replace('    b:\n', '    a:\n'),
    'malformed YAML': (t) => t.replace('  route_by: feature', '  route_by: [feature'),
  };

  test.each(badInputs)('fails when given %s, on stderr only, with exit 1', (name, _anchor, expected) => {
    // Given the example with one mistake
    const text = edits[name](bentoCloudExampleText());
    expect(text).not.toBe(bentoCloudExampleText());
    const file = writeTemp(`${name.replace(/\W+/g, '-')}.yaml`, text);
    for (const command of ['validate', 'synth']) {
      // When it is validated or synthesized
      const run = runCli(command, '-f', file);
      // Then it exits 1, prints nothing on stdout, and names the position, path, value and fix
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      for (const re of expected) expect(run.stderr).toMatch(new RegExp(`^${escape(file)}${re.source}`, 'm'));
    }
  });

  test('fails when the file is empty', () => {
    const file = writeTemp('empty.yaml', '');
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${file}:1:1 (root): the file is empty; a canary file needs at least "name" and one of "bento", "image" or "model"\n`);
  });

  test('fails when the file holds a list instead of a map', () => {
    const file = writeTemp('list.yaml', '- name: x\n');
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`${file}:1:1 (root): must be a map, got a list [{"name":"x"}]\n`);
  });

  test.each([
    ['does not exist', '/nonexistent/canary.yaml', 'no such file'],
    ['is a directory', os.tmpdir(), 'it is a directory; give the path of a YAML file'],
  ])('fails with exit 2 and one line naming the path when -f %s', (_what, file, reason) => {
    const run = runCli('validate', '-f', file);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${file}: cannot read the file: ${reason}\n` });
  });

  test('fails with exit 2 and one line when -o is a file, or its parent does not exist', () => {
    const models = path.join(EXAMPLES, 'summarization-models.yaml');
    const file = writeTemp('not-a-dir', '');
    const onFile = runCli('synth', '-f', models, '-o', file);
    expect(onFile.code).toBe(2);
    expect(onFile.stdout).toBe('');
    // beside the file's own warning, one line naming the path
    expect(onFile.stderr.split('\n').filter((l) => l && !l.startsWith('warning:'))).toEqual([
      `${file}: cannot write the manifests there: it is a file, not a directory; give -o a directory`,
    ]);
    const deep = path.join(os.tmpdir(), 'canary-missing-parent', 'out');
    const run = runCli('synth', '-f', models, '-o', deep);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n').filter((l) => l && !l.startsWith('warning:'))).toEqual([`${deep}: cannot create the output directory: its parent directory does not exist`]);
  });

  test('a YAML syntax error is reported once, at its line and column, with no invented path', () => {
    const file = writeTemp('syntax.yaml', 'name: a\nbento: a:b\ncanary:\n  versions:\n    v2: {bento: a:c, weight: 10\n');
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ \\(root\\): malformed YAML: [^\\n]*; fix the syntax at this position\\n$`));
  });

  test('a file with several YAML documents gets a message for a person', () => {
    const run = runCli('validate', '-f', writeTemp('multi.yaml', 'name: a\nbento: a:b\n---\nname: b\n'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/:3:1 \(root\): the file holds more than one YAML document \(a "---" line starts another\); a canary file describes one service/);
  });

  test('a version named __proto__ is refused, not silently dropped', () => {
    const run = runCli('validate', '-f', writeTemp('proto.yaml', 'name: a\nbento: a:b\ncanary:\n  versions:\n    __proto__:\n      bento: a:c\n      weight: 10\n'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/:5:5 canary\.versions\.__proto__: version name "__proto__" is not a DNS-1123 label/);
  });

  test.each([
    ['a version without weight', 'name: a\nbento: a:b\ncanary:\n  versions:\n    b: {bento: a:c}\n', /:5:5 canary\.versions\.b\.weight: is required: the version's percent of traffic, e\.g\. "weight: 10"/],
    ['a file without name', 'bento: a:b\n', /:1:1 name: is required: the deployment's name, e\.g\. "name: summarization"/],
    ['an env entry without name', 'name: a\nbento: a:b\nenvs:\n  - value: x\n', /:4:5 envs\[0\]\.name: is required: the variable's name/],
    ['a Secret reference without key', 'name: a\nbento: a:b\nenvs:\n  - name: X\n    value_from: {secret_key_ref: {name: s}}\n', /secret_key_ref\.key: is required: the key in the Secret/],
    ['a model without storage_uri', 'name: a\nmodel: {format: sklearn}\n', /:2:1 model\.storage_uri: is required: where the model is stored/],
    ['a file without any artifact', 'name: a\n', /:1:1 \(root\): is required: set a bento/],
  ])('fails on %s saying what to write, never in the parser\'s words', (_what, text, expected) => {
    const run = runCli('validate', '-f', writeTemp('required.yaml', text));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).not.toMatch(/nonoptional|Invalid input/);
    // a model refused for its own problem is not also reported missing
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  test('reports every problem of a file at once', () => {
    const text = bentoCloudExampleText()
      .replace('weight: 30', 'weight: 90')
      .replace('instance_type: cpu.4', 'instance_type: cpu.5')
      .replace('route_type: query', 'route_type: random');
    const run = runCli('validate', '-f', writeTemp('many.yaml', text));
    expect(run.code).toBe(1);
    // the spec's problems and the backend's (KServe Standard's spec.canary) in one run, in the file's order
    expect(run.stderr.trim().split('\n').map((l) => l.replace(/^\S+:(\d+):\d+ /, '$1 '))).toEqual([
      expect.stringMatching(/^2 bento: KServe Standard mode runs canaries through spec.canary, which needs the main \(stable\) predictor/),
      expect.stringMatching(/^\d+ canary.versions: canary weights sum to 110/),
      expect.stringMatching(/^\d+ canary.versions.a.services.Summarization.scaling.max_replicas: KServe Standard canaries run a fixed/),
      expect.stringMatching(/^\d+ canary.versions.b.services.Summarization.instance_type: unknown instance type "cpu.5"/),
      expect.stringMatching(/^\d+ canary.versions.b.services.Summarization.scaling.max_replicas: KServe Standard canaries run a fixed/),
    ]);
  });
});

describe('usage errors', () => {
  test.each([
    [[], 'missing command'],
    [['deploy', '-f', 'x.yaml'], 'unknown command "deploy"; use synth, validate, plan, dashboard, route, gate'],
    [['synth', '-f', 'x.yaml', '--kserve-strategy', 'blue-green'], 'unknown value "blue-green" for --kserve-strategy; use canary, per-version'],
    [['synth', '-f', 'x.yaml', '--key', 'k'], '--key and --keys-file are for route only'],
    [['route', '-f', 'x.yaml', '--key', 'k', '--keys-file', 'keys.txt'], 'route needs one of --key VALUE or --keys-file FILE'],
    [['synth'], 'missing -f FILE'],
    [['synth', '-f'], 'option -f needs a value'],
    [['synth', '-f', 'x.yaml', '--backend', 'kfserving'], 'unknown value "kfserving" for --backend; use kserve'],
    [['synth', '-f', 'x.yaml', '--kserve-mode', 'raw'], 'unknown value "raw" for --kserve-mode; use standard, knative'],
    [['synth', '-f', 'x.yaml', '--router', 'linkerd'], 'unknown value "linkerd" for --router; use native, istio, gateway-api'],
    [['synth', '-f', 'x.yaml', '--colour'], 'unknown option "--colour"'],
    [['validate', '-f', 'x.yaml', '-o', 'out'], '-o is for synth only'],
  ])('exit 2 for %j', (argv, message) => {
    const run = runCli(...(argv as string[]));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`canary-inference: ${message}`);
    expect(run.stderr).toContain('usage: canary-inference');
  });

  test('--help prints the usage and exits 0', () => {
    const run = runCli('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: canary-inference <command> -f FILE');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('the kubernetes block for routers', () => {
  test('a file selects the router, the strategy and the pin header without flags', () => {
    const file = exampleVariant('routed.yaml', (d) => {
      d.kubernetes = { namespace: 'ml', router: 'istio', kserve_strategy: 'per-version', pin_header: 'X-Pin', gateway: 'istio-system/public', hosts: ['summarization.example.com'] };
    });
    const run = runCli('synth', '-f', file);
    expect(run.code).toBe(0);
    const objects = docs(run.stdout);
    expectValidManifests(objects);
    const vs = objects.find((o) => o.kind === 'VirtualService');
    expect(vs.spec.http[0].match[0].headers).toEqual({ 'x-pin': { exact: 'main' } });
    expect(vs.spec.gateways).toEqual(['mesh', 'istio-system/public']);
  });

  test('fails with the file position when the kubernetes block asks for what the router cannot do', () => {
    const file = exampleVariant('bad-router.yaml', (d) => {
      d.kubernetes = { router: 'istio', kserve_strategy: 'canary' };
    });
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/:\d+:3 kubernetes\.kserve_strategy: router "istio" splits traffic between per-version InferenceServices/);
  });

  test('fails when the file names an unknown router', () => {
    const file = exampleVariant('unknown-router.yaml', (d) => {
      d.kubernetes = { router: 'istoi' };
    });
    const run = runCli('validate', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/:\d+:3 kubernetes\.router: unknown router "istoi"; did you mean "istio"\? available routers: native, istio, gateway-api/);
  });
});
