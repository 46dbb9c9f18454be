/**
 * The Pulumi component under pulumi.runtime.setMocks (no Pulumi CLI, no
 * cluster): for every backend it creates exactly the rendered objects, as the
 * right resource types, with the same inputs; values from other resources
 * (Outputs) render as their plain values would, and are checked as they are.
 */
import { spawnSync } from 'child_process';
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
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { STAND_IN_PREFIX } = require('../../src/pulumi/inputs') as typeof import('../../src/pulumi/inputs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { forgetClaims } = require('../../src/pulumi/component') as typeof import('../../src/pulumi/component');

// each test is a program of its own: the objects one test's components create are not another's
beforeEach(() => forgetClaims());
const { Artifact, Backend, CanaryInferenceService, COMPONENT_TYPE, EnvValue, InstanceType, InstanceTypeCatalog, KServeMode, Router, Routing } = lib;

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

/** What the provider gets: each resource's type and inputs, in a stable order (not its Pulumi name, which holds the component's). */
function provided(resources: readonly Created[]): { type: string; inputs: any }[] {
  return resources.map((r) => ({ type: r.type, inputs: r.inputs })).sort((a, b) => `${a.type} ${a.inputs.metadata.name}`.localeCompare(`${b.type} ${b.inputs.metadata.name}`));
}

function byKindAndName(a: any, b: any): number {
  return `${a.kind} ${a.metadata.name}`.localeCompare(`${b.kind} ${b.metadata.name}`);
}

/** Asserts that no rendered string still holds a stand-in of an Output. */
function expectNoStandIn(resources: readonly Created[]): void {
  expect(JSON.stringify(resources.map((r) => r.inputs))).not.toContain(STAND_IN_PREFIX);
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
    // with Istio's request metrics, a dashboard ConfigMap comes along
    ['summarization-models.yaml', { backend: 'kserve', router: 'istio' }, ['InferenceService', 'InferenceService', 'InferenceService', 'Service', 'VirtualService', 'ConfigMap']],
    ['summarization-header.yaml', {}, ['InferenceService', 'InferenceService', 'InferenceService', 'Service', 'VirtualService', 'EnvoyFilter', 'ConfigMap']],
    ['summarization-query.yaml', {}, ['SeldonDeployment', 'Service', 'VirtualService', 'EnvoyFilter', 'ConfigMap']],
    ['summarization-knative.yaml', {}, ['InferenceService']],
    [
      'fraud-detector-rollout.yaml',
      {},
      ['Rollout', 'Service', 'Service', 'Service', 'VirtualService', 'DestinationRule', 'HorizontalPodAutoscaler', 'AnalysisTemplate', 'PodMonitor', 'ConfigMap'],
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
    // the same file on another backend: a program of its own (in one program the two would clash)
    forgetClaims();
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
      'ConfigMap',
    ]);
    expect(svc.warnings.join('\n')).toContain('apply main first');
  });

  test('outputs: each version\'s role and weight, and the host clients call', async () => {
    const svc = CanaryInferenceService.fromConfigFile('fraud', rolloutFile);
    expect(svc.serviceName).toBe('fraud-detector');
    expect(await resolve(svc.namespace)).toBe('ml');
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

  test('options take the kubernetes block\'s names in camelCase; the namespace option beats the file, and the deprecated resource option yields to it', async () => {
    const fromOption = CanaryInferenceService.fromConfigFile('a', modelsFile, { namespace: 'team-a' });
    expect(await resolve(fromOption.namespace)).toBe('team-a');
    // each variant below is a program of its own (in one program they would clash)
    const deprecated = CanaryInferenceService.fromConfigFile('b', modelsFile, {}, { namespace: 'team-b' });
    expect(await resolve(deprecated.namespace)).toBe('team-b');
    forgetClaims();
    const both = CanaryInferenceService.fromConfigFile('both', modelsFile, { namespace: 'team-a' }, { namespace: 'team-b' });
    expect(await resolve(both.namespace)).toBe('team-a');
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
    // with Istio's request metrics, the dashboard for Grafana's sidecar
    'ConfigMap/ml/recommender-dashboard',
  ];

  test('args are the constructs\' props; versions by name; namespace in the args, provider through the options', async () => {
    const provider = new k8s.Provider('cluster', {});
    const svc = new CanaryInferenceService(
      'recommender',
      {
        namespace: 'ml',
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
      { providers: { kubernetes: provider } },
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

  test('fails with the props\' own problems and the definition\'s in one round', () => {
    const make = () =>
      new CanaryInferenceService('one-round', {
        backend: Backend.kserve(),
        main: { artifact: Artifact.model({ storageUri: 's3://m/v1', format: 'sklern' }), instanceType: 'cpu.3' as never },
        versions: { v2: { weight: 120, scaling: { minReplicas: 1, maxReplicas: 1, metric: 42 as never } } },
      });
    expect(make).toThrow(pulumi.ResourceError);
    const message = (() => {
      try {
        make();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message).toContain('versions.v2.scaling.metric: must be a ScaleMetric, e.g. ScaleMetric.CPU, got 42');
    expect(message).toContain('versions.v2.weight: must be a whole percent from 0 to 100, got 120');
    expect(message).toContain('main.instanceType: unknown instance type "cpu.3"');
    expect(message).toContain('main.artifact.format: no runtime of KServe\'s serves format "sklern"');
    expect(message.match(/cpu\.3/g)).toHaveLength(1);
  });

  test('fails when two components would create the same object, naming both', () => {
    const args = { serviceName: 'twin', namespace: 'team-x', main: { artifact: Artifact.model({ storageUri: 's3://m/v1', format: 'sklearn' }) } };
    new CanaryInferenceService('twin-a', args);
    const second = () => new CanaryInferenceService('twin-b', args);
    expect(second).toThrow(pulumi.ResourceError);
    expect(second).toThrow('InferenceService "twin" in namespace "team-x" is also created by component "twin-a": one would overwrite the other in the cluster');
    // another namespace is another object
    expect(() => new CanaryInferenceService('twin-c', { ...args, namespace: 'team-y' })).not.toThrow();
  });

  test('an invalid file throws with the file\'s line and column, as the CLI prints them', () => {
    const file = path.join(EXAMPLES, 'summarization.yaml');
    expect(() => CanaryInferenceService.fromConfigFile('bad', file)).toThrow(pulumi.ResourceError);
    expect(() => CanaryInferenceService.fromConfigFile('bad', file)).toThrow(`${file}:19:3 canary.route_type: routing by "query"`);
  });

  test('a file that cannot be read throws a ResourceError naming the file', () => {
    expect(() => CanaryInferenceService.fromConfigFile('missing', '/nonexistent/canary.yaml')).toThrow(pulumi.ResourceError);
    expect(() => CanaryInferenceService.fromConfigFile('missing', '/nonexistent/canary.yaml')).toThrow('/nonexistent/canary.yaml: cannot read the file: no such file');
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

  test('fails when the cluster\'s CRDs cannot be read: a ResourceError naming the option', () => {
    const make = () => CanaryInferenceService.fromConfigFile('no-crds', modelsFile, {}, { clusterCrds: '/nonexistent/crds.yaml' });
    expect(make).toThrow(pulumi.ResourceError);
    expect(make).toThrow('clusterCrds: cannot read the cluster\'s CRDs from /nonexistent/crds.yaml: ');
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

describe('values from other resources (pulumi.Input)', () => {
  /** A KServe service behind Istio with sticky header hashing: the EnvoyFilter's Lua names the in-cluster hosts. */
  function recommender(namespace: pulumi.Input<string>) {
    return {
      serviceName: 'recommender',
      namespace,
      backend: Backend.kserve(),
      router: Router.istio(),
      routing: Routing.header('x-user-id'),
      main: { artifact: Artifact.model({ storageUri: 's3://models/recommender/v1', format: 'sklearn' }), scaling: { minReplicas: 1, maxReplicas: 3 } },
      versions: { v2: { weight: 20, artifact: Artifact.model({ storageUri: 's3://models/recommender/v2', format: 'sklearn' }) } },
    };
  }

  test('a namespace from a Namespace resource: every object and every host in it, as with the plain namespace', async () => {
    // given
    const ns = new k8s.core.v1.Namespace('team-a', { metadata: { name: 'team-a' } });
    // when
    const fromOutput = new CanaryInferenceService('out-rec', recommender(ns.metadata.name));
    const plain = new CanaryInferenceService('plain-rec', recommender('team-a'));
    const [withOutput, withPlain] = [await settle(fromOutput), await settle(plain)];
    // then
    expect(provided(withOutput)).toEqual(provided(withPlain));
    expectNoStandIn(withOutput);
    expectValidManifests(withOutput.map((r) => r.inputs));
    const namespaces = withOutput.map((r) => `${r.inputs.kind} ${r.inputs.metadata.namespace}`);
    expect(namespaces.sort()).toEqual(['ConfigMap team-a', 'EnvoyFilter istio-system', 'InferenceService team-a', 'InferenceService team-a', 'Service team-a', 'VirtualService team-a']);
    const envoyFilter = withOutput.find((r) => r.inputs.kind === 'EnvoyFilter')!;
    expect(envoyFilter.inputs.metadata.name).toBe('recommender-team-a-canary-assignment');
    expect(JSON.stringify(envoyFilter.inputs.spec)).toContain('[\\"recommender.team-a.svc.cluster.local\\"] = true');
    // a resource's name cannot wait for an Output: it says where the namespace was given
    expect(envoyFilter.name).toBe('out-rec-envoyfilter-recommender-namespace-canary-assignment');
    expect(await resolve(fromOutput.namespace)).toBe('team-a');
    expect(await resolve(fromOutput.host)).toBe('recommender.team-a.svc.cluster.local');
    expect(await resolve(fromOutput.versions)).toEqual({
      main: { role: 'main', weight: 80, host: 'recommender-main-predictor.team-a.svc.cluster.local' },
      v2: { role: 'canary', weight: 20, host: 'recommender-v2-predictor.team-a.svc.cluster.local' },
    });
  });

  test.each([
    ['summarization-models.yaml', {}],
    ['summarization-models.yaml', { backend: 'seldon' }],
    ['summarization-models.yaml', { backend: 'seldon-v2' }],
    ['summarization-models.yaml', { backend: 'kserve', router: 'istio' }],
    ['summarization-header.yaml', {}],
    ['summarization-query.yaml', {}],
    ['summarization-knative.yaml', {}],
    ['fraud-detector-rollout.yaml', {}],
  ])('%s with %j and a namespace from an Output creates the objects the CLI renders for that namespace', async (file, overrides) => {
    // given
    const expected = synthesizeConfigFile(path.join(EXAMPLES, file), { ...overrides, namespace: 'team-a' }).objects;
    // when
    const svc = CanaryInferenceService.fromConfigFile('ns-out', path.join(EXAMPLES, file), { ...overrides, namespace: pulumi.output('team-a') });
    const resources = await settle(svc);
    // then
    expect(resources.map((r) => r.inputs).sort(byKindAndName)).toEqual([...expected].sort(byKindAndName));
    expectNoStandIn(resources);
    expect(await resolve(svc.namespace)).toBe('team-a');
  });

  test.each([
    [
      'an image',
      (v: (s: string) => pulumi.Input<string>) => ({ artifact: Artifact.image(v('ghcr.io/acme/recommender:2.0.0'), { port: 8080, readinessPath: '/ready', user: 1000 }) }),
      'ghcr.io/acme/recommender:2.0.0',
    ],
    [
      'an image\'s storage URI',
      (v: (s: string) => pulumi.Input<string>) => ({ artifact: Artifact.image('ghcr.io/acme/recommender:2.0.0', { port: 8080, readinessPath: '/ready', user: 1000, storageUri: v('gs://models/recommender/v2') }) }),
      'gs://models/recommender/v2',
    ],
    [
      'a model\'s storage URI (of another scheme than the stand-in\'s)',
      (v: (s: string) => pulumi.Input<string>) => ({ artifact: Artifact.model({ storageUri: v('pvc://models/recommender/v2'), format: 'sklearn' }) }),
      'pvc://models/recommender/v2',
    ],
    [
      'an env value',
      (v: (s: string) => pulumi.Input<string>) => ({ env: { LOG_LEVEL: EnvValue.fromValue(v('debug')) } }),
      'debug',
    ],
    [
      'a Secret\'s name',
      (v: (s: string) => pulumi.Input<string>) => ({ env: { DB_PASSWORD: EnvValue.fromSecret(v('recommender-db'), 'password') } }),
      'recommender-db',
    ],
  ])('%s from an Output renders as the plain value', async (_, canary, value) => {
    // given: a canary whose setting comes from an Output, and the same with the plain value
    const args = (v: (s: string) => pulumi.Input<string>) => ({
      serviceName: 'recommender',
      namespace: 'ml',
      backend: Backend.kserve(),
      // one InferenceService per version, so a canary's artifact may be of another kind than main's
      router: Router.istio(),
      main: { artifact: Artifact.model({ storageUri: 's3://models/recommender/v1', format: 'sklearn' }) },
      versions: { v2: { weight: 20, ...canary(v) } },
    });
    // when
    const fromOutput = await settle(new CanaryInferenceService(`out-${value.length}`, args((s) => pulumi.output(s))));
    // the same service with the plain value: a program of its own
    forgetClaims();
    const plain = await settle(new CanaryInferenceService(`plain-${value.length}`, args((s) => s)));
    // then
    expect(provided(fromOutput)).toEqual(provided(plain));
    expect(JSON.stringify(fromOutput.map((r) => r.inputs))).toContain(JSON.stringify(value));
    expectNoStandIn(fromOutput);
    expectValidManifests(fromOutput.map((r) => r.inputs));
  });

  test('a program importing only the Pulumi entry: a rollout with pauses and guardrails (cdk8s Duration), its namespace, image and env from resources', async () => {
    // given
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require('./program') as typeof import('./program');
    // when
    expect(await resolve(program.host)).toBe('fraud-detector.team-a.svc.cluster.local');
    const resources = await settle(program.service);
    // then
    expect(lib.Duration).toBe(jest.requireActual('cdk8s').Duration);
    expect(await resolve(program.namespace)).toBe('team-a');
    expect(await resolve(program.versions)).toEqual({ main: { role: 'main', weight: 90 }, v2: { role: 'canary', weight: 10 } });
    expect(resources.map((r) => r.inputs.kind).sort()).toEqual(
      ['AnalysisTemplate', 'ConfigMap', 'DestinationRule', 'HorizontalPodAutoscaler', 'PodMonitor', 'Rollout', 'Service', 'Service', 'Service', 'VirtualService'].sort(),
    );
    for (const r of resources) expect(r.inputs.metadata.namespace).toBe('team-a');
    expectNoStandIn(resources);
    expectValidManifests(resources.map((r) => r.inputs));
    const rollout = resources.find((r) => r.inputs.kind === 'Rollout')!.inputs;
    expect(rollout.spec.strategy.canary.steps.filter((s: any) => s.pause).map((s: any) => s.pause)).toEqual([{ duration: '5m' }, { duration: '10m' }, {}]);
    const container = rollout.spec.template.spec.containers[0];
    expect(container.image).toBe('registry.example.com/fraud/server:2.0.0');
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'fraud-db', key: 'password' } } },
    ]));
    const podMonitor = resources.find((r) => r.inputs.kind === 'PodMonitor')!.inputs;
    expect(podMonitor.spec.namespaceSelector).toEqual({ matchNames: ['team-a'] });
  });

  test('fails when a check needs an Output\'s value before it resolves: the path, and that it must be a plain value', () => {
    const make = () =>
      new CanaryInferenceService('protocol', {
        main: { artifact: Artifact.image('ghcr.io/acme/server:1.0.0', { port: 8080, readinessPath: '/ready', user: 1000 }), env: { PROTOCOL: EnvValue.fromValue(pulumi.output('v2')) } },
      });
    expect(make).toThrow(pulumi.ResourceError);
    expect(make).toThrow(
      'main.env[0].value: KServe accepts PROTOCOL "v1" or "v2" on custom predictors, got the Output of main.env.PROTOCOL; ' +
        'this check needs the value before it is known, so main.env.PROTOCOL must be a plain value here',
    );
    expect(make).not.toThrow(STAND_IN_PREFIX);
  });

  test('fails when an Output is given where only plain values are taken, without Pulumi\'s toJSON text', () => {
    const make = () =>
      new CanaryInferenceService('stray', {
        serviceName: pulumi.output('fraud') as unknown as string,
        main: { artifact: Artifact.bento('fraud:v1'), labels: { team: pulumi.output('risk') as unknown as string } },
      });
    expect(make).toThrow(pulumi.ResourceError);
    expect(make).toThrow(
      'serviceName: must be a plain value, got a pulumi Output; Outputs are taken by namespace, an Artifact\'s image and storage URI, ' +
        'and an EnvValue\'s value and Secret or ConfigMap name (use this entry\'s Artifact and EnvValue): give a plain value here',
    );
    expect(make).toThrow('main.labels.team: must be a plain value, got a pulumi Output');
    expect(make).not.toThrow('toJSON');
  });

  describe('an invalid value from an Output fails the update with a ResourceError on the component, with every problem', () => {
    // A failed check rejects every input waiting for it: `pulumi up` reports the unhandled rejection (once) and fails the
    // update. Jest would count the rejection against the test, so the program runs in a Node.js process of its own.
    let failures: { component: string | null; resourceError: boolean; message: string }[];

    beforeAll(() => {
      const script = `
        require('ts-node').register({ transpileOnly: true });
        const pulumi = require('@pulumi/pulumi');
        const errors = new Set();
        process.on('unhandledRejection', (e) => errors.add(e));
        pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + '-id', state: a.inputs }), call: (a) => a.inputs }, 'canary-inference', 'test', false);
        const { Artifact, CanaryInferenceService } = require(${JSON.stringify(path.resolve(__dirname, '../../src/pulumi'))});
        const main = { artifact: Artifact.bento('fraud:v1') };
        const components = {
          namespace: new CanaryInferenceService('bad-namespace', { namespace: pulumi.output('Team_A'), main }),
          secret: new CanaryInferenceService('bad-secret', { namespace: pulumi.secret('Secret_Team'), main }),
          storageUri: new CanaryInferenceService('bad-uri', { main: { artifact: Artifact.model({ storageUri: pulumi.output('ftp://models/fraud'), format: 'sklearn' }) } }),
          nothing: new CanaryInferenceService('bad-image', { main: { artifact: Artifact.image(pulumi.output(undefined)) } }),
        };
        setTimeout(() => {
          const failures = [...errors].map((e) => ({
            component: Object.keys(components).find((k) => components[k] === e.resource) || null,
            resourceError: pulumi.ResourceError.isInstance(e),
            message: e.message,
          }));
          process.stdout.write(JSON.stringify(failures));
        }, 2000);
      `;
      const run = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
      failures = JSON.parse(run.stdout);
    }, 60_000);

    function failureOf(component: string) {
      const found = failures.filter((f) => f.component === component);
      expect(found).toHaveLength(1);
      expect(found[0].resourceError).toBe(true);
      expect(found[0].message).not.toContain(STAND_IN_PREFIX);
      return found[0].message;
    }

    test('fails when a namespace from an Output is not a DNS label', () => {
      expect(failureOf('namespace')).toContain(
        'invalid canary inference service:\n  namespace: must be a namespace: lower-case letters, digits and \'-\', starting and ending with a letter or digit, got "Team_A"; e.g. "summarization-v2"',
      );
    });

    test('fails when a secret namespace is invalid, without showing the secret', () => {
      const message = failureOf('secret');
      expect(message).toContain('  namespace: must be a namespace: lower-case letters, digits and \'-\', starting and ending with a letter or digit, got a secret;');
      expect(message).not.toContain('Secret_Team');
    });

    test('fails when a storage URI from an Output has a scheme the backend cannot load', () => {
      expect(failureOf('storageUri')).toContain('  main.artifact.storageUri: KServe cannot load "ftp://models/fraud": its storage initializer accepts gs://, s3://');
    });

    test('fails when an Output resolves to nothing', () => {
      expect(failureOf('nothing')).toContain('  main.artifact.image: must be a string, got nothing from its Output; give an Output of a string');
    });

    test('nothing else fails', () => {
      expect(failures.map((f) => f.component).sort()).toEqual(['namespace', 'nothing', 'secret', 'storageUri']);
    });
  });
});

describe('fromConfigFile takes what code takes: an instance-type catalog, and the stage, promotion or rollback to render', () => {
  const catalog = InstanceTypeCatalog.defaults().with('cpu.half', { cpu: '500m', memory: '1Gi' });
  const staged = () =>
    writeTemp(
      'fraud-staged.yaml',
      stringify({
        name: 'fraud',
        bento: 'fraud:v1abc',
        services: { Fraud: { instance_type: 'cpu.half' } },
        canary: { versions: { v2: { bento: 'fraud:v2def', weight: 5 } } },
        rollout: { stages: [5, 25, 100] },
        kubernetes: { namespace: 'ml', backend: 'kserve', kserve_mode: 'knative', image_repository: 'registry.example.com/bentos' },
      }),
    );

  test.each([
    [{ stage: 2 }, 25, 'registry.example.com/bentos/fraud:v2def'],
    [{ promote: 'v2' }, undefined, 'registry.example.com/bentos/fraud:v2def'],
    [{ rollback: true }, 0, 'registry.example.com/bentos/fraud:v2def'],
  ])('%j renders as the CLI does, on the custom catalog\'s instance type', async (state, canaryTrafficPercent, image) => {
    // given
    const file = staged();
    const expected = synthesizeConfigFile(file, {}, { instanceTypes: catalog, ...state }).objects;
    // when
    const svc = CanaryInferenceService.fromConfigFile(`state-${Object.keys(state)[0]}`, file, { instanceTypes: catalog, ...state });
    const resources = await settle(svc);
    // then
    expect(resources.map((r) => r.inputs).sort(byKindAndName)).toEqual([...expected].sort(byKindAndName));
    expectValidManifests(resources.map((r) => r.inputs));
    const predictor = resources.find((r) => r.inputs.kind === 'InferenceService')!.inputs.spec.predictor;
    expect(predictor.canaryTrafficPercent).toBe(canaryTrafficPercent);
    expect(predictor.containers[0].image).toBe(image);
    expect(predictor.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
  });

  test('fails when the file names an instance type only a catalog not given defines', () => {
    const file = staged();
    expect(() => CanaryInferenceService.fromConfigFile('no-catalog', file, { stage: 2 })).toThrow(pulumi.ResourceError);
    expect(() => CanaryInferenceService.fromConfigFile('no-catalog', file, { stage: 2 })).toThrow(`${file}:5:5 services.Fraud.instance_type: unknown instance type "cpu.half"`);
  });

  test('fails when the state asked for is out of the rollout, named as the option', () => {
    expect(() => CanaryInferenceService.fromConfigFile('bad-stage', staged(), { instanceTypes: catalog, stage: 7 })).toThrow(pulumi.ResourceError);
    expect(() => CanaryInferenceService.fromConfigFile('bad-stage', staged(), { instanceTypes: catalog, stage: 7 })).toThrow(/\n {2}stage: /);
  });

  test('fails when the file is malformed YAML: a ResourceError on the component, with FILE:LINE:COL path: message', () => {
    // given
    const file = writeTemp('duplicate.yaml', 'name: fraud\nbento: fraud:v1abc\nservices:\n  Fraud:\n    instance_type: cpu.1\n    instance_type: cpu.2\n');
    // when
    let error: unknown;
    try {
      CanaryInferenceService.fromConfigFile('malformed', file);
    } catch (e) {
      error = e;
    }
    // then
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect((error as pulumi.ResourceError).resource).toBeInstanceOf(CanaryInferenceService);
    expect((error as Error).message).toBe(`invalid canary inference service:\n  ${file}:6:5 services.Fraud.instance_type: duplicate key "instance_type"; each key may appear once in a map: remove or rename one`);
  });
});
