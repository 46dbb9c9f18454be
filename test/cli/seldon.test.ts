import { parseAllDocuments } from 'yaml';
import { bentoCloudExampleText, exampleVariant, runCli, withModels, writeTemp } from '../support/cli';
import { expectValidManifests } from '../support/manifests';

function docs(yaml: string): any[] {
  return parseAllDocuments(yaml).map((d) => d.toJS());
}

function randomVariant(models = false): string {
  return exampleVariant(models ? 'random-models.yaml' : 'random.yaml', (d) => {
    d.canary.route_type = 'random';
    delete d.canary.route_by;
    if (models) withModels(d);
  });
}

describe('--backend seldon', () => {
  test('the example with random routing: one SeldonDeployment, traffic 50/20/30, hpaSpec max 2 on a and 3 on b', () => {
    const run = runCli('synth', '-f', randomVariant(), '--backend', 'seldon');
    expect(run.code).toBe(0);
    const objects = docs(run.stdout);
    expect(objects.map((o) => o.kind)).toEqual(['SeldonDeployment']);
    expectValidManifests(objects);
    const preds = objects[0].spec.predictors;
    expect(preds.map((p: any) => [p.name, p.traffic])).toEqual([['main', 50], ['a', 20], ['b', 30]]);
    expect(preds[0].componentSpecs[0].hpaSpec).toBeUndefined();
    expect(preds[0].componentSpecs[0].replicas).toBe(1);
    expect(preds[1].componentSpecs[0].hpaSpec.maxReplicas).toBe(2);
    expect(preds[2].componentSpecs[0].hpaSpec.maxReplicas).toBe(3);
    // the windows main sets and a, b inherit cannot be set on hpaSpec: said, not dropped silently
    expect(run.stderr).toMatch(/^warning: Seldon Core v1's hpaSpec has no scaling behavior.*a, b autoscale/m);
  });

  test('the unchanged example (query hashing) without a router is refused with a routing message on the file\'s line', () => {
    const file = writeTemp('summarization.yaml', bentoCloudExampleText());
    const run = runCli('synth', '-f', file, '--backend', 'seldon');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/summarization\.yaml:19:3 canary\.route_type: routing by "query" \(hashing query "feature"\) needs a router that hashes keys, and router "native" does not; use router "istio", or routing "random"/);
  });

  test('the unchanged example with --router istio synthesizes over the per-predictor Services', () => {
    const file = writeTemp('summarization.yaml', bentoCloudExampleText());
    const run = runCli('synth', '-f', file, '--backend', 'seldon', '--router', 'istio');
    expect(run.code).toBe(0);
    const objects = docs(run.stdout);
    expectValidManifests(objects);
    // with Istio's request metrics, the service's dashboard comes along
    expect(objects.map((o) => o.kind)).toEqual(['SeldonDeployment', 'Service', 'VirtualService', 'EnvoyFilter', 'ConfigMap']);
    const hosts = new Set(objects[2].spec.http.flatMap((r: any) => r.route.map((d: any) => d.destination.host)));
    expect([...hosts].sort()).toEqual(['summarization-blel-a', 'summarization-blel-b', 'summarization-blel-main']);
  });

  test('kubernetes.backend in the file chooses it too', () => {
    const file = exampleVariant('in-file.yaml', (d) => {
      d.canary.route_type = 'random';
      d.kubernetes = { backend: 'seldon', namespace: 'ml' };
    });
    const run = runCli('synth', '-f', file);
    expect(run.code).toBe(0);
    expect(docs(run.stdout)[0]).toMatchObject({ kind: 'SeldonDeployment', metadata: { namespace: 'ml' } });
  });

  test('a mirror version in the file becomes the shadow predictor', () => {
    const file = exampleVariant('mirror.yaml', (d) => {
      d.canary.route_type = 'random';
      d.canary.versions.shadow = { bento: 'summarization:s3adow', mirror: true, weight: 10 };
    });
    const run = runCli('synth', '-f', file, '--backend', 'seldon');
    expect(run.code).toBe(0);
    const objects = docs(run.stdout);
    expectValidManifests(objects);
    expect(objects[0].spec.predictors.map((p: any) => [p.name, p.traffic, p.shadow ?? false])).toEqual([
      ['main', 50, false],
      ['a', 20, false],
      ['b', 30, false],
      ['shadow', 10, true],
    ]);
  });
});

describe('--backend seldon-v2', () => {
  test('the example with model artifacts: three Models, each on a Server of its instance type, and an Experiment with main as default', () => {
    const run = runCli('synth', '-f', randomVariant(true), '--backend', 'seldon-v2');
    expect(run.code).toBe(0);
    const objects = docs(run.stdout);
    expectValidManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Model/summarization-blel-main',
      'Model/summarization-blel-a',
      'Model/summarization-blel-b',
      'Server/summarization-blel-mlserver-cpu-1',
      'Server/summarization-blel-mlserver-cpu-2',
      'Server/summarization-blel-mlserver-cpu-4',
      'Experiment/summarization-blel',
    ]);
    // b runs on cpu.4 (8Gi): a Server of that size, not the shared 1Gi mlserver its memory would not fit
    expect(objects.slice(0, 3).map((m) => [m.spec.storageUri, m.spec.requirements, m.spec.server, m.spec.memory, m.spec.maxReplicas])).toEqual([
      ['s3://models/summarization/main', ['huggingface'], 'summarization-blel-mlserver-cpu-2', undefined, undefined],
      ['s3://models/summarization/a', ['huggingface'], 'summarization-blel-mlserver-cpu-1', undefined, 2],
      ['s3://models/summarization/b', ['huggingface'], 'summarization-blel-mlserver-cpu-4', undefined, 3],
    ]);
    expect(objects.slice(3, 6).map((s) => s.spec.podSpec.containers[0].resources.requests.memory)).toEqual(['2Gi', '4Gi', '8Gi']);
    expect(objects[6].spec).toEqual({
      default: 'summarization-blel-main',
      candidates: [
        { name: 'summarization-blel-main', weight: 50 },
        { name: 'summarization-blel-a', weight: 20 },
        { name: 'summarization-blel-b', weight: 30 },
      ],
    });
    // where the models run, and env, the timeout and the windows, which have no v2 equivalent: each is a warning
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^warning: Seldon Core v2: the models run on Servers sized by their instance types \(summarization-blel-mlserver-cpu-1, summarization-blel-mlserver-cpu-2, summarization-blel-mlserver-cpu-4\)/);
  });

  test('with the bentos it is refused with the storage-URI reason, each on its line', () => {
    const run = runCli('synth', '-f', randomVariant(), '--backend', 'seldon-v2');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/random\.yaml:\d+:1 bento: a Seldon Core v2 Model runs inside a shared server and is loaded from a storage URI/);
    expect(lines[1]).toMatch(/random\.yaml:\d+:\d+ canary\.versions\.a\.bento: .*backend "seldon" \(Seldon Core v1\) or "kserve"/);
    expect(lines[2]).toMatch(/canary\.versions\.b\.bento: /);
  });
});
