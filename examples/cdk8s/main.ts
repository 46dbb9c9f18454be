/**
 * A cdk8s app with two canary inference services: one defined in code and
 * rolled out progressively by Argo Rollouts, one read from a BentoCloud-style
 * canary file. `npx cdk8s synth` writes dist/ml.k8s.yaml.
 *
 * In this repository, 'canary-inference' resolves to the sources (examples/tsconfig.json).
 */
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import { Artifact, Backend, CanaryInferenceService, EnvValue, Guardrail, InstanceType, Pause, Router } from 'canary-inference';

const app = new App();
const chart = new Chart(app, 'ml', { namespace: 'ml' });

// Fraud detection: v2 goes 5, 10, 25, 50, 100 percent under Argo Rollouts, guarded by error rate, latency and drift.
const fraud = new CanaryInferenceService(chart, 'FraudDetector', {
  name: 'fraud-detector',
  imageRepository: 'registry.example.com/bentos',
  backend: Backend.argoRollouts(),
  router: Router.istio(),
  main: {
    artifact: Artifact.bento('fraud:v1abc'),
    instanceType: InstanceType.of('cpu.2'),
    scaling: { minReplicas: 2, maxReplicas: 6, scaleDownStabilizationWindow: Duration.minutes(10) },
    env: { MODEL_THRESHOLD: EnvValue.fromValue('0.8') },
  },
  rollout: {
    stages: [5, 10, 25, 50, 100],
    pause: Pause.of(Duration.minutes(5)),
    guardrails: [
      Guardrail.errorRate({ promoteBelow: 0.005, rollbackAbove: 0.01 }),
      Guardrail.p99LatencyMs({ promoteBelow: 200, rollbackAbove: 500 }),
      Guardrail.predictionDriftPsi({ metric: 'model_prediction_psi' }),
    ],
  },
});
fraud.addVersion('v2', { weight: 5, artifact: Artifact.bento('fraud:v2def') });

// Summarization: the platform catalog's file, on KServe Standard mode (namespace from the chart).
CanaryInferenceService.fromConfigFile(chart, 'Summarization', path.join(__dirname, '../bentocloud/summarization-models.yaml'), { namespace: 'ml' });

app.synth();
