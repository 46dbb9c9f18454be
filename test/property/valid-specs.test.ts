/**
 * Property: a random spec that a backend and router accept (per the README's
 * "What each backend can do") renders without error, every object is valid
 * against the official CRDs and the semantic rules, every version it runs is
 * in the output, every pod is `restricted` unless a version opts out, and
 * rendering is deterministic and leaves the input untouched.
 *
 * Runs: 12 backend × router profiles × 70 = 840, the Lua program of the Istio
 * key-hashing filter 2 × 40 = 80: 920. Plus the regressions the properties found below
 * (up to 40 runs each, stopping at the first counterexample).
 */
import { spawnSync } from 'child_process';
import * as fc from 'fast-check';
import { DIGIT_NAME_PROFILES, Json, KSERVE_SCHEMES, OTHER_SCHEMES, Profile, PROFILES, routerOf, SpecCase, specFor, storageUri } from './generators';
import { expectDeterministic, expectValidOutput, expectWellFormed, labelMaps, outcome, params, SEED_NOTE } from './harness';
import { KubeObject } from '../../src/backends';
import { synthesize, Synthesized } from '../../src/render';
import { clusterImages, clusterServingProblems, declaredImage, KSERVE_EMULATED_FORMATS } from '../support/emulate/cluster';
import { BENTO_IMAGE } from '../support/emulate/images';
import { ImageBehaviour } from '../support/emulate/types';
import { restrictedProblems } from '../support/pod-security';

function render(p: Profile, c: SpecCase, input: unknown = c.input): Synthesized {
  return synthesize(input, { backend: p.backend(), router: routerOf(p.router, c.routerOptions), ...c.state });
}

/** Fails unless every pod meets Pod Security Standards `restricted` (and the project's floor) when no version opts out. */
function expectRestrictedWithoutOptOuts(result: Synthesized, input: Json, what: string): void {
  const optOuts = [input.main, ...Object.values<Json>(input.versions ?? {})].some((v) => v.security !== undefined);
  if (optOuts) return;
  const problems = restrictedProblems(result.objects);
  if (problems.length > 0) throw new Error(`${what}: pods below the restricted profile with no opt-out:\n${problems.join('\n')}`);
}

/**
 * Fails unless, without opt-outs, every pod the emulated controllers make of the output starts, becomes Ready on
 * its server's port and receives its traffic (test/support/emulate). The images are the spec's: bentos run
 * BentoML's image; a plain image listens on its declared port (else the stated default, 8080) and runs as a named user.
 */
function expectServesWithoutOptOuts(result: Synthesized, input: Json, what: string): void {
  const versions = [input.main, ...Object.values<Json>(input.versions ?? {})];
  if (versions.some((v) => v.security !== undefined)) return;
  // a runtime of the cluster's own, or a format version, is served by what the cluster installs: nothing to emulate
  // and so are formats outside KServe's emulated default runtimes
  const artifacts = versions.map((v) => v.artifact).filter((a) => a !== undefined);
  if (artifacts.some((a) => (a.runtime !== undefined && !String(a.runtime).startsWith('kserve-')) || a.formatVersion !== undefined)) return;
  if (what.startsWith('kserve') && artifacts.some((a) => a.type === 'model' && !KSERVE_EMULATED_FORMATS.includes(a.format))) return;
  const declared: Record<string, ImageBehaviour> = {};
  for (const v of [result.spec.main, ...result.spec.canaries, ...(result.spec.mirror ? [result.spec.mirror] : [])]) {
    const a = v.artifact;
    if (a.kind === 'bento') declared[a.image] = BENTO_IMAGE;
    if (a.kind === 'image') declared[a.image] = declaredImage(a.port ?? 8080, a.readinessPath ?? '/');
  }
  const problems = clusterServingProblems(result.objects, clusterImages([], declared));
  if (problems.length > 0) throw new Error(`${what}: would not serve once applied:\n${problems.join('\n')}`);
}

/** Fails unless every canary and the mirror of the rendered state runs pods (or a Model) labeled with its name. */
function expectEveryVersionRendered(result: Synthesized, what: string): void {
  const labeled = new Set(labelMaps(result.objects).map((l) => l.version));
  const versions = [...result.spec.canaries, ...(result.spec.mirror ? [result.spec.mirror] : [])];
  for (const v of versions) {
    if (!labeled.has(v.name)) throw new Error(`${what}: version "${v.name}" (${v.role}) was accepted but nothing in the output runs it`);
  }
}

describe(`specs a backend accepts render valid manifests (${SEED_NOTE})`, () => {
  test.each(PROFILES.map((p) => [p.id, p] as const))('%s: renders, valid against the CRDs and semantic rules, every version rendered, restricted pods, deterministic', (_id, p) => {
    fc.assert(
      fc.property(specFor(p), (c) => {
        const pristine = structuredClone(c.input);
        const result = render(p, c);
        expectValidOutput(result, p.id);
        expectEveryVersionRendered(result, p.id);
        expectRestrictedWithoutOptOuts(result, c.input, p.id);
        expectServesWithoutOptOuts(result, c.input, p.id);
        expectDeterministic(result, c.input, pristine, (copy) => render(p, c, copy));
      }),
      params(70),
    );
  });
});

