/**
 * Property: a random spec the spec itself accepts, rendered for every backend
 * (KServe in each mode and strategy, Seldon v1 and v2, Argo Rollouts) with
 * every router, either renders objects that are valid against the official
 * CRDs and the semantic rules, deterministically, or is refused with a
 * ValidationError whose every issue has a path and a message; never another
 * exception, never partial output.
 *
 * Specs: a third from a broad generator, the rest from the backends' profiles.
 * Runs: 150 specs × 8 backends × 5 routers = 6,000 renders (150 fast-check runs),
 * 150 runs checking the generator's specs pass the spec's own validation, 100
 * runs of Backend.of / Router.of with random names: 400.
 */
import * as fc from 'fast-check';
import { ALL_BACKENDS, ALL_ROUTERS, anyRouterOptions, BROAD, PROFILES, RouterName, SpecCase, specFor } from './generators';
import { expectDeterministic, expectValidOutput, expectWellFormed, outcome, params, SEED_NOTE } from './harness';
import { Backend } from '../../src/backends';
import { synthesize, Synthesized } from '../../src/render';
import { Router, RouterOptions } from '../../src/routers';
import { normalizeService } from '../../src/spec';

/** The state to render: the generated (valid) one, none, or one a backend may refuse. */
const state = (c: SpecCase): fc.Arbitrary<SpecCase['state']> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(c.state) },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.record(
        { stage: fc.integer({ min: -1, max: 9 }), promote: fc.constantFrom('main', 'nope', ...Object.keys(c.input.versions ?? {})), rollback: fc.boolean() },
        { requiredKeys: [] },
      ),
    },
  );

/**
 * Specs from the broad profile (anything the spec allows, mostly refused
 * somewhere) and from each backend's profile (accepted there, maybe elsewhere).
 */
const specs = fc.oneof(
  { weight: Math.ceil(PROFILES.length / 2), arbitrary: specFor(BROAD) },
  ...PROFILES.map((p) => ({ weight: 1, arbitrary: specFor(p) })),
);

const cases = specs.chain((c) =>
  fc.record({ c: fc.constant(c), state: state(c), routerOptions: anyRouterOptions, nativeOptions: fc.boolean() }),
);

describe(`valid specs on every backend and router: valid manifests or a ValidationError (${SEED_NOTE})`, () => {
  test('the generated specs pass the spec\'s own validation (the base of the other properties)', () => {
    fc.assert(
      fc.property(specFor(BROAD), (c) => {
        normalizeService(c.input);
      }),
      params(150),
    );
  });

  test('each backend × router: ValidationError with well-formed issues, or valid and deterministic output', () => {
    let rendered = 0;
    let refused = 0;
    fc.assert(
      fc.property(cases, ({ c, state: s, routerOptions, nativeOptions }) => {
        for (const b of ALL_BACKENDS) {
          for (const r of ALL_ROUTERS) {
            // router native takes no options; given some, it refuses them
            const options: RouterOptions = r === 'native' && !nativeOptions ? {} : routerOptions;
            const run = (input: unknown): Synthesized => synthesize(input, { backend: b.make(), router: Router.of(r, options), ...s });
            const what = `${b.id}/${r as RouterName}`;
            const pristine = structuredClone(c.input);
            const result = outcome(() => run(c.input));
            if ('error' in result) {
              expectWellFormed(result.error);
              refused++;
            } else {
              expectValidOutput(result.ok, what);
              expectDeterministic(result.ok, c.input, pristine, run);
              rendered++;
            }
          }
        }
      }),
      params(150),
    );
    // the property means little if every backend refuses (or accepts) everything
    expect(rendered).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(150);
  });

  test('Backend.of and Router.of refuse unknown names with a ValidationError', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (b, r) => {
        const backend = outcome(() => Backend.of(b));
        if ('error' in backend) expectWellFormed(backend.error);
        const router = outcome(() => Router.of(r));
        if ('error' in router) expectWellFormed(router.error);
      }),
      params(100),
    );
  });
});
