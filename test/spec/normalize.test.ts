import { InstanceTypeCatalog, normalizeService } from '../../src/spec';
import { issuesOf } from '../support/issues';

/** A valid input every case below starts from. */
function base(): any {
  return {
    name: 'summarization',
    main: {
      artifact: { type: 'model', storageUri: 's3://models/main', format: 'sklearn' },
      instanceType: 'cpu.2',
      scaling: { minReplicas: 2, maxReplicas: 4, scaleDownStabilizationWindowSeconds: 600 },
      env: [{ name: 'LOG_LEVEL', value: 'info' }],
      timeoutSeconds: 30,
    },
    versions: {
      a: { weight: 20, instanceType: 'cpu.1', env: [{ name: 'VAR_NAME', value: 'var_value' }] },
      b: { weight: 30, artifact: { type: 'bento', tag: 'summarization:zgk7uja3goq62usu' } },
    },
  };
}

function issuesOfInput(input: unknown): string[] {
  return issuesOf(() => normalizeService(input));
}

describe('normalizeService', () => {
  test.each(['version', 'app.kubernetes.io/name', 'service.istio.io/canonical-revision'])('fails on a label %s, which the library sets on every pod', (key) => {
    const input = base();
    input.main.labels = { [key]: 'x', team: 'ml' };
    expect(issuesOf(() => normalizeService(input))).toEqual([
      `main.labels${/^[\w-]+$/.test(key) ? `.${key}` : `["${key}"]`}: "${key}" is a label canary-inference sets on every pod (service, version, Istio's canonical names), so yours would be overwritten; use another key, e.g. "team" or "model-family"`,
    ]);
  });

  test('an unknown instance type inherited from main is reported once, at main', () => {
    const input = base();
    input.main.instanceType = 'cpu.3';
    input.versions = { a: { weight: 10 }, b: { weight: 5, instanceType: 'gpu.l5.1' } };
    expect(issuesOf(() => normalizeService(input))).toEqual([
      expect.stringMatching(/^main\.instanceType: unknown instance type "cpu\.3"; did you mean "cpu\.1"\?/),
      expect.stringMatching(/^versions\.b\.instanceType: unknown instance type "gpu\.l5\.1"; did you mean "gpu\.l4\.1"\?/),
    ]);
  });

  test('fails on a version named __proto__ instead of dropping it (records keyed by user input)', () => {
    const input = base();
    input.versions = Object.fromEntries([['__proto__', { weight: 10 }], ['b', { weight: 5 }]]);
    expect(issuesOf(() => normalizeService(input))).toEqual([
      'versions.__proto__: version name "__proto__" is not a DNS-1123 label (lower-case letters, digits and \'-\'); rename it, e.g. "v2"',
    ]);
  });

  test('gives main the remainder of the canary weights and keeps declaration order', () => {
    // Given a service with canaries at 20 and 30
    // When it is normalized
    const spec = normalizeService(base());
    // Then main receives 50 and canaries keep their order
    expect(spec.main.weight).toBe(50);
    expect(spec.canaries.map((c) => [c.name, c.weight])).toEqual([
      ['a', 20],
      ['b', 30],
    ]);
    expect(spec.routing).toEqual({ type: 'random' });
  });

  test('canaries inherit every main setting they do not override, field by field', () => {
    const spec = normalizeService(base());
    const a = spec.canaries[0];
    // artifact, scaling and timeout come from main; instance type is a's own
    expect(a.artifact).toEqual({ kind: 'model', storageUri: 's3://models/main', format: 'sklearn' });
    expect(a.instanceType.name).toBe('cpu.1');
    expect(a.instanceType.requests).toEqual({ cpu: '1', memory: '2Gi' });
    expect(a.scaling).toEqual({ minReplicas: 2, maxReplicas: 4, scaleDownStabilizationWindowSeconds: 600 });
    expect(a.timeoutSeconds).toBe(30);
    // env is merged by name over main's
    expect(a.env).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'VAR_NAME', value: 'var_value' },
    ]);
  });

  test('a canary overriding one scaling field keeps the others from main', () => {
    const input = base();
    input.versions.b.scaling = { maxReplicas: 3 };
    const b = normalizeService(input).canaries[1];
    expect(b.scaling.minReplicas).toBe(2);
    expect(b.scaling.maxReplicas).toBe(3);
    expect(b.scaling.scaleDownStabilizationWindowSeconds).toBe(600);
  });

  test('a canary env var with main\'s name replaces main\'s value', () => {
    const input = base();
    input.versions.a.env = [{ name: 'LOG_LEVEL', value: 'debug' }];
    expect(normalizeService(input).canaries[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
  });

  test('defaults: one replica, cpu.1, random routing, main named "main"', () => {
    const spec = normalizeService({ name: 'svc', main: { artifact: { type: 'bento', tag: 'svc:v1' } } });
    expect(spec.main.name).toBe('main');
    expect(spec.main.weight).toBe(100);
    expect(spec.main.scaling).toEqual({ minReplicas: 1, maxReplicas: 1 });
    expect(spec.main.instanceType.name).toBe('cpu.1');
    expect(spec.main.artifact).toEqual({ kind: 'bento', tag: 'svc:v1', image: 'svc:v1' });
  });

  test('a bento image takes the image repository prefix', () => {
    const spec = normalizeService({ name: 'svc', imageRepository: 'ghcr.io/acme', main: { artifact: { type: 'bento', tag: 'svc:v1' } } });
    expect(spec.main.artifact).toEqual({ kind: 'bento', tag: 'svc:v1', image: 'ghcr.io/acme/svc:v1' });
  });

  test('weights may sum to exactly 100 (main at 0) and a weight of 0 is a dark launch', () => {
    const input = base();
    input.versions.a.weight = 0;
    input.versions.b.weight = 100;
    const spec = normalizeService(input);
    expect(spec.main.weight).toBe(0);
    expect(spec.canaries[0].weight).toBe(0);
  });

  test('a mirror takes no share of live traffic: its weight is the percent copied to it', () => {
    const input = base();
    input.versions.m = { weight: 80, mirror: true };
    const spec = normalizeService(input);
    expect(spec.main.weight).toBe(50);
    expect(spec.canaries.map((c) => c.name)).toEqual(['a', 'b']);
    expect(spec.mirror).toMatchObject({ name: 'm', role: 'mirror', weight: 80, instanceType: { name: 'cpu.2' } });
  });

  test('a platform catalog adds its own instance types', () => {
    const catalog = InstanceTypeCatalog.defaults().with('gpu.mig.1g', {
      cpu: '2',
      memory: '8Gi',
      gpus: 1,
      gpuResourceName: 'nvidia.com/mig-1g.10gb',
    });
    const input = base();
    input.main.instanceType = 'gpu.mig.1g';
    const t = normalizeService(input, { instanceTypes: catalog }).main.instanceType;
    expect(t.requests).toEqual({ 'cpu': '2', 'memory': '8Gi', 'nvidia.com/mig-1g.10gb': '1' });
    // the CPU limit is the request unless the type says otherwise (KServe would fill in 1 CPU, below it)
    expect(t.limits).toEqual({ 'cpu': '2', 'memory': '8Gi', 'nvidia.com/mig-1g.10gb': '1' });
    expect(t.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('a CPU limit of its own, or none at all, only when the type says so', () => {
    const catalog = InstanceTypeCatalog.defaults()
      .with('burst.4', { cpu: '4', memory: '8Gi', cpuLimit: '8' })
      .with('unbounded.4', { cpu: '4', memory: '8Gi', unboundedCpu: true });
    expect(catalog.resolve('burst.4')!.limits).toEqual({ cpu: '8', memory: '8Gi' });
    expect(catalog.resolve('unbounded.4')!.limits).toEqual({ memory: '8Gi' });
    expect(catalog.resolve('cpu.4')!.limits).toEqual({ cpu: '4', memory: '8Gi' });
  });

  test('GPU types carry the GPU request, node selector and toleration', () => {
    const input = base();
    input.main.instanceType = 'gpu.l4.1';
    const t = normalizeService(input).main.instanceType;
    expect(t.requests['nvidia.com/gpu']).toBe('1');
    expect(t.limits['nvidia.com/gpu']).toBe('1');
    expect(t.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-L4' });
  });

  test('reports every problem at once', () => {
    const input = base();
    input.versions.a.weight = 90;
    input.versions.b.instanceType = 'cpu.3';
    input.main.scaling.minReplicas = 5;
    const issues = issuesOfInput(input);
    expect(issues).toEqual([
      'main.scaling.minReplicas: min replicas 5 is more than max replicas 4; min replicas must be at most max replicas: raise max or lower min',
      expect.stringContaining('versions.b.instanceType: unknown instance type "cpu.3"'),
      expect.stringContaining('versions: canary weights sum to 120 (a: 90, b: 30)'),
    ]);
  });

  // Each invalid input beside the message it must produce (path, value received, what is allowed, fix).
  const cases: Array<[string, (i: any) => void, string[]]> = [
    ['weights over 100', (i) => (i.versions.b.weight = 90), ['versions: canary weights sum to 110 (a: 20, b: 90); the sum must be at most 100', 'lower the weights by 10']],
    ['a negative weight', (i) => (i.versions.a.weight = -5), ['versions.a.weight: must be a whole percent from 0 to 100, got -5; 0 is a dark launch']],
    ['a fractional weight', (i) => (i.versions.a.weight = 12.5), ['versions.a.weight: must be a whole percent from 0 to 100, got 12.5']],
    ['a weight as a string', (i) => (i.versions.a.weight = '20'), ['versions.a.weight: must be a whole percent from 0 to 100, got "20"']],
    ['a missing weight', (i) => delete i.versions.a.weight, ['versions.a.weight: is required: a whole percent from 0 to 100']],
    ['min replicas above max', (i) => (i.main.scaling.minReplicas = 5), ['main.scaling.minReplicas: min replicas 5 is more than max replicas 4', 'raise max or lower min']],
    [
      'a canary max below the min it inherits',
      (i) => (i.versions.a.scaling = { maxReplicas: 1 }),
      ['versions.a.scaling.maxReplicas: min replicas 2 is more than max replicas 1 (one of them inherited from main)'],
    ],
    ['an unknown instance type', (i) => (i.versions.b.instanceType = 'cpu.16'), ['versions.b.instanceType: unknown instance type "cpu.16"', 'known types: cpu.1, cpu.2, cpu.4, cpu.8']],
    ['a misspelled instance type', (i) => (i.main.instanceType = 'gpu.l4'), ['main.instanceType: unknown instance type "gpu.l4"; did you mean "gpu.l4.1"?']],
    ['an invalid service name', (i) => (i.name = 'Summarization_Svc'), ['name: must be a service name: lower-case letters, digits and \'-\'', 'got "Summarization_Svc"']],
    ['a service name over 63 characters', (i) => (i.name = 'a'.repeat(64)), ['name: must be at most 63 characters long']],
    ['an invalid version name', (i) => (i.versions.B_2 = i.versions.b), ['versions.B_2: version name "B_2" must be a DNS-1123 label']],
    ['a canary named like main', (i) => (i.versions.main = { weight: 1 }), ['versions.main: version name "main" is the main version\'s name; give the canary another name']],
    ['a misspelled key', (i) => (i.main.instanceTyp = 'cpu.1'), ['main.instanceTyp: unknown key; did you mean "instanceType"?']],
    ['an unknown top-level key', (i) => (i.replicas = 3), ['replicas: unknown key; allowed keys are']],
    ['header routing without a key', (i) => (i.routing = { type: 'header' }), ['routing.key: is required: the name of the header to hash, e.g. "X-User-ID"']],
    ['query routing with an empty key', (i) => (i.routing = { type: 'query', key: '' }), ['routing.key: must be a query parameter name', 'got ""']],
    ['an unknown route type', (i) => (i.routing = { type: 'sticky' }), ['routing.type: must be one of "random", "header", "query", got "sticky"']],
    ['a missing artifact on main', (i) => delete i.main.artifact, ['main.artifact: is required: set a bento ("name:version"), a container image, or a model']],
    ['a bento tag without a version', (i) => (i.versions.b.artifact.tag = 'summarization'), ['versions.b.artifact.tag: must be a bento tag "name:version"', 'got "summarization"']],
    ['a model without a storage URI scheme', (i) => (i.main.artifact.storageUri = '/models/x'), ['main.artifact.storageUri: must be a storage URI scheme://path', 'got "/models/x"']],
    ['an unknown artifact type', (i) => (i.main.artifact = { type: 'wheel' }), ['main.artifact.type: must be one of "bento", "image", "model", got "wheel"']],
    ['an env var with two sources', (i) => (i.main.env[0].secretKeyRef = { name: 's', key: 'k' }), ['main.env[0]: environment variable "LOG_LEVEL" must set exactly one of value, secretKeyRef or configMapKeyRef, got 2']],
    ['an env var with no source', (i) => (i.main.env = [{ name: 'X' }]), ['main.env[0]: environment variable "X" must set exactly one of value, secretKeyRef or configMapKeyRef, got 0']],
    ['a duplicate env var', (i) => i.main.env.push({ name: 'LOG_LEVEL', value: 'x' }), ['main.env[1].name: environment variable "LOG_LEVEL" is already set at index 0']],
    ['a numeric env value', (i) => (i.main.env[0].value = 8), ['main.env[0].value: must be a string, got 8; quote numbers and booleans']],
    ['a negative stabilization window', (i) => (i.main.scaling.scaleDownStabilizationWindowSeconds = -1), ['main.scaling.scaleDownStabilizationWindowSeconds: must be a whole number of seconds from 0 to 3600, got -1']],
    ['an unknown scale metric', (i) => (i.main.scaling.metric = 'gpu'), ['main.scaling.metric: must be one of "cpu", "memory", "concurrency", "rps", got "gpu"']],
    ['a zero timeout', (i) => (i.main.timeoutSeconds = 0), ['main.timeoutSeconds: must be a whole number of seconds from 1 to 86400, got 0']],
    ['an invalid label key', (i) => (i.main.labels = { 'bad key': 'x' }), ['main.labels["bad key"]: invalid key "bad key"']],
    ['an invalid label value', (i) => (i.main.labels = { team: 'a b' }), ['main.labels.team: invalid value "a b"']],
    ['a mirror copying 0 percent', (i) => (i.versions.m = { weight: 0, mirror: true }), ['versions.m.weight: a mirror copies this percent of requests, got 0; set 1 to 100']],
    ['two mirrors', (i) => ((i.versions.m = { weight: 5, mirror: true }), (i.versions.n = { weight: 5, mirror: true })), ['versions: at most one version may be a mirror, got 2 (m, n)']],
    ['a mirror that is not a boolean', (i) => (i.versions.a.mirror = 'yes'), ['versions.a.mirror: must be true or false']],
    ['versions that are not a map', (i) => (i.versions = ['a', 'b']), ['versions: must be a map of version name to version settings, got a list']],
    ['an input that is not a map', (i) => Object.keys(i).forEach((k) => delete i[k]), ['name: is required: a service name', 'main: is required (a map)']],
  ];

  test.each(cases)('fails when given %s', (_name, mutate, expected) => {
    // Given a valid input with one mistake
    const input = base();
    mutate(input);
    // When it is normalized
    const issues = issuesOfInput(input);
    // Then the error names the path, the value and the fix
    for (const fragment of expected) {
      expect(issues.filter((i) => i.includes(fragment))).toEqual([expect.stringContaining(fragment)]);
    }
  });

  test('fails when the input is not an object at all', () => {
    expect(issuesOfInput('name: x')).toEqual(['(root): must be a map, got "name: x"']);
  });
});
