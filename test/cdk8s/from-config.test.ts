/**
 * CanaryInferenceService.fromConfigFile: the platform catalog's files in a
 * cdk8s app, with the CLI's messages (file, line, column) at synth.
 */
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { CanaryInferenceService, synthesizeConfigFile } from '../../src';
import { EXAMPLES, writeTemp } from '../support/cli';
import { expectValidManifests } from '../support/manifests';

const file = (name: string) => path.join(EXAMPLES, name);

describe('CanaryInferenceService.fromConfigFile', () => {
  test.each([
    ['summarization-models.yaml', {}],
    ['summarization-models.yaml', { backend: 'seldon' }],
    ['summarization-models.yaml', { backend: 'seldon-v2' }],
    ['summarization-header.yaml', {}],
    ['summarization-query.yaml', {}],
    ['summarization-knative.yaml', {}],
    ['fraud-detector-rollout.yaml', {}],
    ['fraud-detector-rollout.yaml', { backend: 'kserve', router: 'gateway-api' }],
  ])('%s with %j synthesizes what the CLI synthesizes', (name, overrides) => {
    const chart = Testing.chart();
    CanaryInferenceService.fromConfigFile(chart, 'Svc', file(name), overrides);
    const objects = Testing.synth(chart);
    expect(objects).toEqual(synthesizeConfigFile(file(name), overrides).objects);
    expectValidManifests(objects);
  });

  test('the Argo Rollouts file gives a Rollout, an AnalysisTemplate and an HPA', () => {
    const chart = Testing.chart();
    const svc = CanaryInferenceService.fromConfigFile(chart, 'Fraud', file('fraud-detector-rollout.yaml'));
    expect(svc.name).toBe('fraud-detector');
    const kinds = Testing.synth(chart).map((o) => o.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Rollout', 'AnalysisTemplate', 'HorizontalPodAutoscaler']));
  });

  test('a file without a namespace takes the chart\'s; the file\'s own wins over the chart\'s; an override wins over both', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'team', { namespace: 'team-a' });
    const noNamespace = writeTemp('no-namespace.yaml', 'name: plain\nbento: plain:v1\n');
    CanaryInferenceService.fromConfigFile(chart, 'Plain', noNamespace);
    CanaryInferenceService.fromConfigFile(chart, 'Models', file('summarization-models.yaml'));
    CanaryInferenceService.fromConfigFile(chart, 'Override', file('fraud-detector-rollout.yaml'), { namespace: 'team-c', backend: 'kserve' });
    const objects = Testing.synth(chart);
    const ns = (name: string) => [...new Set(objects.filter((o) => o.metadata.name.startsWith(name)).map((o) => o.metadata.namespace))];
    expect(ns('plain')).toEqual(['team-a']);
    expect(ns('summarization-blel')).toEqual(['ml']);
    expect(ns('fraud-detector')).toEqual(['team-c']);
  });

  test('problems are reported at synth with the file\'s line and column, as by the CLI', () => {
    const app = new App();
    const chart = new Chart(app, 'ml');
    CanaryInferenceService.fromConfigFile(chart, 'Bad', file('summarization.yaml'));
    expect(() => app.synth()).toThrow(`${file('summarization.yaml')}:19:3 canary.route_type: routing by "query"`);
  });

  test('a file that cannot be parsed is reported at synth, with its position', () => {
    const app = new App();
    const chart = new Chart(app, 'ml');
    const broken = writeTemp('broken.yaml', 'name: x\nbento: [unclosed\n');
    CanaryInferenceService.fromConfigFile(chart, 'Broken', broken);
    expect(() => app.synth()).toThrow(new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ .*malformed YAML`));
  });

  test('versions come from the file: addVersion is refused', () => {
    const svc = CanaryInferenceService.fromConfigFile(Testing.chart(), 'Models', file('summarization-models.yaml'));
    expect(() => svc.addVersion('c', { weight: 1 })).toThrow('comes from a canary file: add versions to the file\'s canary.versions');
  });

  test('versionFor assigns keys as the file\'s router does', () => {
    const svc = CanaryInferenceService.fromConfigFile(Testing.chart(), 'Header', file('summarization-header.yaml'));
    const assigned = new Set(Array.from({ length: 200 }, (_, i) => svc.versionFor(`user-${i}`)));
    expect([...assigned].sort()).toEqual(['a', 'b', 'main']);
  });
});
