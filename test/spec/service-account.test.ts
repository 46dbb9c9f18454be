/**
 * The ServiceAccount a version's pods run as: set where each backend's pods take it, inherited by canaries,
 * said to be not applied where the pods are shared (Seldon Core v2).
 */
import { Testing } from 'cdk8s';
import { Artifact, Backend, CanaryInferenceService, formatIssue, KServeMode, Router, synthesize, ValidationError } from '../../src';
import { parseConfig, synthesizeConfig } from '../../src/config';
import { expectValidManifests } from '../support/manifests';

const model = (v: string) => ({ type: 'model', storageUri: `s3://models/${v}`, format: 'sklearn' });
const input = (artifact: (v: string) => object) => ({
  name: 'svc',
  namespace: 'ml',
  main: { artifact: artifact('v1'), serviceAccountName: 'model-reader' },
  versions: { v2: { weight: 10, artifact: artifact('v2'), scaling: { minReplicas: 1, maxReplicas: 1 } }, v3: { weight: 10, artifact: artifact('v3'), scaling: { minReplicas: 1, maxReplicas: 1 }, serviceAccountName: 'other-reader' } },
});

/** Every `serviceAccountName` in the objects, by where it is. */
function accounts(value: unknown, path = ''): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.entries(value).reduce<Record<string, string>>((acc, [k, v]) => {
    if (k === 'serviceAccountName' && typeof v === 'string') acc[path] = v;
    return { ...acc, ...accounts(v, `${path}/${k}`) };
  }, {});
}

describe('serviceAccountName', () => {
  test.each([
    ['KServe Standard, canary strategy', { backend: Backend.kserve() }, model],
    ['KServe Standard, per-version', { backend: Backend.kserve(), router: Router.istio() }, model],
    ['Seldon Core v1', { backend: Backend.seldon() }, model],
  ])('%s: main\'s account on main and the canaries that inherit it, a canary\'s own on its pods', (_name, options, artifact) => {
    const out = synthesize(input(artifact), options);
    expectValidManifests(out.objects);
    const found = Object.values(accounts(out.objects));
    expect(found.filter((a) => a === 'model-reader').length).toBeGreaterThanOrEqual(1);
    expect(found).toContain('other-reader');
  });

  test('KServe Knative mode takes it on the revision\'s pods', () => {
    const out = synthesize(
      { name: 'svc', main: { artifact: model('v1'), serviceAccountName: 'model-reader' }, versions: { v2: { weight: 10, artifact: model('v2') } } },
      { backend: Backend.kserve({ mode: KServeMode.KNATIVE }) },
    );
    expectValidManifests(out.objects);
    expect(Object.values(accounts(out.objects))).toEqual(['model-reader']);
  });

  test('Argo Rollouts: the pod template runs as the account', () => {
    const bento = (v: string) => ({ type: 'bento', tag: `svc:${v}` });
    const out = synthesize(
      { name: 'svc', namespace: 'ml', main: { artifact: bento('v1'), serviceAccountName: 'model-reader' }, versions: { v2: { weight: 10, artifact: bento('v2') } } },
      { backend: Backend.argoRollouts(), router: Router.istio() },
    );
    expectValidManifests(out.objects);
    expect(Object.values(accounts(out.objects))).toEqual(['model-reader']);
  });

  test('Seldon Core v2 warns that shared servers run as their own account', () => {
    const out = synthesize({ name: 'svc', main: { artifact: model('v1'), serviceAccountName: 'model-reader' }, versions: { v2: { weight: 10, artifact: model('v2') } } }, { backend: Backend.seldonV2() });
    expect(Object.values(accounts(out.objects))).toEqual([]);
    expect(out.warnings).toContainEqual(expect.stringMatching(/^Seldon Core v2 loads models into shared servers, whose pods run as the server's ServiceAccount; the service account of main, v2 is not applied/));
  });

  test('a file sets it as services.<name>.service_account', () => {
    const text = 'name: svc\nmodel: {storage_uri: "s3://m/v1", format: sklearn}\nservices:\n  svc:\n    service_account: model-reader\n';
    const out = synthesizeConfig(parseConfig(text, 'svc.yaml'));
    expect(Object.values(accounts(out.objects))).toEqual(['model-reader']);
  });

  test('fails on a name that is no ServiceAccount name, at its place in the file', () => {
    const text = 'name: svc\nmodel: {storage_uri: "s3://m/v1", format: sklearn}\nservices:\n  svc:\n    service_account: Model_Reader\n';
    try {
      synthesizeConfig(parseConfig(text, 'svc.yaml'));
      throw new Error('expected a ValidationError');
    } catch (e) {
      expect((e as ValidationError).issues.map(formatIssue)).toEqual([
        'svc.yaml:5:5 services.svc.service_account: must be a ServiceAccount name: lower-case letters, digits, \'-\' and \'.\', got "Model_Reader"; e.g. "model-reader"',
      ]);
    }
  });

  test('the construct takes an account by name or as an object with a name, and refuses anything else naming what to give', () => {
    const chart = Testing.chart();
    new CanaryInferenceService(chart, 'Svc', { name: 'svc', main: { artifact: Artifact.model({ storageUri: 's3://m/v1', format: 'sklearn' }), serviceAccount: { name: 'model-reader' } } });
    expect(Object.values(accounts(Testing.synth(chart)))).toEqual(['model-reader']);
    const bad = Testing.chart();
    new CanaryInferenceService(bad, 'Svc', { name: 'svc', main: { artifact: Artifact.model({ storageUri: 's3://m/v1', format: 'sklearn' }), serviceAccount: 42 as never } });
    expect(() => Testing.synth(bad)).toThrow(/main\.serviceAccount: must be a ServiceAccount's name or an object with a name \(e\.g\. a cdk8s-plus ServiceAccount\), got 42/);
  });
});
