/**
 * Secure by default on every backend: Pod Security Standards `restricted`,
 * resources always set, a read-only root filesystem; explicit opt-outs per
 * version; credential-looking plain env values refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Artifact, Backend, EnvValue, KServeMode, Router, SeccompProfile, synthesize, synthesizeConfigFile } from '../../src';
import { serviceInput } from '../../src/props';
import { EXAMPLES, exampleVariant, runCli, writeTemp } from '../support/cli';
import { issuesOf } from '../support/issues';
import { expectValidManifests } from '../support/manifests';
import { podSites, restrictedProblems } from '../support/pod-security';

const model = (v: string) => ({ type: 'model', storageUri: `s3://models/fraud/${v}`, format: 'sklearn' });

/** One definition every backend takes: model artifacts, one canary, fixed canary replicas. */
const base = {
  name: 'fraud',
  namespace: 'ml',
  main: { artifact: model('v1'), instanceType: 'cpu.2', scaling: { minReplicas: 1, maxReplicas: 3 }, env: [{ name: 'MODE', value: 'fast' }] },
  versions: { v2: { artifact: model('v2'), weight: 10, scaling: { minReplicas: 1, maxReplicas: 1 } } },
};
const bentoBase = {
  ...base,
  main: { ...base.main, artifact: { type: 'bento', tag: 'fraud:v1' } },
  versions: { v2: { ...base.versions.v2, artifact: { type: 'bento', tag: 'fraud:v2' } } },
};

const TARGETS: [string, unknown, Parameters<typeof synthesize>[1]][] = [
  ['KServe Standard (canary)', base, { backend: Backend.kserve() }],
  ['KServe Standard (per-version) + istio', bentoBase, { backend: Backend.kserve(), router: Router.istio() }],
  ['KServe Knative', bentoBase, { backend: Backend.kserve({ mode: KServeMode.KNATIVE }) }],
  ['Seldon v1', bentoBase, { backend: Backend.seldon() }],
  ['Seldon v1 (prepackaged server)', base, { backend: Backend.seldon() }],
  ['Seldon v2', { ...base, main: { ...base.main, env: undefined, instanceType: 'gpu.t4.1' } }, { backend: Backend.seldonV2() }],
  ['Argo Rollouts', bentoBase, { backend: Backend.argoRollouts(), router: Router.istio() }],
];

describe('the restricted profile, with resources set, on every backend', () => {
  test.each(TARGETS)('%s', (_, input, options) => {
    const { objects } = synthesize(input, options);
    const sites = objects.flatMap(podSites);
    expect(sites.length).toBeGreaterThan(0);
    expect(restrictedProblems(objects)).toEqual([]);
    expectValidManifests(objects);
  });

  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml') && f !== 'summarization.yaml');
  test.each(files)('examples/bentocloud/%s', (file) => {
    const { objects } = synthesizeConfigFile(path.join(EXAMPLES, file));
    expect(objects.flatMap(podSites).length).toBeGreaterThan(0);
    expect(restrictedProblems(objects)).toEqual([]);
  });

  test.each([
    ['kserve (query hashing by istio)', { backend: 'kserve', router: 'istio' }, undefined],
    ['seldon (query hashing by istio)', { backend: 'seldon', router: 'istio' }, undefined],
    // Argo Rollouts runs one canary and splits by weight only: the example with its first canary, random routing
    [
      'argo-rollouts (one canary, random routing)',
      { backend: 'argo-rollouts', router: 'istio' },
      (doc: any) => {
        delete doc.canary.versions.b;
        doc.canary.route_type = 'random';
      },
    ],
  ])('the BentoCloud example on %s', (_, overrides, edit) => {
    const file = edit ? exampleVariant('bentocloud-argo.yaml', edit) : path.join(EXAMPLES, 'summarization.yaml');
    const { objects } = synthesizeConfigFile(file, overrides as object);
    expect(objects.flatMap(podSites).length).toBeGreaterThan(0);
    expect(restrictedProblems(objects)).toEqual([]);
  });

  test('the checker is not vacuous: it reports what a relaxed pod gives up', () => {
    const { objects } = synthesize(bentoBase, { backend: Backend.argoRollouts() });
    const pod = (objects[0] as any).spec.template.spec;
    const c = pod.containers[0];
    c.securityContext.allowPrivilegeEscalation = true;
    c.securityContext.capabilities = { add: ['SYS_ADMIN'] };
    delete c.resources.limits.memory;
    pod.securityContext = {};
    delete c.securityContext.runAsNonRoot;
    delete c.securityContext.seccompProfile;
    pod.volumes.push({ name: 'host', hostPath: { path: '/' } });
    pod.hostNetwork = true;
    const problems = restrictedProblems(objects).map((p) => p.replace(/^.*?: /, ''));
    expect(problems).toEqual([
      'hostNetwork must not be set',
      'volume host of type hostPath is not allowed',
      'container server: allowPrivilegeEscalation must be false',
      'container server: capabilities must drop ALL',
      'container server: capability SYS_ADMIN may not be added',
      'container server: runAsNonRoot must be true (container or pod)',
      'container server: seccompProfile must be RuntimeDefault or Localhost, got undefined',
      'container server: a memory limit must be set',
    ]);
  });
});

