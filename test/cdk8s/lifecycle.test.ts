/**
 * The construct's lifecycle: rendered once, lazily, at synth; edits made through `apiObjects` survive
 * `addVersion`; typed handles for wiring; services clashing in one chart.
 */
import * as path from 'path';
import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { Artifact, Backend, CanaryInferenceService, InstanceTypeCatalog, ObjectRole, Router } from '../../src';
import * as render from '../../src/render';
import { EXAMPLES, writeTemp } from '../support/cli';
import { expectValidManifests } from '../support/manifests';

const model = (v: string) => Artifact.model({ storageUri: `s3://models/summarization/${v}`, format: 'sklearn' });

describe('rendering at synth', () => {
  afterEach(() => jest.restoreAllMocks());

  test('an annotation and a JSON patch added to apiObjects[0] before addVersion are in the output', () => {
    // given a service whose primary object is edited through the escape hatch
    const chart = Testing.chart();
    const service = new CanaryInferenceService(chart, 'Svc', { name: 'svc', namespace: 'ml', main: { artifact: model('v1') } });
    const isvc = service.apiObjects[0];
    isvc.metadata.addAnnotation('team.example.com/owner', 'search');
    isvc.addJsonPatch(JsonPatch.add('/spec/predictor/minReplicas', 3));
    // when a version is added afterwards and the chart is synthesized
    service.addVersion('v2', { weight: 10, artifact: model('v2'), scaling: { minReplicas: 1, maxReplicas: 1 } });
    const manifests = Testing.synth(chart);
    // then the edits are kept, and the object holds the new version
    expect(manifests).toHaveLength(1);
    expect(manifests[0].metadata.annotations).toMatchObject({ 'team.example.com/owner': 'search' });
    expect(manifests[0].spec.predictor.minReplicas).toBe(3);
    expect(manifests[0].spec.canary).toBeDefined();
    expect(service.apiObjects[0]).toBe(isvc);
  });

  test('each service is rendered once at synth, however many versions are added', () => {
    const spy = jest.spyOn(render, 'synthesizeProps');
    const chart = Testing.chart();
    const service = new CanaryInferenceService(chart, 'Svc', { name: 'svc', router: Router.istio(), main: { artifact: model('v1') } });
    for (const v of ['a', 'b', 'c', 'd']) service.addVersion(v, { weight: 5, artifact: model(v) });
    expect(spy).not.toHaveBeenCalled();
    const manifests = Testing.synth(chart);
    expect(spy).toHaveBeenCalledTimes(1);
    expectValidManifests(manifests);
  });

  test('an object no longer rendered after addVersion is removed, and one newly rendered is added', () => {
    const chart = Testing.chart();
    const service = new CanaryInferenceService(chart, 'Svc', {
      name: 'svc',
      backend: Backend.kserve(),
      router: Router.istio(),
      main: { artifact: model('v1') },
    });
    const before = service.apiObjects.map((o) => `${o.kind}/${o.name}`);
    service.addVersion('v2', { weight: 10, artifact: model('v2') });
    const after = Testing.synth(chart).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.length).toBeGreaterThan(before.length);
    expect(new Set(after).size).toBe(after.length);
  });
});

