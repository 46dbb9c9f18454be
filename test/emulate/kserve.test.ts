/**
 * The KServe emulator, rule by rule: each test feeds a hand-written
 * InferenceService, flips the one input that makes the rule fire, and checks
 * both sides. Fixtures are plain objects (no rendering from src/).
 */
import type { KubeObject } from '../../src/backends';
import {
  KSERVE_IMAGES,
  emulateKServe,
  kserveModelReadyPaths,
  mergoOverride,
  mergeRuntimeContainer,
  parseQuantity,
  selectRuntime,
  KSERVE_RUNTIMES,
} from '../support/emulate/kserve';
import type { Container, EmulatedPod } from '../support/emulate/types';

type Obj = Record<string, unknown>;

function isvc(name: string, spec: Obj, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name, namespace: 'ml', annotations },
    spec,
  };
}

const STANDARD = { 'serving.kserve.io/deploymentMode': 'Standard' };
const KNATIVE = { 'serving.kserve.io/deploymentMode': 'Knative' };

function sklearn(extra: Obj = {}, predictor: Obj = {}): Obj {
  return {
    predictor: {
      model: { modelFormat: { name: 'sklearn' }, storageUri: 's3://models/fraud/v1', ...extra },
      ...predictor,
    },
  };
}

function main(pod: EmulatedPod): Container {
  const c = pod.spec.containers.find((x) => x.name === 'kserve-container');
  if (!c) throw new Error('no kserve-container');
  return c;
}

function podOf(pods: readonly EmulatedPod[], owner: string): EmulatedPod {
  const p = pods.find((x) => x.owner.includes(owner));
  if (!p) throw new Error(`no pod for ${owner}: ${pods.map((x) => x.owner).join(', ')}`);
  return p;
}

describe('runtime selection (predictor_model.go GetSupportingRuntimes)', () => {
  test('sklearn with the default v1 protocol picks kserve-sklearnserver; v2 picks kserve-mlserver (priority 2)', () => {
    expect(selectRuntime({ modelFormat: { name: 'sklearn' } }, 'ml', KSERVE_RUNTIMES)?.name).toBe('kserve-sklearnserver');
    expect(selectRuntime({ modelFormat: { name: 'sklearn' }, protocolVersion: 'v2' }, 'ml', KSERVE_RUNTIMES)?.name).toBe('kserve-mlserver');
  });

  test('tensorflow → tensorflow-serving (priority 2 over triton); pytorch → torchserve (triton lists pytorch without autoSelect)', () => {
    expect(selectRuntime({ modelFormat: { name: 'tensorflow' } }, 'ml', KSERVE_RUNTIMES)?.name).toBe('kserve-tensorflow-serving');
    expect(selectRuntime({ modelFormat: { name: 'pytorch' }, protocolVersion: 'v2' }, 'ml', KSERVE_RUNTIMES)?.name).toBe('kserve-torchserve');
  });

  test('an onnx `model` without protocolVersion has no runtime (triton is v2-only); the controller refuses it', () => {
    const bad = emulateKServe([isvc('o', { predictor: { model: { modelFormat: { name: 'onnx' }, storageUri: 's3://m' } } }, STANDARD)]);
    expect(bad.refused.join('\n')).toMatch(/no runtime found to support model format/);
    expect(bad.pods).toHaveLength(0);
    const good = emulateKServe([
      isvc('o', { predictor: { model: { modelFormat: { name: 'onnx' }, protocolVersion: 'v2', storageUri: 's3://m' } } }, STANDARD),
    ]);
    expect(good.refused).toEqual([]);
    expect(main(good.pods[0]).image).toBe('nvcr.io/nvidia/tritonserver:23.05-py3');
  });

  test('the `sklearn:` shorthand is defaulted to a model and gets the same runtime', () => {
    const e = emulateKServe([isvc('s', { predictor: { sklearn: { storageUri: 's3://m' } } }, STANDARD)]);
    expect(e.refused).toEqual([]);
    expect(main(e.pods[0]).image).toBe('kserve/sklearnserver:latest');
  });
});