// ------------------------------------------------------------------ Istio's Lua filter

const LUAJIT = spawnSync('luajit', ['-v'], { encoding: 'utf8' }).status === 0;
/** Compiles (without running) a Lua chunk; the error, or undefined. */
function luaSyntaxError(source: string): string | undefined {
  const check = 'local f, err = loadstring(io.read("*a")); if not f then io.stderr:write(err); os.exit(1) end';
  const run = spawnSync('luajit', ['-e', check], { input: source, encoding: 'utf8' });
  return run.status === 0 ? undefined : run.stderr || `luajit exited with ${run.status}`;
}

function envoyLua(objects: readonly KubeObject[]): string {
  const filter = objects.find((o) => o.kind === 'EnvoyFilter') as Json | undefined;
  if (!filter) throw new Error('header or query routing on istio rendered no EnvoyFilter');
  return filter.spec.configPatches[0].patch.value.typed_config.default_source_code.inline_string;
}

const HASHING = PROFILES.filter((p) => p.hashing);

function hashingCases(p: Profile, key?: fc.Arbitrary<string>): fc.Arbitrary<SpecCase> {
  const cases = specFor(p).filter((c) => c.input.routing !== undefined && c.input.routing.type !== 'random');
  if (!key) return cases;
  return fc.tuple(cases, key).map(([c, k]) => ({ ...c, input: { ...c.input, routing: { type: 'query', key: k } } }));
}

