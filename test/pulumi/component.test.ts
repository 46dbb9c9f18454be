/**
 * The Pulumi component under pulumi.runtime.setMocks (no Pulumi CLI, no
 * cluster): for every backend it creates exactly the rendered objects, as the
 * right resource types, with the same inputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { parse, stringify } from 'yaml';
import { EXAMPLES, writeTemp } from '../support/cli';
import { CRDS_DIR, expectValidManifests } from '../support/manifests';

interface Created {
  readonly type: string;
  readonly name: string;
  readonly inputs: any;
}

let created: Created[] = [];

void pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      created.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  'canary-inference',
  'test',
  false,
);

// loaded after the mocks, as a Pulumi program is
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../src/pulumi') as typeof import('../../src/pulumi');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { synthesizeConfigFile } = require('../../src/config') as typeof import('../../src/config');
const { Artifact, Backend, CanaryInferenceService, COMPONENT_TYPE, InstanceType, KServeMode, Router, Routing } = lib;

type Service = InstanceType<typeof CanaryInferenceService>;

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((ok) => output.apply(ok));
}

/** Waits until every resource of `svc` is registered with the mock engine; returns them. */
async function settle(svc: Service): Promise<Created[]> {
  await resolve(pulumi.all(svc.resources.map((r) => r.urn)));
  const name = pulumi.runtime.isDryRun() ? '' : (await resolve(svc.urn)).split('::').pop()!;
  return created.filter((c) => c.type !== COMPONENT_TYPE && c.name.startsWith(`${name}-`));
}

/** The type token Pulumi's Kubernetes provider uses for an object. */
function typeOf(obj: any): string {
  return `kubernetes:${obj.apiVersion.includes('/') ? obj.apiVersion : `core/${obj.apiVersion}`}:${obj.kind}`;
}

beforeEach(() => {
  created = [];
});

const rolloutFile = path.join(EXAMPLES, 'fraud-detector-rollout.yaml');
const modelsFile = path.join(EXAMPLES, 'summarization-models.yaml');

