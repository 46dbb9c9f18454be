/**
 * The Pulumi component at preview (pulumi.runtime.setMocks with preview on):
 * values from Outputs that are not known yet leave every resource in place,
 * with those values unknown, as `pulumi preview` shows them.
 */
import * as pulumi from '@pulumi/pulumi';

interface Created {
  readonly type: string;
  readonly name: string;
  readonly inputs: any;
}

const created: Created[] = [];

void pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      created.push({ type: args.type, name: args.name, inputs: args.inputs });
      // a Namespace's outputs are not known at preview
      return { id: `${args.name}-id`, state: args.type === 'kubernetes:core/v1:Namespace' ? {} : args.inputs };
    },
    call: (args) => args.inputs,
  },
  'canary-inference',
  'test',
  true,
);

// loaded after the mocks, as a Pulumi program is
// eslint-disable-next-line @typescript-eslint/no-require-imports
const k8s = require('@pulumi/kubernetes') as typeof import('@pulumi/kubernetes');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Artifact, CanaryInferenceService, Router, Routing } = require('../../src/pulumi') as typeof import('../../src/pulumi');

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((ok) => output.apply(ok));
}

const UNKNOWN = { __pulumiUnknown: true };

test('a namespace not known at preview: every resource is there, its namespace (and names holding it) unknown', async () => {
  // given
  const ns = new k8s.core.v1.Namespace('team-a', { metadata: { name: 'team-a' } });
  // when
  const svc = new CanaryInferenceService('rec', {
    namespace: ns.metadata.name,
    router: Router.istio(),
    routing: Routing.header('x-user-id'),
    main: { artifact: Artifact.bento('recommender:v1') },
    versions: { v2: { weight: 10, artifact: Artifact.bento('recommender:v2') } },
  });
  await resolve(pulumi.all(svc.resources.map((r) => r.urn)));
  // then
  const resources = created.filter((c) => c.name.startsWith('rec-'));
  expect(resources.map((r) => `${r.inputs.kind} ${JSON.stringify(r.inputs.metadata.name)} ${JSON.stringify(r.inputs.metadata.namespace)}`).sort()).toEqual([
    `ConfigMap "rec-dashboard" ${JSON.stringify(UNKNOWN)}`,
    `EnvoyFilter ${JSON.stringify(UNKNOWN)} "istio-system"`,
    `InferenceService "rec-main" ${JSON.stringify(UNKNOWN)}`,
    `InferenceService "rec-v2" ${JSON.stringify(UNKNOWN)}`,
    `Service "rec" ${JSON.stringify(UNKNOWN)}`,
    `VirtualService "rec" ${JSON.stringify(UNKNOWN)}`,
  ]);
  // what holds no value from an Output is known
  const virtualService = resources.find((r) => r.inputs.kind === 'VirtualService')!;
  expect(virtualService.inputs.spec.hosts).toEqual(['rec']);
});