describe('runtime container merge (utils.go MergeRuntimeContainers)', () => {
  test('runtime args come first and the predictor args are appended; {{.Name}} becomes the InferenceService name', () => {
    const e = emulateKServe([isvc('fraud', sklearn({ args: ['--workers=2'] }), STANDARD)]);
    expect(main(e.pods[0]).args).toEqual(['--model_name=fraud', '--model_dir=/mnt/models', '--http_port=8080', '--workers=2']);
  });

  test('the predictor wins field by field; env merges by name', () => {
    const merged = mergeRuntimeContainer(
      { name: 'kserve-container', image: 'a:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] },
      { image: 'b:2', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
    );
    expect(merged.image).toBe('b:2');
    expect(merged.env).toEqual([{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'Y', value: '2' }]);
  });

  test('the runtime securityContext survives (runAsNonRoot, drop ALL) unless the predictor sets the field', () => {
    const e = emulateKServe([isvc('fraud', sklearn(), STANDARD)]);
    expect(main(e.pods[0]).securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const f = emulateKServe([isvc('fraud', sklearn({ securityContext: { runAsUser: 2000, readOnlyRootFilesystem: true } }), STANDARD)]);
    expect(main(f.pods[0]).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 2000, readOnlyRootFilesystem: true });
  });
});

describe('resource defaults (runtime container resources, merged key by key)', () => {
  test('requests.cpu 4 without a cpu limit inherits the runtime limit 1: requests > limits, the Deployment is refused', () => {
    const e = emulateKServe([isvc('fraud', sklearn({ resources: { requests: { cpu: '4' } } }), STANDARD)]);
    const c = main(e.pods[0]);
    expect(c.resources).toEqual({ requests: { cpu: '4', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } });
    expect(e.refused.join('\n')).toMatch(/requests\.cpu 4 must be less than or equal to the cpu limit 1/);
  });

  test('the same container with limits.cpu 4 passes', () => {
    const e = emulateKServe([isvc('fraud', sklearn({ resources: { requests: { cpu: '4' }, limits: { cpu: '4' } } }), STANDARD)]);
    expect(main(e.pods[0]).resources?.limits).toEqual({ cpu: '4', memory: '2Gi' });
    expect(e.refused).toEqual([]);
  });

  test('a custom container gets the inferenceservice-config defaults per missing key (setResourceRequirementDefaults)', () => {
    const custom = (resources: Obj): KubeObject =>
      isvc('c', { predictor: { containers: [{ name: 'kserve-container', image: 'me/server:1', resources }] } }, STANDARD);
    const bad = emulateKServe([custom({ requests: { memory: '4Gi' } })]);
    expect(main(bad.pods[0]).resources).toEqual({ requests: { memory: '4Gi', cpu: '1' }, limits: { cpu: '1', memory: '2Gi' } });
    expect(bad.refused.join('\n')).toMatch(/requests\.memory 4Gi must be less than or equal to the memory limit 2Gi/);
    const good = emulateKServe([custom({ requests: { memory: '4Gi' }, limits: { memory: '4Gi' } })]);
    expect(good.refused).toEqual([]);
  });

  test('quantities compare across units', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2Gi')).toBe(2 * 2 ** 30);
    expect(parseQuantity('1G')).toBe(1e9);
  });
});

describe('Standard mode objects', () => {
  test('Deployment pod: app label, KServe tcp readiness probe on 8080, storage initializer with /mnt/models', () => {
    const e = emulateKServe([isvc('fraud', sklearn(), STANDARD)]);
    const p = e.pods[0];
    expect(p.labels).toMatchObject({ 'app': 'isvc.fraud-predictor', 'serving.kserve.io/inferenceservice': 'fraud', 'component': 'predictor' });
    expect(main(p).readinessProbe).toEqual({ tcpSocket: { port: 8080 } });
    expect(p.spec.initContainers?.[0]).toMatchObject({ name: 'storage-initializer', image: 'kserve/storage-initializer:latest', args: ['s3://models/fraud/v1', '/mnt/models'] });
    expect(p.spec.initContainers?.[0].securityContext).toBeUndefined();
    expect(main(p).volumeMounts).toContainEqual({ name: 'kserve-provision-location', mountPath: '/mnt/models', readOnly: true });
    expect(p.spec.volumes).toContainEqual({ name: 'kserve-provision-location', emptyDir: {} });
  });

  test('no storageUri, no init container; pvc:// mounts the claim instead', () => {
    const none = emulateKServe([isvc('fraud', { predictor: { model: { modelFormat: { name: 'sklearn' } } } }, STANDARD)]);
    expect(none.pods[0].spec.initContainers).toBeUndefined();
    const pvc = emulateKServe([isvc('fraud', sklearn({ storageUri: 'pvc://models/fraud' }), STANDARD)]);
    expect(pvc.pods[0].spec.initContainers).toBeUndefined();
    expect(pvc.pods[0].spec.volumes).toContainEqual({ name: 'kserve-pvc-source', persistentVolumeClaim: { claimName: 'models' } });
  });

  test('Service {isvc}-predictor: 80 → 8080 without declared ports; 80 → first containerPort with ports', () => {
    const plain = emulateKServe([isvc('fraud', sklearn(), STANDARD)]);
    expect(plain.services).toEqual([
      expect.objectContaining({ name: 'fraud-predictor', selector: { app: 'isvc.fraud-predictor' }, ports: [{ name: 'fraud-predictor', port: 80, targetPort: 8080 }] }),
    ]);
    const ported = emulateKServe([isvc('fraud', sklearn({ ports: [{ name: 'http1', containerPort: 9000 }, { name: 'grpc', containerPort: 9001 }] }), STANDARD)]);
    expect(ported.services[0].ports).toEqual([
      { name: 'http1', port: 80, targetPort: 9000 },
      { name: 'grpc', port: 9001, targetPort: 9001 },
    ]);
    expect(main(ported.pods[0]).readinessProbe).toEqual({ tcpSocket: { port: 9000 } });
  });

  test('a named predictor names the Deployment/Service {isvc}-{name}-predictor', () => {
    const e = emulateKServe([isvc('fraud', sklearn({}, { name: 'v1' }), STANDARD)]);
    expect(e.services[0].name).toBe('fraud-v1-predictor');
  });

  test('model.name is refused by the webhook (use predictor.name)', () => {
    const e = emulateKServe([isvc('fraud', sklearn({ name: 'v1' }), STANDARD)]);
    expect(e.refused.join('\n')).toMatch(/'name' field is not allowed in standard predictor/);
  });

  test('a GPU limit switches the huggingface image to the -gpu tag (UpdateImageTag)', () => {
    const hf = (resources: Obj): KubeObject =>
      isvc('llm', { predictor: { model: { modelFormat: { name: 'huggingface' }, storageUri: 'hf://org/m', resources } } }, STANDARD);
    expect(main(emulateKServe([hf({})]).pods[0]).image).toBe('kserve/huggingfaceserver:latest');
    expect(main(emulateKServe([hf({ limits: { 'nvidia.com/gpu': '1' }, requests: { 'nvidia.com/gpu': '1' } })]).pods[0]).image).toBe(
      'kserve/huggingfaceserver:latest-gpu',
    );
  });
});

describe('spec.canary[] (buildCanaryPredictor: mergo WithOverride onto the stable predictor)', () => {
  const gpuStable = {
    minReplicas: 4,
    nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    model: {
      modelFormat: { name: 'sklearn' },
      storageUri: 's3://models/fraud/v1',
      resources: { requests: { 'cpu': '4', 'nvidia.com/gpu': '1' }, limits: { 'cpu': '4', 'nvidia.com/gpu': '1' } },
    },
  };

  function withCanary(canaryPredictor: Obj, annotations: Record<string, string> = STANDARD): KubeObject {
    return isvc('fraud', { predictor: gpuStable, canary: [{ trafficPercent: 25, predictor: { name: 'v2', ...canaryPredictor } }] }, annotations);
  }

  test('a CPU canary (only cpu resources, no nodeSelector) still inherits the GPU request, nodeSelector and tolerations', () => {
    const e = emulateKServe([
      withCanary({ model: { modelFormat: { name: 'sklearn' }, storageUri: 's3://models/fraud/v2', resources: { requests: { cpu: '2' }, limits: { cpu: '2' } } } }),
    ]);
    expect(e.refused).toEqual([]);
    const canary = podOf(e.pods, 'canary v2');
    expect(main(canary).resources).toEqual({
      requests: { 'cpu': '2', 'nvidia.com/gpu': '1', 'memory': '2Gi' },
      limits: { 'cpu': '2', 'nvidia.com/gpu': '1', 'memory': '2Gi' },
    });
    expect(canary.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(canary.spec.tolerations).toHaveLength(1);
    expect(canary.spec.initContainers?.[0].args).toEqual(['s3://models/fraud/v2', '/mnt/models']);
    expect(canary.labels.app).toBe('isvc.fraud-v2-predictor');
  });

  test('setting nvidia.com/gpu "0" overrides the inherited key; a nodeSelector key can only be overwritten, not removed', () => {
    const e = emulateKServe([
      withCanary({
        nodeSelector: { 'cloud.google.com/gke-accelerator': '', 'pool': 'cpu' },
        tolerations: [{ key: 'pool', value: 'cpu', effect: 'NoSchedule' }],
        model: { resources: { requests: { 'nvidia.com/gpu': '0' }, limits: { 'nvidia.com/gpu': '0' } } },
      }),
    ]);
    const canary = podOf(e.pods, 'canary v2');
    expect(main(canary).resources?.limits?.['nvidia.com/gpu']).toBe('0');
    expect(canary.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': '', 'pool': 'cpu' });
    expect(canary.spec.tolerations).toEqual([{ key: 'pool', value: 'cpu', effect: 'NoSchedule' }]);
  });

  test('an empty tolerations list does not clear the inherited ones (mergo skips empty slices)', () => {
    expect(mergoOverride({ tolerations: [{ key: 'a' }] }, { tolerations: [] })).toEqual({ tolerations: [{ key: 'a' }] });
    expect(mergoOverride({ sc: { runAsNonRoot: true } }, { sc: { runAsNonRoot: false } })).toEqual({ sc: { runAsNonRoot: true } });
  });

  test('canary Service and route weights: stable 75, canary 25; canary replicas fixed', () => {
    const e = emulateKServe([withCanary({ model: { storageUri: 's3://models/fraud/v2' } })]);
    expect(e.services.map((s) => s.name).sort()).toEqual(['fraud-predictor', 'fraud-v2-predictor']);
    expect(e.routes).toEqual([
      { owner: 'HTTPRoute fraud', service: 'fraud-predictor', port: 80, weight: 75 },
      { owner: 'HTTPRoute fraud', service: 'fraud-v2-predictor', port: 80, weight: 25 },
    ]);
  });

  test('canary is refused outside Standard mode (no annotation: the shipped default is Serverless/Knative)', () => {
    const noAnnotation = emulateKServe([withCanary({ model: { storageUri: 's3://v2' } }, {})]);
    expect(noAnnotation.refused.join('\n')).toMatch(/canary is only supported in Standard deployment mode/);
    const legacy = emulateKServe([withCanary({ model: { storageUri: 's3://v2' } }, { 'serving.kserve.io/deploymentMode': 'RawDeployment' })]);
    expect(legacy.refused).toEqual([]);
  });

  test('canary minReplicas above the stable minReplicas, or autoscaling fields, are refused', () => {
    const e = emulateKServe([withCanary({ minReplicas: 5, maxReplicas: 6, model: { storageUri: 's3://v2' } })]);
    expect(e.refused.join('\n')).toMatch(/must not set maxReplicas/);
    expect(e.refused.join('\n')).toMatch(/minReplicas \(5\) must not exceed stable predictor minReplicas \(4\)/);
  });

  test('a canary without predictor.name is refused', () => {
    const e = emulateKServe([isvc('fraud', { predictor: gpuStable, canary: [{ trafficPercent: 10, predictor: { model: { storageUri: 's3://v2' } } }] }, STANDARD)]);
    expect(e.refused.join('\n')).toMatch(/canary\[0\] predictor.name is required/);
  });
});

describe('Knative mode (Knative webhook field masks, default config-features)', () => {
  test('a pod securityContext is refused naming kubernetes.podspec-securitycontext; enabling the flag admits it', () => {
    const obj = isvc('fraud', sklearn({}, { securityContext: { runAsNonRoot: true, fsGroup: 1000 } }), KNATIVE);
    const e = emulateKServe([obj]);
    expect(e.refused.join('\n')).toMatch(/securityContext\.runAsNonRoot \(needs config-features kubernetes\.podspec-securitycontext: enabled\)/);
    expect(emulateKServe([obj], { knativeFeatures: { 'kubernetes.podspec-securitycontext': 'enabled' } }).refused).toEqual([]);
  });

  test('nodeSelector / tolerations / affinity are refused naming their flags', () => {
    const e = emulateKServe([
      isvc('fraud', sklearn({}, { nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'x', operator: 'Exists' }], affinity: { nodeAffinity: {} } }), KNATIVE),
    ]);
    const text = e.refused.join('\n');
    expect(text).toMatch(/nodeSelector \(needs config-features kubernetes\.podspec-nodeselector/);
    expect(text).toMatch(/tolerations \(needs config-features kubernetes\.podspec-tolerations/);
    expect(text).toMatch(/affinity \(needs config-features kubernetes\.podspec-affinity/);
    expect(emulateKServe([isvc('fraud', sklearn(), KNATIVE)]).refused).toEqual([]);
  });

  test('container securityContext from the runtime (privileged: false, drop ALL) passes; capabilities.add is refused', () => {
    const ok = emulateKServe([isvc('fraud', sklearn({ securityContext: { readOnlyRootFilesystem: true, runAsUser: 1000 } }), KNATIVE)]);
    expect(ok.refused).toEqual([]);
    const bad = emulateKServe([isvc('fraud', sklearn({ securityContext: { capabilities: { add: ['NET_ADMIN'] } } }), KNATIVE)]);
    expect(bad.refused.join('\n')).toMatch(/capabilities\.add \(needs config-features kubernetes\.containerspec-addcapabilities/);
  });

  test('timeout 900 exceeds max-revision-timeout-seconds 600; 600 passes; raising the max admits 900', () => {
    const at = (timeout: number): KubeObject => isvc('fraud', sklearn({}, { timeout }), KNATIVE);
    expect(emulateKServe([at(900)]).refused.join('\n')).toMatch(/expected 0 <= 900 <= 600: spec\.template\.spec\.timeoutSeconds/);
    expect(emulateKServe([at(600)]).refused).toEqual([]);
    expect(emulateKServe([at(900)], { maxRevisionTimeoutSeconds: 1800 }).refused).toEqual([]);
  });

  test('emptyDir volumes are allowed by default (the HF runtime /dev/shm) and refused when the flag is disabled', () => {
    const hf = isvc('llm', { predictor: { model: { modelFormat: { name: 'huggingface' }, storageUri: 'hf://org/m' } } }, KNATIVE);
    expect(emulateKServe([hf]).refused).toEqual([]);
    expect(emulateKServe([hf], { knativeFeatures: { 'kubernetes.podspec-volumes-emptydir': 'disabled' } }).refused.join('\n')).toMatch(
      /volume devshm: emptyDir volume support is disabled/,
    );
  });

  test('two container ports, a reserved port or a port name other than http1/h2c are refused', () => {
    const two = emulateKServe([isvc('f', sklearn({ ports: [{ containerPort: 8080 }, { containerPort: 9000 }] }), KNATIVE)]);
    expect(two.refused.join('\n')).toMatch(/more than one container port is set/);
    const reserved = emulateKServe([isvc('f', sklearn({ ports: [{ containerPort: 8012 }] }), KNATIVE)]);
    expect(reserved.refused.join('\n')).toMatch(/8012 is a reserved port/);
    const named = emulateKServe([isvc('f', sklearn({ ports: [{ name: 'http', containerPort: 8080 }] }), KNATIVE)]);
    expect(named.refused.join('\n')).toMatch(/Port name http is not allowed/);
    expect(emulateKServe([isvc('f', sklearn({ ports: [{ name: 'http1', containerPort: 8080 }] }), KNATIVE)]).refused).toEqual([]);
  });

  test('the revision pod: user-port 8080 and PORT env, readiness tcp on it (queue-proxy), storage initializer added by the pod webhook', () => {
    const e = emulateKServe([isvc('fraud', sklearn(), KNATIVE)]);
    const p = e.pods[0];
    expect(p.labels['serving.knative.dev/revision']).toBe('fraud-predictor-00001');
    const c = main(p);
    expect(c.ports).toEqual([{ name: 'user-port', containerPort: 8080 }]);
    expect(c.env).toContainEqual({ name: 'PORT', value: '8080' });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 8080 } });
    expect(p.spec.initContainers?.[0].name).toBe('storage-initializer');
    expect(e.services.find((s) => s.name === 'fraud-predictor-00001-private')).toMatchObject({
      selector: { 'serving.knative.dev/revision': 'fraud-predictor-00001' },
      ports: expect.arrayContaining([{ name: 'http', port: 80, targetPort: 8012 }]),
    });
  });

  test('no annotation and the shipped default (Serverless) means Knative; defaultDeploymentMode Standard means a Deployment', () => {
    expect(emulateKServe([isvc('fraud', sklearn())]).pods[0].labels['serving.knative.dev/revision']).toBeDefined();
    expect(emulateKServe([isvc('fraud', sklearn())], { defaultDeploymentMode: 'Standard' }).pods[0].labels.app).toBe('isvc.fraud-predictor');
  });
});

describe('KSERVE_IMAGES', () => {
  test('users from the Dockerfiles, ports from the args', () => {
    const sk = KSERVE_IMAGES('kserve/sklearnserver:latest');
    expect(sk?.user).toBe(1000);
    expect(KSERVE_IMAGES('docker.io/kserve/pmmlserver:v0.14.0')?.user).toBe(1001);
    expect(KSERVE_IMAGES('tensorflow/serving:2.6.2')?.user).toBeUndefined();
    expect(KSERVE_IMAGES('example.com/unknown:1')).toBeUndefined();
    const c: Container = { name: 'kserve-container', args: ['--model_name=fraud', '--http_port=9000'] };
    expect(sk?.listens(c)).toEqual([9000, 8081]);
    expect(sk?.readyPaths).toContain('/v2/health/ready');
    expect(kserveModelReadyPaths(c)).toEqual(['/v1/models/fraud', '/v2/models/fraud/ready']);
  });

  test('the huggingface server writes HF_HOME (default /tmp/huggingface, env overrides)', () => {
    const hf = KSERVE_IMAGES('kserve/huggingfaceserver:latest-gpu');
    expect(hf?.writes({ name: 'c' })).toEqual(['/tmp/huggingface']);
    expect(hf?.writes({ name: 'c', env: [{ name: 'HF_HOME', value: '/cache' }] })).toEqual(['/cache']);
  });
});
