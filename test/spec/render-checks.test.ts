/**
 * Checks of the rendered whole: objects etcd cannot store, and canaries that measure nothing new.
 */
import { Backend, synthesize } from '../../src';
import { issuesOf } from '../support/issues';

const model = (v: string) => ({ type: 'model', storageUri: `s3://models/${v}`, format: 'sklearn' });


describe('objects larger than etcd stores', () => {
  const bento = (v: string) => ({ type: 'bento', tag: `svc:${v}` });
  test.each([
    ['kserve', Backend.kserve(), model],
    ['seldon', Backend.seldon(), model],
    ['argo-rollouts', Backend.argoRollouts(), bento],
  ])(
    'fails on %s when a 5 MB env value would make a 10 MiB object, naming where the value is written',
    (_name, backend, artifact) => {
      const big = 'x'.repeat(5_000_000);
      const found = issuesOf(() =>
        synthesize(
          { name: 'svc', main: { artifact: artifact('v1'), env: [{ name: 'BIG', value: big }] }, versions: { v2: { weight: 10, artifact: artifact('v2') } } },
          { backend },
        ),
      );
      expect(found.length).toBeGreaterThan(0);
      for (const line of found) {
        expect(line).toMatch(/^main\.env\.BIG: \w+ svc\S* would be \d+\.\d MiB, and etcd stores objects of at most 1\.5 MiB, so the API server refuses it; its largest value is 4\.8 MiB: keep large values out of the manifest/);
      }
    },
  );

  test('a value just under the limit renders', () => {
    const out = synthesize({ name: 'svc', main: { artifact: model('v1'), env: [{ name: 'MID', value: 'y'.repeat(1_000_000) }] } });
    expect(out.objects.length).toBeGreaterThan(0);
  });
});

describe('a canary identical to main', () => {
  test('warns when a canary runs main\'s artifact with main\'s settings', () => {
    const out = synthesize({ name: 'svc', main: { artifact: model('v1') }, versions: { v2: { weight: 10, artifact: model('v1') } } });
    expect(out.warnings).toContainEqual(expect.stringMatching(/^version v2 runs the same artifact as main \(model s3:\/\/models\/v1\) with the same settings, so the canary measures nothing new/));
  });

  test('warns when a canary inherits main\'s artifact and sets nothing of its own', () => {
    const out = synthesize({ name: 'svc', main: { artifact: model('v1') }, versions: { v2: { weight: 10 } } });
    expect(out.warnings).toContainEqual(expect.stringMatching(/^version v2 runs the same artifact as main/));
  });

  test('does not warn for a canary testing a change of its settings, or a new artifact', () => {
    const out = synthesize({
      name: 'svc',
      main: { artifact: model('v1') },
      versions: { v2: { weight: 10, instanceType: 'cpu.2' }, v3: { weight: 10, artifact: model('v3') } },
    });
    expect(out.warnings.filter((w) => w.includes('same artifact'))).toEqual([]);
  });
});