describe('opting out, explicitly, per version', () => {
  test('every default can be relaxed; the canary inherits main\'s settings field by field', () => {
    const input = {
      ...bentoBase,
      main: {
        ...bentoBase.main,
        security: { readOnlyRootFilesystem: false, runAsNonRoot: false, runAsUser: 0, writablePaths: ['/tmp', '/home/app/.cache'] },
      },
      versions: { v2: { ...bentoBase.versions.v2, security: { allowPrivilegeEscalation: true, addCapabilities: ['NET_BIND_SERVICE'], seccompProfile: 'Unconfined' } } },
    };
    const { objects } = synthesize(input, { backend: Backend.kserve(), router: Router.istio() });
    expectValidManifests(objects);
    const [main, canary] = objects.filter((o) => o.kind === 'InferenceService') as any[];
    expect(main.spec.predictor.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: false,
      runAsNonRoot: false,
      runAsUser: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(main.spec.predictor.securityContext).toEqual({ runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } });
    expect(main.spec.predictor.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'writable-1', emptyDir: {} },
    ]);
    expect(main.spec.predictor.containers[0].volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'writable-1', mountPath: '/home/app/.cache' },
    ]);
    expect(canary.spec.predictor.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: true,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      readOnlyRootFilesystem: false,
      runAsNonRoot: false,
      runAsUser: 0,
      seccompProfile: { type: 'Unconfined' },
    });
    // and the checker sees exactly what was given up
    expect(restrictedProblems([main]).map((p) => p.replace(/^.*?: /, ''))).toEqual([
      'container kserve-container: runAsNonRoot must be true (container or pod)',
      'container kserve-container: runAsUser must not be 0',
      'container kserve-container: readOnlyRootFilesystem must be true',
    ]);
  });

  test('from code: security props with SeccompProfile, and an allowed plain value', () => {
    const input = serviceInput(
      'fraud',
      {
        main: {
          artifact: Artifact.bento('fraud:v1'),
          env: { SORT_KEY: EnvValue.fromValue('created_at', { allowPlaintext: true }) },
          security: { runAsUser: 1000, runAsGroup: 1000, seccompProfile: SeccompProfile.RUNTIME_DEFAULT, writablePaths: ['/tmp', '/var/cache'] },
        },
      },
      [],
    );
    const { objects } = synthesize(input, { backend: Backend.argoRollouts() });
    const pod = (objects[0] as any).spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    // the user's own over BentoML's run-time redirections (the bento profile), which the user's settings do not remove
    expect(pod.containers[0].env).toEqual([
      { name: 'BENTOML_HOME', value: '/tmp/bentoml' },
      { name: 'HF_HOME', value: '/tmp/huggingface' },
      { name: 'XDG_CACHE_HOME', value: '/tmp/cache' },
      { name: 'SORT_KEY', value: 'created_at' },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'writable-1', mountPath: '/var/cache' }]);
    expect(restrictedProblems(objects)).toEqual([]);
  });

  test.each([
    [{ runAsUser: 0 }, 'main.security.runAsUser: user 0 is root, and runAsNonRoot is true (the default); use a non-zero user id, or set runAsNonRoot to false'],
    [{ addCapabilities: ['ALL'] }, 'main.security.addCapabilities[0]: adding back ALL capabilities undoes dropping them'],
    [{ addCapabilities: ['cap_net_raw'] }, 'main.security.addCapabilities[0]: must be a capability name in upper case without "CAP_"'],
    [{ writablePaths: ['tmp'] }, 'main.security.writablePaths[0]: must be an absolute path such as "/tmp" (not "/")'],
    [{ writablePaths: ['/tmp', '/tmp'] }, 'main.security.writablePaths[1]: "/tmp" is listed twice; remove one'],
    [{ seccompProfile: 'Localhost' }, 'main.security.seccompProfile: must be "RuntimeDefault" or "Unconfined", got "Localhost"'],
    [{ privileged: true }, 'main.security.privileged: unknown key'],
  ])('%j is refused', (security, expected) => {
    const input = { ...bentoBase, main: { ...bentoBase.main, security } };
    expect(issuesOf(() => synthesize(input, { backend: Backend.argoRollouts() }))).toEqual([expect.stringContaining(expected)]);
  });
});

