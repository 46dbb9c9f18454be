/**
 * The table refusals suggest alternatives from is the backends' own capabilities.
 */
import { Backend, formatIssue, Router, synthesize, ValidationError } from '../../src';
import { ROUTER_SUPPORT } from '../../src/backends/router-support';
import { ROUTER_CAPABILITIES } from '../../src/routers';

const hashes = (r: string) => ROUTER_CAPABILITIES[r].headerHash || ROUTER_CAPABILITIES[r].queryHash;

test.each([
  ['backend "kserve" (Standard mode)', Backend.kserve()],
  ['backend "seldon"', Backend.seldon()],
  ['backend "seldon-v2"', Backend.seldonV2()],
  ['backend "argo-rollouts"', Backend.argoRollouts()],
])('%s takes the routers its renderer takes', (label, backend) => {
  const row = ROUTER_SUPPORT.find((b) => b.label === label)!;
  expect([...row.routers].sort()).toEqual([...backend.renderer.routers].sort());
  expect([...row.hashingRouters].sort()).toEqual([...(backend.renderer.hashingRouters ?? backend.renderer.routers)].filter(hashes).sort());
});

function problems(router: string, backend: Backend, routing: object = { type: 'random' }): string[] {
  try {
    synthesize(
      { name: 'svc', routing, main: { artifact: { type: 'model', storageUri: 's3://m/1', format: 'sklearn' } }, versions: { b: { weight: 10 } } },
      { backend, router: Router.of(router) },
    );
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

describe('refusals suggest only backends that take the router', () => {
  test('fails when KServe is given router nginx, naming Argo Rollouts, not a KServe mode', () => {
    expect(problems('nginx', Backend.kserve())).toEqual([
      'router: KServe Standard mode takes router "native" or "istio" or "gateway-api", got "nginx"; use router "native", or backend "argo-rollouts" with router "nginx"',
    ]);
  });

  test('fails when Seldon Core v2 is given router istio, naming the backends that take it', () => {
    expect(problems('istio', Backend.seldonV2())).toEqual([
      expect.stringMatching(/^router: Seldon Core v2 .* takes router "native", got "istio"; remove the router, or use backend "kserve" \(Standard mode\) or backend "seldon" or backend "argo-rollouts" with router "istio"$/),
    ]);
  });

  test('fails when header hashing is asked of a backend without a hashing router, naming the pairs that hash', () => {
    expect(problems('native', Backend.seldonV2(), { type: 'header', key: 'x-user' })).toEqual([
      expect.stringMatching(/^routing\.type: .*use routing "random" \(.*\), or backend "kserve" \(Standard mode\) with router "istio", or backend "seldon" with router "istio"$/),
    ]);
  });
});
