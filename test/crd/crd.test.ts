import { CrdCatalog } from '../../src/crd';
import { CRDS_DIR, officialCrds } from '../support/manifests';

/** A small CRD exercising every rule the validator knows. */
function crd(schema: Record<string, unknown>, scope = 'Namespaced') {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope,
      versions: [
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: schema } } } },
        { name: 'v1alpha1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      ],
    },
  };
}

const SPEC = {
  type: 'object',
  required: ['size'],
  properties: {
    size: { type: 'integer', minimum: 1, maximum: 10 },
    ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
    mode: { type: 'string', enum: ['Standard', 'Knative'] },
    name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
    port: { 'x-kubernetes-int-or-string': true, 'anyOf': [{ type: 'integer' }, { type: 'string' }] },
    note: { type: 'string', nullable: true },
    tags: { 'type': 'array', 'items': { type: 'string' }, 'maxItems': 2, 'x-kubernetes-list-type': 'set' },
    ports: {
      'type': 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port'],
      'items': { type: 'object', properties: { port: { type: 'integer', format: 'int32' }, name: { type: 'string' } } },
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    free: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'properties': { known: { type: 'boolean' } } },
    template: { 'type': 'object', 'x-kubernetes-embedded-resource': true, 'properties': { spec: { type: 'object' } } },
    choice: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, oneOf: [{ required: ['a'] }, { required: ['b'] }] },
  },
};

const catalog = CrdCatalog.fromDocuments([crd(SPEC)]);

function widget(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'w', namespace: 'ml' }) {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata, spec };
}

function messages(obj: unknown, c = catalog): string[] {
  return c.validate(obj).map((v) => `${v.path}: ${v.message}`);
}

describe('CrdCatalog.validate', () => {
  test('accepts a valid object using every kind of field', () => {
    const ok = widget({
      size: 3,
      ratio: 0.5,
      mode: 'Knative',
      name: 'abc',
      port: 'http',
      note: null,
      tags: ['a', 'b'],
      ports: [{ port: 80 }, { port: 443 }],
      labels: { a: 'b' },
      free: { known: true, anything: { at: ['all'] } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
      choice: { a: 'x' },
    });
    expect(messages(ok)).toEqual([]);
    expect(messages(widget({ size: 1, port: 8080 }))).toEqual([]);
  });

  test.each([
    ['an unknown field', { size: 1, colour: 'red' }, ['spec.colour: unknown field "colour"']],
    ['a missing required field', {}, ['spec.size: required field "size" is missing']],
    ['a string for an integer', { size: '3' }, ['spec.size: must be of type integer, got string "3"']],
    ['a fraction for an integer', { size: 2.5 }, ['spec.size: must be of type integer, got number 2.5']],
    ['a value below the minimum', { size: 0 }, ['spec.size: must be at least 1, got 0']],
    ['a value above the maximum', { size: 11 }, ['spec.size: must be at most 10, got 11']],
    ['a value at an exclusive maximum', { size: 1, ratio: 1 }, ['spec.ratio: must be less than 1, got 1']],
    ['a value outside the enum', { size: 1, mode: 'Raw' }, ['spec.mode: must be one of: "Standard", "Knative"; got "Raw"']],
    ['a string not matching the pattern', { size: 1, name: 'ABC' }, ['spec.name: must match ^[a-z]+$, got "ABC"']],
    ['a string over maxLength', { size: 1, name: 'abcdef' }, ['spec.name: must be at most 5 characters long, got 6']],
    ['a boolean for int-or-string', { size: 1, port: true }, ['spec.port: must be an integer or a string, got boolean true']],
    ['null for a non-nullable field', { size: null }, ['spec.size: must not be null']],
    ['too many items', { size: 1, tags: ['a', 'b', 'c'] }, ['spec.tags: must have at most 2 items, got 3']],
    ['a duplicate in a set', { size: 1, tags: ['a', 'a'] }, ['spec.tags[1]: duplicate value "a"']],
    ['a duplicate key in a map list', { size: 1, ports: [{ port: 80 }, { port: 80, name: 'x' }] }, ['spec.ports[1]: duplicate entry with port=80']],
    ['an int32 overflow', { size: 1, ports: [{ port: 2 ** 31 }] }, ['spec.ports[0].port: must fit in int32, got 2147483648']],
    ['a wrong additionalProperties value', { size: 1, labels: { a: 1 } }, ['spec.labels.a: must be of type string, got integer 1']],
    ['a declared field of the wrong type under preserve-unknown-fields', { size: 1, free: { known: 'yes' } }, ['spec.free.known: must be of type boolean, got string "yes"']],
    ['both branches of a oneOf', { size: 1, choice: { a: 'x', b: 'y' } }, ['spec.choice: must match exactly one allowed form, matches 2']],
  ])('fails when given %s', (_name, spec, expected) => {
    expect(messages(widget(spec as Record<string, unknown>))).toEqual(expected);
  });

  test('reports every violation, not only the first', () => {
    expect(messages(widget({ size: 'x', mode: 'Raw', colour: 1 }))).toHaveLength(3);
  });

  test.each([
    ['a missing name', {}, ['metadata.name: required field "name" is missing']],
    ['an invalid name', { name: 'Bad_Name' }, ['metadata.name: must be a DNS-1123 subdomain (lower-case alphanumerics, "-", ".", at most 253), got "Bad_Name"']],
    ['an invalid namespace', { name: 'w', namespace: 'ML' }, ['metadata.namespace: must be a DNS-1123 label, got "ML"']],
    ['an invalid label value', { name: 'w', labels: { a: 'b c' } }, ['metadata.labels.a: invalid label value "b c"']],
    ['an invalid label key', { name: 'w', labels: { 'a b': 'c' } }, expect.arrayContaining([expect.stringContaining('metadata.labels["a b"]: invalid label key')])],
    ['a non-string annotation', { name: 'w', annotations: { a: 1 } }, ['metadata.annotations.a: annotation values must be strings, got 1']],
    ['an unknown metadata field', { name: 'w', uid2: 'x' }, ['metadata.uid2: unknown field "uid2"']],
  ])('fails when metadata has %s', (_name, metadata, expected) => {
    expect(messages(widget({ size: 1 }, metadata as Record<string, unknown>))).toEqual(expected);
  });

  test('fails when the version is not served, naming the served ones', () => {
    expect(messages({ ...widget({ size: 1 }), apiVersion: 'example.com/v1alpha1' })).toEqual([
      'apiVersion: version "v1alpha1" of example.com is not served; served versions: v1',
    ]);
  });

  test('fails for a custom resource no CRD defines, and passes built-in kinds through', () => {
    expect(messages({ apiVersion: 'other.example.com/v1', kind: 'Thing', metadata: { name: 'x' } })).toEqual([
      ': no CustomResourceDefinition defines Thing in other.example.com/v1',
    ]);
    expect(messages({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: {} })).toEqual([]);
    expect(messages({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } })).toEqual([]);
  });

  test('reads `kind: List` documents as `kubectl get crd -o yaml` prints them', () => {
    const list = CrdCatalog.fromDocuments([{ apiVersion: 'v1', kind: 'List', items: [crd(SPEC)] }]);
    expect(list.has('example.com/v1', 'Widget')).toBe(true);
    expect(messages(widget({ size: 1, colour: 'x' }), list)).toEqual(['spec.colour: unknown field "colour"']);
  });
});

