/**
 * Plain JavaScript (or props read from JSON) as a caller: strings where the API takes its classes are
 * either accepted for what they name or refused with the class to use; never silent wrong output.
 */
import { Testing } from 'cdk8s';
import { Artifact, Backend, CanaryInferenceService, synthesize } from '../../src';
import { issuesOf } from '../support/issues';

type Loose = any;

function service(props: Loose) {
  const chart = Testing.chart();
  new CanaryInferenceService(chart, 'Svc', { name: 'svc', ...props });
  return chart;
}

describe('class-typed props from plain JavaScript', () => {
  test('an instance type name as a plain string gives the GPU pod it names', () => {
    const chart = service({ main: { artifact: Artifact.image('ghcr.io/acme/llm:1', { port: 8000 }), instanceType: 'gpu.l4.1' } });
    const [isvc] = Testing.synth(chart);
    expect(isvc.spec.predictor.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(isvc.spec.predictor.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-L4' });
  });

  test('a scale metric and a backend by name', () => {
    const chart = service({
      backend: 'seldon',
      main: { artifact: Artifact.model({ storageUri: 's3://m/1', format: 'sklearn' }), scaling: { minReplicas: 1, maxReplicas: 3, metric: 'memory' } },
    });
    const [sdep] = Testing.synth(chart);
    expect(sdep.kind).toBe('SeldonDeployment');
    expect(sdep.spec.predictors[0].componentSpecs[0].hpaSpec.metricsv2[0].resource.name).toBe('memory');
  });

  test('fails, naming the class to use, on a number for a duration, a string for an artifact and a plain env value', () => {
    const chart = service({
      main: {
        artifact: 'fraud:v1',
        timeout: 30,
        env: { LOG_LEVEL: 'info' },
        scaling: { minReplicas: 1, maxReplicas: 2, scaleDownStabilizationWindow: 600 },
      },
    });
    expect(() => Testing.synth(chart)).toThrow(
      /main\.artifact: must be an Artifact, e.g\. Artifact\.bento\('name:version'\).*got "fraud:v1"[\s\S]*main\.scaling\.scaleDownStabilizationWindow: must be a cdk8s Duration, e\.g\. Duration\.seconds\(30\).*got 600[\s\S]*main\.env\.LOG_LEVEL: must be an EnvValue[\s\S]*main\.timeout: must be a cdk8s Duration/,
    );
  });

  test('fails on a backend that is neither a Backend nor a backend name', () => {
    expect(issuesOf(() => synthesize({ name: 'svc', main: { artifact: { type: 'bento', tag: 'a:b' } } }, { backend: { name: 'kserve' } as Loose }))).toEqual([
      'backend: must be a Backend, e.g. Backend.kserve() or Backend.argoRollouts(), got a map {"name":"kserve"}',
    ]);
    expect(issuesOf(() => synthesize({ name: 'svc', main: { artifact: { type: 'bento', tag: 'a:b' } } }, { backend: 'seldonn' as Loose }))).toEqual([
      expect.stringMatching(/^backend: unknown backend "seldonn"; did you mean "seldon"\?/),
    ]);
    expect(Backend.of('seldon').name).toBe('seldon');
  });
});
