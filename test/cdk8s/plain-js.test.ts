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

  test('fails, naming the class, on rollout props that are not its classes, with the definition\'s other problems in the same round', () => {
    // given a rollout written as a JSON file would give it, and a canary weight out of range
    const chart = service({
      backend: Backend.argoRollouts(),
      routing: 'header',
      main: { artifact: Artifact.bento('fraud:v1') },
      rollout: {
        stages: [10, 50, 100],
        pause: ['5m', null, '5m'],
        analysis: 'background',
        interval: 60,
        guardrails: ['errorRate'],
      },
    });
    const svc = chart.node.findChild('Svc') as CanaryInferenceService;
    svc.addVersion('v2', { weight: 120, artifact: Artifact.bento('fraud:v2') } as Loose);
    // when synthesized, then every problem is reported at once, each naming the class to use
    expect(problemsAtSynth(chart)).toEqual([
      expect.stringMatching(/^routing: must be a Routing, e\.g\. Routing\.random\(\) or Routing\.header\('x-user-id'\), got "header"$/),
      expect.stringMatching(/^rollout\.pause\[0\]: must be a Pause, e\.g\. Pause\.of\(Duration\.minutes\(5\)\) or Pause\.untilPromoted\(\), got "5m"$/),
      expect.stringMatching(/^rollout\.pause\[1\]: must be a Pause.*got null$/),
      expect.stringMatching(/^rollout\.pause\[2\]: must be a Pause.*got "5m"$/),
      expect.stringMatching(/^rollout\.analysis: must be an AnalysisMode, e\.g\. AnalysisMode\.STEP or AnalysisMode\.BACKGROUND, got "background"$/),
      expect.stringMatching(/^rollout\.interval: must be a cdk8s Duration.*got 60$/),
      expect.stringMatching(/^rollout\.guardrails\[0\]: must be a Guardrail, e\.g\. Guardrail\.errorRate\(\{ promoteBelow: 0\.01 \}\), got "errorRate"$/),
      'versions.v2.weight: must be a whole percent from 0 to 100, got 120; 0 is a dark launch',
    ]);
  });

  test('fails on guardrails that are not a list, and on env that is not a map', () => {
    const chart = service({ main: { artifact: Artifact.bento('fraud:v1'), env: 'LOG_LEVEL=info' }, rollout: { guardrails: 'errorRate' } });
    expect(problemsAtSynth(chart)).toEqual([
      expect.stringMatching(/^main\.env: must be a map of variable name to EnvValue.*got "LOG_LEVEL=info"$/),
      expect.stringMatching(/^rollout\.guardrails: must be a list of Guardrails.*got "errorRate"$/),
    ]);
  });
});

/** The problems `cdk8s synth` reports, one per line, without the construct path. */
function problemsAtSynth(chart: ReturnType<typeof Testing.chart>): string[] {
  try {
    Testing.synth(chart);
  } catch (e) {
    return String((e as Error).message).split('\n').slice(1).map((l) => l.trim().replace(/^\[[^\]]+\] /, ''));
  }
  throw new Error('expected synth to fail');
}
