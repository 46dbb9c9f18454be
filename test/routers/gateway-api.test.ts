import { parseAllDocuments } from 'yaml';
import { synthesize } from '../../src/render';
import { Router } from '../../src/routers';
import { bentoCloudExampleText, runCli, writeTemp } from '../support/cli';
import { issuesOf } from '../support/issues';
import { expectValidManifests } from '../support/manifests';

function service(versions: number): any {
  return {
    name: 'fraud',
    routing: { type: 'random' },
    main: { artifact: { type: 'model', storageUri: 's3://m/v0', format: 'xgboost' } },
    versions: Object.fromEntries(Array.from({ length: versions }, (_, i) => [`v${i + 1}`, { weight: 1 }])),
  };
}

describe('Gateway API router', () => {
  test('is refused for the unchanged example (query hashing), naming istio', () => {
    const file = writeTemp('summarization.yaml', bentoCloudExampleText());
    const run = runCli('validate', '-f', file, '--router', 'gateway-api');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'canary.route_type: routing by "query" (hashing query "feature") needs a router that hashes keys, and router "gateway-api" does not; use router "istio", or routing "random"',
    );
  });

  test('with random routing gives a valid HTTPRoute with weighted backends and header pinning', () => {
    const file = writeTemp('random.yaml', bentoCloudExampleText().replace('route_type: query', 'route_type: random'));
    const run = runCli('synth', '-f', file, '--router', 'gateway-api', '--pin-header', 'X-Pin');
    expect(run.code).toBe(0);
    const objects = parseAllDocuments(run.stdout).map((d) => d.toJS());
    expectValidManifests(objects);
    const route = objects.find((o) => o.kind === 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'summarization-blel', port: 80 }]);
    expect(route.spec.rules[1]).toEqual({
      matches: [{ headers: [{ type: 'Exact', name: 'x-pin', value: 'a' }] }],
      backendRefs: [{ name: 'summarization-blel-a-predictor', port: 80 }],
    });
    expect(route.spec.rules.at(-1).backendRefs).toEqual([
      { name: 'summarization-blel-main-predictor', port: 80, weight: 50 },
      { name: 'summarization-blel-a-predictor', port: 80, weight: 20 },
      { name: 'summarization-blel-b-predictor', port: 80, weight: 30 },
    ]);
    expect(run.stdout).toMatchSnapshot();
  });

  test('attaches to a Gateway with host names when exposed through one', () => {
    const router = Router.gatewayApi({ gateway: 'infra/public', hosts: ['fraud.example.com'] });
    const { objects } = synthesize(service(1), { router });
    expectValidManifests(objects);
    const [route, mesh]: any[] = objects.filter((o) => o.kind === 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ namespace: 'infra', name: 'public' }]);
    expect(route.spec.hostnames).toEqual(['fraud.example.com']);
    // callers inside the mesh keep reaching the versions through the stable Service: a second route (GAMMA), same rules
    expect(mesh.metadata.name).toBe(`${route.metadata.name}-mesh`);
    expect(mesh.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: route.metadata.name, port: 80 }]);
    expect(mesh.spec.hostnames).toBeUndefined();
    expect(mesh.spec.rules).toEqual(route.spec.rules);
  });

  test('routes up to 15 versions (16 rules)', () => {
    const { objects } = synthesize(service(14), { router: Router.gatewayApi() });
    expectValidManifests(objects);
  });

  test('fails when more versions than an HTTPRoute can hold', () => {
    expect(issuesOf(() => synthesize(service(15), { router: Router.gatewayApi() }))).toEqual([
      'versions: an HTTPRoute holds at most 16 rules (one pin rule per version and the weighted rule), so Gateway API routes at most 15 versions, got 16; remove versions or use router "istio"',
    ]);
  });
});