describe('CanaryInferenceService (Pulumi) from a canary file, for every backend', () => {
  test.each([
    ['summarization-models.yaml', {}, ['InferenceService']],
    ['summarization-models.yaml', { backend: 'seldon' }, ['SeldonDeployment']],
    ['summarization-models.yaml', { backend: 'seldon-v2' }, ['Model', 'Model', 'Model', 'Server', 'Server', 'Server', 'Experiment']],
    ['summarization-models.yaml', { backend: 'kserve', router: 'istio' }, ['InferenceService', 'InferenceService', 'InferenceService', 'Service', 'VirtualService']],
    ['summarization-header.yaml', {}, ['InferenceService', 'InferenceService', 'InferenceService', 'Service', 'VirtualService', 'EnvoyFilter']],
    ['summarization-query.yaml', {}, ['SeldonDeployment', 'Service', 'VirtualService', 'EnvoyFilter']],
    ['summarization-knative.yaml', {}, ['InferenceService']],
    [
      'fraud-detector-rollout.yaml',
      {},
      ['Rollout', 'Service', 'Service', 'Service', 'VirtualService', 'DestinationRule', 'HorizontalPodAutoscaler', 'AnalysisTemplate', 'PodMonitor'],
    ],
  ])('%s with %j creates one resource per rendered object, with the same inputs', async (file, overrides, kinds) => {
    const expected = synthesizeConfigFile(path.join(EXAMPLES, file), overrides).objects;
    expect(expected.map((o) => o.kind)).toEqual(kinds);
    expectValidManifests(expected);

    const svc = CanaryInferenceService.fromConfigFile('svc', path.join(EXAMPLES, file), overrides);
    const resources = await settle(svc);

    // the same objects, as the provider's types, in the same order (Pulumi orders by dependencies, not by creation)
    const byName = new Map(resources.map((r) => [`${r.type} ${r.inputs.metadata.name}`, r]));
    expect(resources).toHaveLength(expected.length);
    for (const obj of expected) {
      const r = byName.get(`${typeOf(obj)} ${obj.metadata.name}`);
      expect(r).toBeDefined();
      expect(r!.inputs).toEqual(obj);
      expect(r!.name).toBe(`svc-${obj.kind.toLowerCase()}-${obj.metadata.name}`);
    }
  });

  test('BentoCloud\'s own file (query hashing, so with router istio) gives InferenceServices on kserve and a SeldonDeployment on seldon', async () => {
    const bentoCloud = path.join(EXAMPLES, 'summarization.yaml');
    const kserve = await settle(CanaryInferenceService.fromConfigFile('bc-kserve', bentoCloud, { backend: 'kserve', router: 'istio' }));
    expect(kserve.filter((r) => r.type === 'kubernetes:serving.kserve.io/v1beta1:InferenceService').map((r) => r.inputs.metadata.name)).toEqual([
      'summarization-blel-main',
      'summarization-blel-a',
      'summarization-blel-b',
    ]);
    const seldon = await settle(CanaryInferenceService.fromConfigFile('bc-seldon', bentoCloud, { backend: 'seldon', router: 'istio' }));
    expect(seldon.filter((r) => r.type === 'kubernetes:machinelearning.seldon.io/v1:SeldonDeployment')).toHaveLength(1);
    expectValidManifests([...kserve, ...seldon].map((r) => r.inputs));
  });

  test('the Argo Rollouts file gives a Rollout, an AnalysisTemplate and an HPA, with typed resources for core kinds', async () => {
    const svc = CanaryInferenceService.fromConfigFile('fraud', rolloutFile);
    const resources = await settle(svc);
    const types = resources.map((r) => r.type);
    expect(types).toContain('kubernetes:argoproj.io/v1alpha1:Rollout');
    expect(types).toContain('kubernetes:argoproj.io/v1alpha1:AnalysisTemplate');
    expect(types).toContain('kubernetes:autoscaling/v2:HorizontalPodAutoscaler');
    expect(types.filter((t) => t === 'kubernetes:core/v1:Service')).toHaveLength(3);
    expect(svc.resources.map((r) => r.constructor.name)).toEqual([
      'CustomResource',
      'Service',
      'Service',
      'Service',
      'CustomResource',
      'CustomResource',
      'HorizontalPodAutoscaler',
      'CustomResource',
      'CustomResource',
    ]);
    expect(svc.warnings.join('\n')).toContain('apply main first');
  });

  test('outputs: each version\'s role and weight, and the host clients call', async () => {
    const svc = CanaryInferenceService.fromConfigFile('fraud', rolloutFile);
    expect(svc.serviceName).toBe('fraud-detector');
    expect(svc.namespace).toBe('ml');
    expect(await resolve(svc.versions)).toEqual({ main: { role: 'main', weight: 95 }, v2: { role: 'canary', weight: 5 } });
    expect(await resolve(svc.host)).toBe('fraud-detector.ml.svc.cluster.local');
  });

  test('with a router, each version has the host of its own Service', async () => {
    const svc = CanaryInferenceService.fromConfigFile('sum', modelsFile, { router: 'istio' });
    expect(await resolve(svc.versions)).toEqual({
      main: { role: 'main', weight: 50, host: 'summarization-blel-main-predictor.ml.svc.cluster.local' },
      a: { role: 'canary', weight: 20, host: 'summarization-blel-a-predictor.ml.svc.cluster.local' },
      b: { role: 'canary', weight: 30, host: 'summarization-blel-b-predictor.ml.svc.cluster.local' },
    });
    expect(await resolve(svc.host)).toBe('summarization-blel.ml.svc.cluster.local');
  });

  test('overrides take the kubernetes block\'s names in camelCase; the options\' namespace yields to an override, and beats the file', async () => {
    const fromOpts = CanaryInferenceService.fromConfigFile('a', modelsFile, {}, { namespace: 'team-a' });
    expect(fromOpts.namespace).toBe('team-a');
    const fromOverride = CanaryInferenceService.fromConfigFile('b', modelsFile, { namespace: 'team-b' }, { namespace: 'team-a' });
    expect(fromOverride.namespace).toBe('team-b');
    const knative = CanaryInferenceService.fromConfigFile('c', path.join(EXAMPLES, 'summarization-knative.yaml'), { kserveMode: 'standard', router: 'istio' });
    const resources = await settle(knative);
    expect(resources.filter((r) => r.type === 'kubernetes:networking.istio.io/v1:VirtualService')).toHaveLength(1);
  });

  test('the stage, promotion and rollback states render as for the CLI', async () => {
    const svc = new CanaryInferenceService('staged', {
      serviceName: 'fraud',
      backend: Backend.kserve({ mode: KServeMode.KNATIVE }),
      main: { artifact: Artifact.bento('fraud:v1') },
      versions: { v2: { weight: 5, artifact: Artifact.bento('fraud:v2') } },
      rollout: { stages: [5, 10, 25, 50, 100] },
      stage: 3,
    });
    const isvc = (await settle(svc)).find((r) => r.inputs.kind === 'InferenceService')!;
    expect(isvc.inputs.spec.predictor.canaryTrafficPercent).toBe(25);
  });
});