describe('handles for wiring', () => {
  test('the front Service, its port and host, and the objects by role', () => {
    const chart = Testing.chart();
    const service = new CanaryInferenceService(chart, 'Svc', { name: 'svc', namespace: 'ml', router: Router.istio(), main: { artifact: model('v1') } });
    service.addVersion('v2', { weight: 10, artifact: model('v2') });
    expect(service.frontService).toEqual({ name: 'svc', port: expect.any(Number), targetPort: expect.anything() });
    expect(service.host).toBe('svc.ml.svc.cluster.local');
    const front = service.objectsOf(ObjectRole.SERVICE).find((o) => o.name === 'svc')!;
    expect(front.toJson().spec.ports.map((p: { port: number }) => p.port)).toContain(service.frontService!.port);
    expect(service.objectsOf(ObjectRole.WORKLOAD).map((o) => o.kind)).toEqual(['InferenceService', 'InferenceService']);
    expect(service.objectsOf(ObjectRole.ROUTING).map((o) => o.kind)).toEqual(expect.arrayContaining(['VirtualService']));
  });

  test('no front Service where the backend\'s controller makes the entry (KServe without a router)', () => {
    const service = new CanaryInferenceService(Testing.chart(), 'Svc', { name: 'svc', main: { artifact: model('v1') } });
    expect(service.frontService).toBeUndefined();
    expect(service.host).toBeUndefined();
  });

  test('fails to give handles of an invalid definition, naming the problem', () => {
    const service = new CanaryInferenceService(Testing.chart(), 'Svc', { name: 'svc', router: Router.istio(), main: {} });
    expect(() => service.host).toThrow(/main\.artifact: is required/);
  });
});

describe('clashes in one chart', () => {
  test('fails when two services have the same name in one namespace, naming both', () => {
    const chart = Testing.chart();
    new CanaryInferenceService(chart, 'First', { name: 'recommender', namespace: 'ml', main: { artifact: model('v1') } });
    new CanaryInferenceService(chart, 'Second', { name: 'recommender', namespace: 'ml', main: { artifact: model('v2') } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/Second\] InferenceService "recommender" in namespace "ml" is also rendered by service test\/First \(name "recommender"\)/);
  });

  test('the same name in two namespaces is fine', () => {
    const chart = Testing.chart();
    new CanaryInferenceService(chart, 'First', { name: 'recommender', namespace: 'team-a', main: { artifact: model('v1') } });
    new CanaryInferenceService(chart, 'Second', { name: 'recommender', namespace: 'team-b', main: { artifact: model('v2') } });
    expect(Testing.synth(chart)).toHaveLength(2);
  });

  test('fails when an object of the chart has the name of a rendered one', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'Hand', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ml' } });
    new CanaryInferenceService(chart, 'Svc', { name: 'svc', namespace: 'ml', router: Router.istio(), main: { artifact: model('v1') } });
    expect(() => Testing.synth(chart)).toThrow(/Service "svc" in namespace "ml" is also rendered by test\/Hand/);
  });
});

describe('fromConfigFile takes the options code takes', () => {
  const text = 'name: summarizer\nmodel: {storage_uri: "s3://m/v1", format: sklearn}\nservices:\n  summarizer:\n    instance_type: cpu.16\n' +
    'canary:\n  versions:\n    v2: {weight: 20, model: {storage_uri: "s3://m/v2", format: sklearn}}\nrollout:\n  stages: [10, 50, 100]\n';

  test('a platform\'s instance-type catalog and a stage', () => {
    const chart = Testing.chart();
    const catalog = InstanceTypeCatalog.defaults().with('cpu.16', { cpu: '16', memory: '32Gi' });
    CanaryInferenceService.fromConfigFile(chart, 'Svc', writeTemp('catalog.yaml', text), { instanceTypes: catalog, stage: 2, router: 'istio', kserveStrategy: 'per-version' });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const vs = manifests.find((m) => m.kind === 'VirtualService')!;
    expect(vs.spec.http.at(-1).route.map((r: { weight: number }) => r.weight)).toEqual([50, 50]);
    const main = manifests.find((m) => m.kind === 'InferenceService' && m.metadata.name === 'summarizer-main')!;
    expect(JSON.stringify(main.spec.predictor)).toContain('"cpu":"16"');
  });

  test('fails with an option\'s mistake named as code names it, not as a flag', () => {
    const chart = Testing.chart();
    CanaryInferenceService.fromConfigFile(chart, 'Svc', path.join(EXAMPLES, 'summarization-models.yaml'), { backend: 'seldn' });
    expect(() => Testing.synth(chart)).toThrow(/ backend: unknown backend "seldn"/);
    expect(() => Testing.synth(chart)).not.toThrow(/--backend/);
  });
});
