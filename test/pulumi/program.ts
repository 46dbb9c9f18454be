/**
 * A Pulumi program as a user writes it, importing only the Pulumi packages and
 * the library's Pulumi entry: a progressive rollout under Argo Rollouts behind
 * Istio, in a namespace, an image and env values that other resources give.
 * Required by component.test.ts after the mocks are set, as Pulumi loads a program.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  AnalysisMode,
  Artifact,
  Backend,
  CanaryInferenceService,
  Duration,
  EnvValue,
  Guardrail,
  InstanceType,
  InstanceTypeCatalog,
  Pause,
  Router,
  ScaleMetric,
  SeccompProfile,
} from '../../src/pulumi';

const ns = new k8s.core.v1.Namespace('team-a', { metadata: { name: 'team-a' } });
const settings = new k8s.core.v1.ConfigMap('settings', { metadata: { namespace: ns.metadata.name }, data: { logLevel: 'info' } });
const credentials = new k8s.core.v1.Secret('db-credentials', { metadata: { name: 'fraud-db', namespace: ns.metadata.name }, stringData: { password: 'not-in-the-manifest' } });
// the image a build step pushed (here a stack output of another project, say)
const image = pulumi.output('registry.example.com/fraud/server:2.0.0');

export const service = new CanaryInferenceService('fraud', {
  serviceName: 'fraud-detector',
  namespace: ns.metadata.name,
  backend: Backend.argoRollouts(),
  router: Router.istio(),
  instanceTypes: InstanceTypeCatalog.defaults().with('cpu.small', { cpu: '500m', memory: '1Gi' }),
  main: {
    artifact: Artifact.image('registry.example.com/fraud/server:1.0.0', { port: 8080, readinessPath: '/ready', livenessPath: '/live', user: 1000 }),
    instanceType: InstanceType.of('cpu.small'),
    scaling: { minReplicas: 2, maxReplicas: 4, metric: ScaleMetric.CPU, scaleDownStabilizationWindow: Duration.minutes(10) },
    env: {
      LOG_LEVEL: EnvValue.fromValue(settings.data.apply((d) => d.logLevel)),
      DB_PASSWORD: EnvValue.fromSecret(credentials.metadata.name, 'password'),
    },
    timeout: Duration.seconds(30),
    security: { seccompProfile: SeccompProfile.RUNTIME_DEFAULT },
  },
  versions: {
    v2: { weight: 10, artifact: Artifact.image(image, { port: 8080, readinessPath: '/ready', livenessPath: '/live', user: 1000 }) },
  },
  rollout: {
    stages: [10, 50, 100],
    pause: [Pause.of(Duration.minutes(5)), Pause.of(Duration.minutes(10)), Pause.untilPromoted()],
    analysis: AnalysisMode.STEP,
    interval: Duration.minutes(1),
    guardrails: [
      Guardrail.errorRate({ promoteBelow: 0.005, rollbackAbove: 0.01 }),
      Guardrail.p99LatencyMs({ promoteBelow: 250, rollbackAbove: 500 }),
    ],
  },
});

export const namespace = service.namespace;
export const host = service.host;
export const versions = service.versions;
