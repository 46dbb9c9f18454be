import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Backend, KServeMode, KServeStrategy } from '../../src/backends';
import { synthesize } from '../../src/render';
import { assignKey, ASSIGNMENT_HEADER, Router } from '../../src/routers';
import { normalizeService } from '../../src/spec';
import { bentoCloudExampleText, runCli, writeTemp } from '../support/cli';
import { issuesOf } from '../support/issues';
import { expectValidManifests } from '../support/manifests';

function service(routing: any, overrides: Record<string, any> = {}): any {
  return {
    name: 'summarization',
    namespace: 'ml',
    routing,
    main: { artifact: { type: 'bento', tag: 'summarization:v1' }, scaling: { minReplicas: 1, maxReplicas: 4 } },
    versions: {
      a: { weight: 20, artifact: { type: 'bento', tag: 'summarization:v2' }, scaling: { maxReplicas: 2 } },
      b: { weight: 30, artifact: { type: 'bento', tag: 'summarization:v3' }, scaling: { maxReplicas: 3 } },
    },
    ...overrides,
  };
}

function kinds(objects: readonly any[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`);
}

function problems(input: unknown, options: Parameters<typeof synthesize>[1]): string[] {
  return issuesOf(() => synthesize(input, options));
}

describe('Istio router on KServe (per-version strategy)', () => {
  test('the unchanged BentoCloud example synthesizes per-version InferenceServices, a VirtualService and an EnvoyFilter', () => {
    // Given BentoCloud's example unchanged (query hashing on "feature")
    const file = writeTemp('summarization.yaml', bentoCloudExampleText());
    // When it is synthesized with the Istio router
    const run = runCli('synth', '-f', file, '--backend', 'kserve', '--router', 'istio');
    // Then every object is valid, each version keeps its own autoscaling, and the file's bentos without a registry are named
    expect(run.stderr).toBe(
      'warning: the bento images summarization:xq4dggshm25lecvj, summarization:t226bcshm2bqicvj, summarization:zgk7uja3goq62usu name no registry, so the cluster pulls from Docker Hub; ' +
        'set the registry the bentos were pushed to: kubernetes.image_repository in the file, --image-repository on the CLI, or imageRepository in code (service summarization-blel)\n',
    );
    expect(run.code).toBe(0);
    const objects = parseAllDocuments(run.stdout).map((d) => d.toJS());
    expectValidManifests(objects);
    expect(kinds(objects)).toEqual([
      'InferenceService/summarization-blel-main',
      'InferenceService/summarization-blel-a',
      'InferenceService/summarization-blel-b',
      'Service/summarization-blel',
      'VirtualService/summarization-blel',
      'EnvoyFilter/summarization-blel-canary-assignment',
      'ConfigMap/summarization-blel-dashboard',
    ]);
    const max = objects.slice(0, 3).map((o) => [o.spec.predictor.minReplicas, o.spec.predictor.maxReplicas]);
    expect(max).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    expect(objects[1].spec.predictor.autoScaling.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0 },
      scaleDown: { stabilizationWindowSeconds: 600 },
    });
    expect(run.stdout).toMatchSnapshot();
  });

  test('the example with header routing on X-User-ID is valid too', () => {
    const file = writeTemp('header.yaml', bentoCloudExampleText().replace('route_type: query', 'route_type: header').replace('route_by: feature', 'route_by: X-User-ID'));
    const run = runCli('synth', '-f', file, '--router', 'istio');
    expect(run.code).toBe(0);
    const objects = parseAllDocuments(run.stdout).map((d) => d.toJS());
    expectValidManifests(objects);
    const lua = objects[5].spec.configPatches[0].patch.value.typed_config.default_source_code.inline_string;
    expect(lua).toContain('local KEY_KIND = "header"');
    expect(lua).toContain('local KEY = "x-user-id"');
  });

  test('the VirtualService pins, routes assigned keys, and splits the rest by weight', () => {
    const { objects } = synthesize(service({ type: 'header', key: 'X-User-ID' }), { router: Router.istio() });
    expectValidManifests(objects);
    const vs: any = objects.find((o) => o.kind === 'VirtualService');
    expect(vs.spec.hosts).toEqual(['summarization']);
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['pin-main', 'pin-a', 'pin-b', 'assigned-main', 'assigned-a', 'assigned-b', 'unassigned']);
    expect(vs.spec.http[1]).toEqual({
      name: 'pin-a',
      match: [{ headers: { 'x-canary-version': { exact: 'a' } } }],
      route: [{ destination: { host: 'summarization-a-predictor', port: { number: 80 } } }],
    });
    expect(vs.spec.http[4].match).toEqual([{ headers: { [ASSIGNMENT_HEADER]: { exact: 'a' } } }]);
    expect(vs.spec.http[6].route.map((r: any) => [r.destination.host, r.weight])).toEqual([
      ['summarization-main-predictor', 50],
      ['summarization-a-predictor', 20],
      ['summarization-b-predictor', 30],
    ]);
  });

  test('random routing renders no EnvoyFilter and a weighted route', () => {
    const { objects } = synthesize(service({ type: 'random' }), { router: Router.istio({ pinHeader: 'X-Version' }) });
    expectValidManifests(objects);
    expect(kinds(objects)).not.toContain('EnvoyFilter/summarization-ml-canary-assignment');
    const vs: any = objects.find((o) => o.kind === 'VirtualService');
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['pin-main', 'pin-a', 'pin-b', 'weighted']);
    expect(vs.spec.http[0].match[0].headers).toEqual({ 'x-version': { exact: 'main' } });
  });

  test('the EnvoyFilter runs before the router filter in callers\' sidecars, and in the gateway when exposed', () => {
    const router = Router.istio({ gateway: 'istio-system/public', hosts: ['summarization.example.com'] });
    const { objects } = synthesize(service({ type: 'query', key: 'user' }), { router });
    expectValidManifests(objects);
    const ef: any = objects.find((o) => o.kind === 'EnvoyFilter');
    expect(ef.metadata).toMatchObject({ name: 'summarization-ml-canary-assignment', namespace: 'istio-system' });
    expect(ef.spec.configPatches.map((p: any) => [p.applyTo, p.match.context, p.patch.operation])).toEqual([
      ['HTTP_FILTER', 'SIDECAR_OUTBOUND', 'INSERT_BEFORE'],
      ['HTTP_FILTER', 'GATEWAY', 'INSERT_BEFORE'],
    ]);
    expect(ef.spec.configPatches[0].match.listener.filterChain.filter.subFilter).toEqual({ name: 'envoy.filters.http.router' });
    const vs: any = objects.find((o) => o.kind === 'VirtualService');
    expect(vs.spec.gateways).toEqual(['mesh', 'istio-system/public']);
    expect(vs.spec.hosts).toEqual(['summarization', 'summarization.example.com']);
  });

  test('a dark-launched version is reachable by pin only', () => {
    const input = service({ type: 'random' });
    input.versions.a.weight = 0;
    const { objects } = synthesize(input, { router: Router.istio() });
    expectValidManifests(objects);
    const vs: any = objects.find((o) => o.kind === 'VirtualService');
    expect(vs.spec.http.at(-1).route.map((r: any) => r.destination.host)).toEqual(['summarization-main-predictor', 'summarization-b-predictor']);
    expect(vs.spec.http[1].route[0].destination.host).toBe('summarization-a-predictor');
  });

  const failing: Array<[string, any, Parameters<typeof synthesize>[1], string]> = [
    ['the per-version strategy has no router', service({ type: 'random' }), { backend: Backend.kserve({ strategy: KServeStrategy.PER_VERSION }) },
      'kserveStrategy: the per-version strategy needs a router to split traffic between the versions\' InferenceServices; use router "istio" or "gateway-api", or strategy "canary"'],
    ['the canary strategy is combined with a router', service({ type: 'random' }), { backend: Backend.kserve({ strategy: KServeStrategy.CANARY }), router: Router.istio() },
      'kserveStrategy: router "istio" splits traffic between per-version InferenceServices, and strategy "canary" renders one InferenceService'],
    ['Knative mode is combined with a router', service({ type: 'random' }), { backend: Backend.kserve({ mode: KServeMode.KNATIVE }), router: Router.istio() },
      'router: KServe Knative mode takes router "native", got "istio"'],
    ['a gateway has no hosts', service({ type: 'random' }), { router: Router.istio({ gateway: 'istio-system/public' }) },
      'hosts: a gateway (istio-system/public) needs the external host names it serves'],
    ['the pin header is the routing key', service({ type: 'header', key: 'X-Canary-Version' }), { router: Router.istio() },
      'pinHeader: the pin header "x-canary-version" is also the routing key; choose another pin header'],
    ['a host is not a DNS name', service({ type: 'random' }), { router: Router.istio({ gateway: 'istio-system/public', hosts: ['bad host'] }) },
      'hosts[0]: must be a DNS host name, got "bad host"'],
    ['a gateway is given to the native router', service({ type: 'random' }, { versions: {} }), { router: Router.of('native', { gateway: 'x/y' }) },
      'gateway: a gateway and hosts need a router that renders routes; use router "istio" or "gateway-api"'],
  ];

  test.each(failing)('fails when %s', (_name, input, options, expected) => {
    expect(problems(input, options)).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  test('the Standard-mode canary errors name the per-version strategy', () => {
    const found = problems(service({ type: 'random' }), { backend: Backend.kserve() });
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^main\.artifact: .*or the per-version strategy \(one InferenceService per version, split by router "istio" or "gateway-api"\)$/)]));
  });
});

describe('sticky assignment', () => {
  const spec = normalizeService(service({ type: 'header', key: 'X-User-ID' }));

  test('is deterministic and follows the weights over many keys (50/20/30)', () => {
    const counts: Record<string, number> = { main: 0, a: 0, b: 0 };
    for (let i = 0; i < 5000; i++) counts[assignKey(spec, `user-${i}`)!]++;
    expect(assignKey(spec, 'user-42')).toBe(assignKey(spec, 'user-42'));
    expect(Math.abs(counts.main / 5000 - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(counts.a / 5000 - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(counts.b / 5000 - 0.3)).toBeLessThan(0.015);
  });

  test('a canary growing from 10 to 25 keeps every key it had', () => {
    const at = (weight: number) => normalizeService(service({ type: 'header', key: 'k' }, { versions: { a: { weight } } }));
    const before = at(10);
    const after = at(25);
    for (let i = 0; i < 3000; i++) {
      const key = `key-${i}`;
      if (assignKey(before, key) === 'a') expect(assignKey(after, key)).toBe('a');
    }
  });

  test('an empty key is not assigned', () => {
    expect(assignKey(spec, '')).toBeUndefined();
  });
});

describe('canary-inference route', () => {
  test('prints the version of one key, deterministically', () => {
    const file = writeTemp('route.yaml', bentoCloudExampleText());
    const first = runCli('route', '-f', file, '--key', 'user-42');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^(main|a|b)\n$/);
    expect(runCli('route', '-f', file, '--key', 'user-42').stdout).toBe(first.stdout);
    expect(first.stdout.trim()).toBe(assignKey(normalizeService({
      name: 'x',
      main: { artifact: { type: 'bento', tag: 'x:y' } },
      routing: { type: 'query', key: 'feature' },
      versions: { a: { weight: 20 }, b: { weight: 30 } },
    }), 'user-42'));
  });

  test('maps a keys file to "KEY VERSION" lines whose shares follow the weights (50/20/30)', () => {
    const file = writeTemp('route.yaml', bentoCloudExampleText());
    const keys = Array.from({ length: 4000 }, (_, i) => `customer ${i}`);
    const run = runCli('route', '-f', file, '--keys-file', writeTemp('keys.txt', keys.join('\n') + '\n'));
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(4000);
    expect(lines[7]).toMatch(/^customer 7 (main|a|b)$/);
    const share = (v: string) => lines.filter((l) => l.endsWith(` ${v}`)).length / 4000;
    expect(Math.abs(share('main') - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(share('a') - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(share('b') - 0.3)).toBeLessThan(0.02);
  });

  test('fails when routing is random', () => {
    const file = writeTemp('random.yaml', bentoCloudExampleText().replace('route_type: query', 'route_type: random'));
    const run = runCli('route', '-f', file, '--key', 'x');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('canary.route_type is "random": requests are not assigned by key');
  });

  test('fails with exit 2 without --key or --keys-file', () => {
    const run = runCli('route', '-f', 'x.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('route needs one of --key VALUE or --keys-file FILE');
  });
});

describe('the emitted Lua under LuaJIT', () => {
  const luajit = spawnSync('luajit', ['-v'], { encoding: 'utf8' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-lua-'));
  const harness = path.join(__dirname, 'lua-harness.lua');

  test('LuaJIT is installed (.ci/run installs the Debian package "luajit")', () => {
    expect(luajit.error).toBeUndefined();
    expect(luajit.stdout + luajit.stderr).toMatch(/^LuaJIT 2\./);
  });

  function runLua(input: any, requests: string[][], env: Record<string, string> = {}): string[] {
    const objects = synthesize(input, { router: Router.istio() }).objects;
    const ef: any = objects.find((o) => o.kind === 'EnvoyFilter');
    const filter = path.join(dir, `filter-${input.routing.type}.lua`);
    fs.writeFileSync(filter, ef.spec.configPatches[0].patch.value.typed_config.default_source_code.inline_string);
    const reqs = path.join(dir, `requests-${input.routing.type}.tsv`);
    fs.writeFileSync(reqs, requests.map((r) => r.join('\t')).join('\n') + '\n');
    return execFileSync('luajit', [harness, filter, reqs], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } }).trim().split('\n');
  }

  const keys = [
    ...Array.from({ length: 10_000 }, (_, i) => `user-${i}`),
    'ünïcödé', '用户', 'a b', 'x&y=z', '100%', 'ÿ', '~!*()\'',
  ];

  test.each(['header', 'query'])('assigns 10,000 keys by %s exactly as the TypeScript function, with shares within 1.5 points', (kind) => {
    const input = service(kind === 'header' ? { type: 'header', key: 'X-User-ID' } : { type: 'query', key: 'user' });
    const spec = normalizeService(input);
    const requests = keys.map((k) =>
      kind === 'header' ? ['summarization.ml.svc.cluster.local:80', '/predict', 'x-user-id', k] : ['summarization', `/predict?x=1&user=${encodeURIComponent(k)}&user=ignored`, '', ''],
    );
    const out = runLua(input, requests);
    expect(out).toHaveLength(keys.length);
    const expected = keys.map((k) => `${assignKey(spec, k)} true`);
    const mismatches = out.map((o, i) => (o === expected[i] ? undefined : `${keys[i]}: lua ${o}, ts ${expected[i]}`)).filter(Boolean);
    expect(mismatches).toEqual([]);
    const share = (v: string) => out.slice(0, 10_000).filter((o) => o.startsWith(`${v} `)).length / 10_000;
    expect(Math.abs(share('main') - 0.5)).toBeLessThanOrEqual(0.015);
    expect(Math.abs(share('a') - 0.2)).toBeLessThanOrEqual(0.015);
    expect(Math.abs(share('b') - 0.3)).toBeLessThanOrEqual(0.015);
  });

  test('on Envoy before 1.34 (no clearRouteCache, Istio 1.25 and before) assigns the same keys without an error', () => {
    const input = service({ type: 'header', key: 'X-User-ID' });
    const spec = normalizeService(input);
    const requests = ['user-1', 'user-2', 'user-3'].map((k) => ['summarization', '/predict', 'x-user-id', k]);
    // the harness runs the script unprotected: a call to the missing method would raise and fail the run
    const out = runLua(input, requests, { OLD_ENVOY: '1' });
    expect(out).toEqual(['user-1', 'user-2', 'user-3'].map((k) => `${assignKey(spec, k)} false`));
  });

  test('leaves other hosts alone, drops a spoofed assignment, and falls back to random without a key', () => {
    const out = runLua(service({ type: 'header', key: 'X-User-ID' }), [
      ['other-service.ml.svc.cluster.local', '/predict', 'x-user-id', 'user-1'],
      ['summarization', '/predict', '', ''],
      ['summarization.ml', '/predict', 'x-user-id', ''],
      ['SUMMARIZATION.ML.SVC:8080', '/predict', 'x-user-id', 'user-1'],
    ]);
    const spec = normalizeService(service({ type: 'header', key: 'X-User-ID' }));
    expect(out).toEqual(['spoofed false', '- false', '- false', `${assignKey(spec, 'user-1')} true`]);
  });
});
