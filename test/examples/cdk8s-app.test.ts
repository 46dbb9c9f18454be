/**
 * examples/cdk8s: `npx cdk8s synth` as a user runs it, and its output as a cluster sees it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { expectValidManifests } from '../support/manifests';

const APP = path.resolve(__dirname, '../../examples/cdk8s');

describe('examples/cdk8s', () => {
  const out = path.join(APP, 'dist');
  let run: ReturnType<typeof spawnSync>;
  let objects: any[] = [];

  beforeAll(() => {
    fs.rmSync(out, { recursive: true, force: true });
    run = spawnSync('npx', ['--no-install', 'cdk8s', 'synth', '--check-upgrade', 'false'], { cwd: APP, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    const file = path.join(out, 'ml.k8s.yaml');
    if (fs.existsSync(file)) objects = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
  }, 180_000);

  test('`npx cdk8s synth --check-upgrade false` (no network needed) succeeds and writes dist/ml.k8s.yaml', () => {
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['ml.k8s.yaml']);
  });

  test('the manifests validate against the official CRDs and the controllers\' rules', () => {
    expectValidManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Rollout/fraud-detector',
      'Service/fraud-detector',
      'Service/fraud-detector-stable',
      'Service/fraud-detector-canary',
      'VirtualService/fraud-detector',
      'DestinationRule/fraud-detector',
      'HorizontalPodAutoscaler/fraud-detector',
      'AnalysisTemplate/fraud-detector',
      'PodMonitor/fraud-detector',
      'ConfigMap/fraud-detector-dashboard',
      'InferenceService/summarization-blel',
    ]);
    expect(objects.every((o) => o.metadata.namespace === 'ml')).toBe(true);
  });

  test('the code-defined service and the file-defined one render as the CLI renders them', () => {
    const rollout = objects.find((o) => o.kind === 'Rollout');
    const weights = rollout.spec.strategy.canary.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight);
    expect(weights).toEqual([5, 10, 25, 50, 100]);
    const isvc = objects.find((o) => o.kind === 'InferenceService');
    expect(isvc.spec.canary.map((c: any) => [c.predictor.name, c.trafficPercent])).toEqual([
      ['a', 20],
      ['b', 30],
    ]);
  });
});