describe('CanaryInferenceService (Pulumi) from code', () => {
  const EXPECTED_RECOMMENDER = [
    'InferenceService/ml/recommender-main',
    'InferenceService/ml/recommender-v2',
    'Service/ml/recommender',
    'VirtualService/ml/recommender',
    // the EnvoyFilter runs in the mesh's root namespace so every caller's sidecar hashes the header
    'EnvoyFilter/istio-system/recommender-ml-canary-assignment',
  ];

  test('args are the constructs\' props; versions by name; namespace and provider through the options', async () => {
    const provider = new k8s.Provider('cluster', {});
    const svc = new CanaryInferenceService(
      'recommender',
      {
        backend: Backend.kserve(),
        router: Router.istio(),
        routing: Routing.header('x-user-id'),
        main: {
          artifact: Artifact.model({ storageUri: 's3://models/recommender/v1', format: 'sklearn' }),
          instanceType: InstanceType.of('cpu.1'),
          scaling: { minReplicas: 1, maxReplicas: 3 },
        },
        versions: { v2: { weight: 20, artifact: Artifact.model({ storageUri: 's3://models/recommender/v2', format: 'sklearn' }) } },
      },
      { namespace: 'ml', providers: { kubernetes: provider } },
    );
    const resources = await settle(svc);
    const names = resources.map((r) => `${r.inputs.kind}/${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`);
    expect(names.sort()).toEqual([...EXPECTED_RECOMMENDER].sort());
    expect(svc.serviceName).toBe('recommender');
    expectValidManifests(resources.map((r) => r.inputs));
    // every resource is a child of the component
    for (const r of svc.resources) expect(await resolve(r.urn)).toContain(`${COMPONENT_TYPE}$`);
  });

  test('invalid args throw a ResourceError with every problem, in the CLI\'s words', () => {
    const make = () =>
      new CanaryInferenceService('bad', {
        backend: Backend.argoRollouts(),
        main: { artifact: Artifact.bento('fraud:v1') },
        versions: { v2: { weight: 60, artifact: Artifact.bento('fraud:v2') }, v3: { weight: 50, artifact: Artifact.bento('fraud:v3') } },
      });
    expect(make).toThrow(pulumi.ResourceError);
    expect(make).toThrow('versions: canary weights sum to 110 (v2: 60, v3: 50); the sum must be at most 100');
  });

  test('an invalid file throws with the file\'s line and column, as the CLI prints them', () => {
    const file = path.join(EXAMPLES, 'summarization.yaml');
    expect(() => CanaryInferenceService.fromConfigFile('bad', file)).toThrow(pulumi.ResourceError);
    expect(() => CanaryInferenceService.fromConfigFile('bad', file)).toThrow(`${file}:19:3 canary.route_type: routing by "query"`);
  });

  test('a file that cannot be read or parsed throws a RunError with the position', () => {
    expect(() => CanaryInferenceService.fromConfigFile('missing', '/nonexistent/canary.yaml')).toThrow(/cannot read the file/);
  });
});

describe('the cluster\'s CRDs (option clusterCrds)', () => {
  const current = path.join(CRDS_DIR, 'kserve/serving.kserve.io_inferenceservices.yaml');
  function withoutCanary(): string {
    const crd = parse(fs.readFileSync(current, 'utf8'));
    for (const v of crd.spec.versions) delete v.schema.openAPIV3Schema.properties.spec.properties.canary;
    return writeTemp('kserve-0.19.yaml', stringify(crd));
  }

  test('a KServe without spec.canary refuses the multi-canary InferenceService before anything is created', () => {
    expect(() => CanaryInferenceService.fromConfigFile('old', modelsFile, {}, { clusterCrds: withoutCanary() })).toThrow(pulumi.ResourceError);
    expect(() => CanaryInferenceService.fromConfigFile('old', modelsFile, {}, { clusterCrds: withoutCanary() })).toThrow(
      'InferenceService/summarization-blel: spec.canary: unknown field "canary"',
    );
  });

  test('the current CRDs take it', async () => {
    const svc = CanaryInferenceService.fromConfigFile('current', modelsFile, {}, { clusterCrds: [current] });
    expect(await settle(svc)).toHaveLength(1);
    expect(lib.validateAgainstCrds).toBeDefined();
  });
});

describe('examples/pulumi', () => {
  test('the program runs under mocks and creates both services', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require('../../examples/pulumi/index') as Record<string, pulumi.Output<unknown>>;
    expect(await resolve(program.recommenderHost)).toBe('recommender.ml.svc.cluster.local');
    expect(await resolve(program.fraudHost)).toBe('fraud-detector.ml.svc.cluster.local');
    expect(await resolve(program.recommenderVersions)).toMatchObject({ main: { weight: 80 }, v2: { weight: 20 } });
    await new Promise((r) => setTimeout(r, 100));
    const kinds = created.filter((c) => c.type !== COMPONENT_TYPE).map((c) => c.inputs.kind);
    expect(kinds).toEqual(expect.arrayContaining(['InferenceService', 'Rollout', 'AnalysisTemplate', 'HorizontalPodAutoscaler', 'EnvoyFilter']));
    expectValidManifests(created.filter((c) => c.type !== COMPONENT_TYPE).map((c) => c.inputs));
  });
});