(LUAJIT ? describe : describe.skip)(`the Lua program of Istio key hashing compiles in LuaJIT (${SEED_NOTE})`, () => {
  test.each(HASHING.map((p) => [p.id, p] as const))('%s: header and query keys the schema accepts', (_id, p) => {
    fc.assert(
      fc.property(hashingCases(p), (c) => {
        const error = luaSyntaxError(envoyLua(render(p, c).objects));
        if (error) throw new Error(`the EnvoyFilter's Lua does not compile for routing ${JSON.stringify(c.input.routing)}: ${error}`);
      }),
      params(40),
    );
  });

  /**
   * Regression (found by these properties, since fixed): the schema takes any query key without whitespace, "&", "=", "#"
   * or "?" (src/spec/schema.ts QUERY_NAME), so control characters such as
   * U+0001 pass; src/routers/istio/lua.ts embeds the key with JSON.stringify,
   * whose "\u0001" escape is not valid Lua, so Envoy would reject the filter.
   *
   */
  const controlKey = fc
    .tuple(fc.stringMatching(/^[a-z]{0,3}$/), fc.constantFrom(...[...Array(31).keys()].map((i) => String.fromCharCode(i + 1))), fc.stringMatching(/^[a-z]{0,3}$/))
    .map(([a, ctl, b]) => a + ctl + b)
    .filter((k) => /^[^\s&=#?]+$/.test(k));
  test('query keys with control characters (accepted by the schema) give Lua that compiles', () => {
    const p = HASHING[0];
    fc.assert(
      fc.property(hashingCases(p, controlKey), (c) => {
        const result = outcome(() => render(p, c));
        if ('error' in result) return expectWellFormed(result.error);
        const error = luaSyntaxError(envoyLua(result.ok.objects));
        if (error) throw new Error(`the EnvoyFilter's Lua does not compile for query key ${JSON.stringify(c.input.routing.key)}: ${error}`);
      }),
      { ...params(40), endOnFailure: true },
    );
  });
});

// ------------------------------------------------------------------ regressions the properties found

describe(`regressions the properties found (${SEED_NOTE})`, () => {
  /**
   * Regression (found by these properties, since fixed): a service name is a DNS-1123 label (schema.ts dnsLabel), so it
   * may start with a digit; Argo Rollouts (any router) and routers istio /
   * gateway-api name Services after it (NAME, NAME-stable, NAME-canary), and a
   * Service name must be a DNS-1035 label (start with a letter): the API server
   * refuses them. KServe refuses such names with a ValidationError; these do not.
   *
   */
  test.each(DIGIT_NAME_PROFILES.map((p) => [p.id, p] as const))(
    '%s: a service name starting with a digit is refused or renders valid Services',
    (_id, p) => {
      fc.assert(
        fc.property(specFor(p), (c) => {
          const result = outcome(() => render(p, c));
          if ('error' in result) return expectWellFormed(result.error);
          expectValidOutput(result.ok, `${p.id} with name ${JSON.stringify(c.input.name)}`);
        }),
        { ...params(40), endOnFailure: true },
      );
    },
  );

  /**
   * Regression (found by these properties, since fixed): an image with a storage URI gets a STORAGE_URI variable appended
   * to the env (KServe, Seldon v1, Argo Rollouts), even when the version's env
   * sets STORAGE_URI itself: the container then lists STORAGE_URI twice, and the
   * API server refuses duplicate entries of the env list-map (name is its key).
   *
   */
  const withImages = ['kserve-knative/native', 'kserve-standard-per-version/istio', 'seldon/native', 'argo-rollouts/native'];
  test.each(PROFILES.filter((p) => withImages.includes(p.id)).map((p) => [p.id, p] as const))(
    '%s: a STORAGE_URI variable beside an image\'s storage URI is refused or rendered once',
    (_id, p) => {
      const cases = fc.tuple(specFor(p), storageUri(KSERVE_SCHEMES), storageUri(KSERVE_SCHEMES)).map(([c, uri, own]) => {
        const main = { ...c.input.main, artifact: { type: 'image', image: 'ghcr.io/acme/server:1.0', storageUri: uri } };
        main.env = [...(main.env ?? []).filter((e: Json) => e.name !== 'STORAGE_URI'), { name: 'STORAGE_URI', value: own }];
        return { ...c, input: { ...c.input, main } };
      });
      fc.assert(
        fc.property(cases, (c) => {
          const result = outcome(() => render(p, c));
          if ('error' in result) return expectWellFormed(result.error);
          expectValidOutput(result.ok, p.id);
        }),
        { ...params(40), endOnFailure: true },
      );
    },
  );

  /**
   * Regression (found by these properties, since fixed): KServe checks the scheme of an artifact's storage URI, but not
   * of a STORAGE_URI variable a custom container (bento or image) sets itself,
   * which KServe reads as the predictor's storage URI: an unsupported scheme
   * (ftp://, azure://...) passes synth and fails in KServe's controller
   * (SEMANTIC_RULES.md, "Storage URI").
   */
  const kserve = PROFILES.filter((p) => p.id === 'kserve-knative/native' || p.id === 'kserve-standard-per-version/istio');
  test.each(kserve.map((p) => [p.id, p] as const))('%s: a STORAGE_URI variable with a scheme KServe does not take is refused', (_id, p) => {
    const cases = fc.tuple(specFor(p), storageUri(OTHER_SCHEMES)).map(([c, uri]) => {
      const main = { ...c.input.main, artifact: { type: 'image', image: 'ghcr.io/acme/server:1.0' } };
      main.env = [...(main.env ?? []).filter((e: Json) => e.name !== 'STORAGE_URI'), { name: 'STORAGE_URI', value: uri }];
      return { ...c, input: { ...c.input, main } };
    });
    fc.assert(
      fc.property(cases, (c) => {
        const result = outcome(() => render(p, c));
        if ('error' in result) return expectWellFormed(result.error);
        expectValidOutput(result.ok, p.id);
      }),
      { ...params(40), endOnFailure: true },
    );
  });

  /**
   * Regression (found by these properties, since fixed): a guardrail's own query may use the AnalysisTemplate's args
   * (README: {{args.service}}, {{args.namespace}}, {{args.canary-version}}...),
   * but a placeholder naming an arg the template does not declare (a typo such
   * as {{args.canary_version}}) passes synth, and every AnalysisRun then fails
   * with "Unable to resolve metric arguments". The args are fixed
   * (ANALYSIS_ARGS), so synth could refuse it.
   */
  test('argo-rollouts/native: a guardrail query with an undeclared {{args.x}} is refused', () => {
    const p = PROFILES.find((x) => x.id === 'argo-rollouts/native')!;
    const arg = fc.constantFrom('version', 'svc', 'canary', 'canary_version', 'stableversion', 'ns', 'pod-template-hash');
    const cases = fc.tuple(specFor(p), arg).map(([c, name]) => {
      const query = `sum(rate(conversions_total{version="{{args.${name}}}"}[5m])) - 1`;
      const rollout = { ...(c.input.rollout ?? {}), guardrails: { businessMetricDelta: { query } } };
      return { ...c, input: { ...c.input, rollout } };
    });
    fc.assert(
      fc.property(cases, (c) => {
        const result = outcome(() => render(p, c));
        if ('error' in result) return expectWellFormed(result.error);
        expectValidOutput(result.ok, p.id);
      }),
      { ...params(40), endOnFailure: true },
    );
  });

  /**
   * Regression (found by these properties, since fixed): with router istio, checkRouting lets a mirror through (Istio can
   * mirror), but Argo Rollouts renders its own VirtualService without a mirror
   * route and never reports it: the mirror version is silently dropped (no error,
   * no warning, nothing in the output).g. setMirrorRoute).
   */
  test('argo-rollouts/istio: a mirror version is refused or rendered', () => {
    const argoIstio = PROFILES.find((p) => p.id === 'argo-rollouts/istio')!;
    const p: Profile = { ...argoIstio, mirror: true, id: 'argo-rollouts/istio with a mirror' };
    fc.assert(
      fc.property(
        specFor(p).filter((c) => Object.values<Json>(c.input.versions ?? {}).some((v) => v.mirror)),
        (c) => {
          const result = outcome(() => render(p, c));
          if ('error' in result) return expectWellFormed(result.error);
          expectValidOutput(result.ok, p.id);
          expectEveryVersionRendered(result.ok, p.id);
        },
      ),
      { ...params(40), endOnFailure: true },
    );
  });
});