describe('credentials in env', () => {
  test.each(['HF_TOKEN', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'client_secret', 'GCP_CREDENTIALS', 'TOKEN'])('a plain %s is refused, showing the secretKeyRef form', (name) => {
    const input = { ...bentoBase, main: { ...bentoBase.main, env: [{ name, value: 'hunter2' }] } };
    const issues = issuesOf(() => synthesize(input, { backend: Backend.argoRollouts() }));
    expect(issues).toEqual([
      expect.stringContaining(
        `main.env[0].value: "${name}" looks like a credential, and a plain value is written into the manifest (and into Git); ` +
          `read it from a Secret instead: {name: "${name}", secretKeyRef: {name: "<secret>", key: "<key>"}}`,
      ),
    ]);
    expect(issues[0]).toContain('allowPlaintext: true');
  });

  test.each(['KEYBOARD_LAYOUT', 'TOKENIZER', 'MONKEY', 'PASSWORD_MIN_LENGTH', 'SECRETARY'])('%s does not look like a credential', (name) => {
    const input = { ...bentoBase, main: { ...bentoBase.main, env: [{ name, value: 'x' }] } };
    expect(() => synthesize(input, { backend: Backend.argoRollouts() })).not.toThrow();
  });

  test('a Secret or ConfigMap reference, or an explicit allowPlaintext, is accepted on every backend', () => {
    for (const [, input, options] of TARGETS) {
      if ((options?.backend as Backend | undefined)?.renderer.name === 'seldon-v2') continue; // v2 has no per-model env
      const withEnv = {
        ...(input as any),
        main: {
          ...(input as any).main,
          env: [
            { name: 'HF_TOKEN', secretKeyRef: { name: 'hf', key: 'token' } },
            { name: 'SETTINGS_KEY', value: 'default', allowPlaintext: true },
            { name: 'REGION', configMapKeyRef: { name: 'cluster', key: 'region' } },
          ],
        },
      };
      const { objects } = synthesize(withEnv, options);
      const yaml = JSON.stringify(objects);
      expect(yaml).toContain('"secretKeyRef":{"name":"hf","key":"token"}');
      expect(yaml).toContain('"configMapKeyRef":{"name":"cluster","key":"region"}');
      expect(yaml).not.toContain('allowPlaintext');
      expectValidManifests(objects);
    }
  });

  test('in a file: the position of the value, in the file\'s words; allow_plaintext and the security block work there too', () => {
    const bad = writeTemp('token.yaml', 'name: fraud\nbento: fraud:v1\nenvs:\n  - name: HF_TOKEN\n    value: hunter2\n');
    const run = runCli('validate', '-f', bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bad}:5:5 envs[0].value: "HF_TOKEN" looks like a credential`);
    expect(run.stderr).toContain('value_from: {secret_key_ref: {name, key}}');

    const good = writeTemp(
      'allowed.yaml',
      [
        'name: fraud',
        'bento: fraud:v1',
        'envs:',
        '  - name: SORT_KEY',
        '    value: created_at',
        '    allow_plaintext: true',
        'services:',
        '  Fraud:',
        '    security:',
        '      read_only_root_filesystem: false',
        '      run_as_user: 0',
        '',
      ].join('\n'),
    );
    const refused = runCli('validate', '-f', good);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${good}:11:7 services.Fraud.security.run_as_user: user 0 is root, and run_as_non_root is true (the default)`);
    fs.writeFileSync(good, fs.readFileSync(good, 'utf8') + '      run_as_non_root: false\n');
    const ok = runCli('synth', '-f', good);
    expect(ok.code).toBe(0);
    const isvc = parseAllDocuments(ok.stdout)[0].toJS();
    expect(isvc.spec.predictor.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: false, runAsNonRoot: false, runAsUser: 0 });
  });
});
