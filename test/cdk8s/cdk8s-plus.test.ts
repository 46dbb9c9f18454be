/**
 * A service beside cdk8s-plus constructs in one chart: a kplus Secret, ConfigMap and ServiceAccount passed as they are
 * (references are structural), and a kplus Ingress and NetworkPolicy wired to the service through its handles.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Artifact, CanaryInferenceService, EnvValue, Router } from '../../src';
import { expectValidManifests } from '../support/manifests';

describe('with cdk8s-plus-28', () => {
  test('kplus objects are wired to the service through its handles', () => {
    // given a chart with kplus Secret and ConfigMap, and a service reading them
    const chart = Testing.chart();
    const secret = new kplus.Secret(chart, 'HfToken', { stringData: { token: 'x' } });
    const settings = new kplus.ConfigMap(chart, 'Settings', { data: { level: 'info' } });
    const account = new kplus.ServiceAccount(chart, 'ModelReader');
    const service = new CanaryInferenceService(chart, 'Summarizer', {
      name: 'summarizer',
      namespace: 'ml',
      router: Router.istio(),
      main: {
        artifact: Artifact.image('ghcr.io/acme/summarizer:1', { port: 3000, readinessPath: '/readyz', livenessPath: '/livez', user: 1000 }),
        env: { HF_TOKEN: EnvValue.fromSecret(secret, 'token'), LOG_LEVEL: EnvValue.fromConfigMap(settings, 'level') },
        serviceAccount: account,
      },
    });
    service.addVersion('v2', { weight: 10, artifact: Artifact.image('ghcr.io/acme/summarizer:2', { port: 3000, readinessPath: '/readyz', livenessPath: '/livez', user: 1000 }) });

    // when an Ingress and a NetworkPolicy are wired to it through the handles
    const front = service.frontService!;
    const ingress = new kplus.Ingress(chart, 'Ingress');
    // kplus's IngressBackend.fromService reads a Service's name and ports: the front Service, by its handle
    ingress.addRule('/summarize', kplus.IngressBackend.fromService({ name: front.name, ports: [{ port: front.port }] } as unknown as kplus.Service));
    const pods = kplus.Pods.select(chart, 'SummarizerPods', { labels: service.podSelector });
    const policy = new kplus.NetworkPolicy(chart, 'AllowIngress', { selector: pods });
    policy.addIngressRule(kplus.Pods.all(chart, 'AnyPod'), [kplus.NetworkPolicyPort.tcp(3000)]);
    const manifests = Testing.synth(chart);

    // then the objects refer to one another by name, and the whole chart is valid
    expectValidManifests(manifests.filter((m) => !['Secret', 'ConfigMap', 'NetworkPolicy', 'Ingress', 'ServiceAccount'].includes(m.kind)));
    const rule = manifests.find((m) => m.kind === 'Ingress')!.spec.rules[0].http.paths[0];
    expect(rule.backend.service).toEqual({ name: 'summarizer', port: { number: front.port } });
    const frontService = manifests.find((m) => m.kind === 'Service' && m.metadata.name === 'summarizer')!;
    expect(frontService.spec.ports.map((p: { port: number }) => p.port)).toContain(front.port);
    const np = manifests.find((m) => m.kind === 'NetworkPolicy')!;
    expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'summarizer' });
    const workloads = manifests.filter((m) => m.kind === 'InferenceService');
    expect(workloads).toHaveLength(2);
    for (const w of workloads) {
      expect(w.spec.predictor.labels ?? w.spec.predictor.metadata?.labels ?? {}).toMatchObject({ 'app.kubernetes.io/name': 'summarizer' });
      expect(w.spec.predictor.serviceAccountName).toBe(account.name);
      const env = w.spec.predictor.containers[0].env;
      expect(env).toEqual(expect.arrayContaining([
        { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: secret.name, key: 'token' } } },
        { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: settings.name, key: 'level' } } },
      ]));
    }
  });
});