describe('the official CRDs', () => {
  test('are all loaded from ../shared/crds', () => {
    const c = officialCrds();
    expect(CRDS_DIR).toMatch(/shared\/crds$/);
    for (const [apiVersion, kind] of [
      ['serving.kserve.io/v1beta1', 'InferenceService'],
      ['argoproj.io/v1alpha1', 'Rollout'],
      ['argoproj.io/v1alpha1', 'AnalysisTemplate'],
      ['machinelearning.seldon.io/v1', 'SeldonDeployment'],
      ['mlops.seldon.io/v1alpha1', 'Model'],
      ['networking.istio.io/v1', 'VirtualService'],
      ['networking.istio.io/v1alpha3', 'EnvoyFilter'],
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
      ['monitoring.coreos.com/v1', 'PodMonitor'],
    ]) {
      expect([apiVersion, kind, c.has(apiVersion, kind)]).toEqual([apiVersion, kind, true]);
    }
  });

  const isvc = (predictor: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: 'sklearn-iris' },
    spec: { predictor, ...extra },
  });

  test('accept a minimal KServe InferenceService', () => {
    expect(messages(isvc({ model: { modelFormat: { name: 'sklearn' }, storageUri: 'gs://x' } }), officialCrds())).toEqual([]);
  });

  test('reject an unknown predictor field, a trafficPercent over 100 and a canary model without a name', () => {
    const bad = isvc(
      { foo: 1, model: { modelFormat: { name: 'sklearn' }, storageUri: 'gs://x' } },
      { canary: [{ trafficPercent: 150, predictor: { name: 'b', model: { modelFormat: { name: 'sklearn' } } } }] },
    );
    expect(messages(bad, officialCrds())).toEqual([
      'spec.predictor.foo: unknown field "foo"',
      'spec.canary[0].trafficPercent: must be at most 100, got 150',
      'spec.canary[0].predictor.model.name: required field "name" is missing',
    ]);
  });

  test('reject an Argo Rollout step weight given as a string, and accept maxSurge as int or string', () => {
    const rollout = (canary: Record<string, unknown>) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'r' },
      spec: { selector: { matchLabels: { app: 'r' } }, template: { metadata: { labels: { app: 'r' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, strategy: { canary } },
    });
    expect(messages(rollout({ steps: [{ setWeight: '5' }] }), officialCrds())).toEqual([
      'spec.strategy.canary.steps[0].setWeight: must be of type integer, got string "5"',
    ]);
    expect(messages(rollout({ maxSurge: 1, steps: [{ setWeight: 5 }, { pause: { duration: '5m' } }] }), officialCrds())).toEqual([]);
    expect(messages(rollout({ maxSurge: '25%' }), officialCrds())).toEqual([]);
  });

  test('accept an Istio VirtualService with a weighted http route', () => {
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'vs', namespace: 'ml' },
      spec: {
        hosts: ['svc'],
        http: [{ route: [{ destination: { host: 'a' }, weight: 80 }, { destination: { host: 'b' }, weight: 20 }] }],
      },
    };
    expect(messages(vs, officialCrds())).toEqual([]);
    expect(messages({ ...vs, spec: { ...vs.spec, http: [{ route: [{ destination: { host: 'a' }, weight: '80' }] }] } }, officialCrds())).toEqual([
      'spec.http[0].route[0].weight: must be of type integer, got string "80"',
    ]);
  });
});

describe('cluster-scoped CRDs', () => {
  test('fails when a cluster-scoped object has a namespace', () => {
    const cluster = CrdCatalog.fromDocuments([crd({ type: 'object' }, 'Cluster')]);
    expect(messages(widget({}, { name: 'w', namespace: 'ml' }), cluster)).toEqual(['metadata.namespace: a cluster-scoped object has no namespace']);
    expect(messages(widget({}, { name: 'w' }), cluster)).toEqual([]);
  });
});
