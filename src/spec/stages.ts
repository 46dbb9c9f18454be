/**
 * Stage plans for backends with no rollout controller (KServe, Seldon): the
 * spec as it stands at one stage, after promoting a version, or rolled back.
 * Each is a plain CanarySpec, rendered like any other.
 */
import { didYouMean, ValidationError } from './errors';
import { CanarySpec, Version } from './model';

/** One row of a stage plan. */
export interface Stage {
  /** 1-based. */
  readonly number: number;
  /** The canaries' total percent at this stage. */
  readonly percent: number;
  /** Weight of every live version, main first. */
  readonly weights: readonly { readonly version: string; readonly weight: number }[];
  /** Pause after the stage, in seconds; undefined = until promoted by hand. */
  readonly pauseSeconds?: number;
}

/**
 * Splits `total` percent among the canaries in proportion to their declared
 * weights (equally if all are 0), by largest remainder, ties to declaration order.
 */
export function shareAmong(canaries: readonly Version[], total: number): number[] {
  const declared = canaries.map((c) => c.weight);
  const sum = declared.reduce((a, b) => a + b, 0);
  const raw = canaries.map((_, i) => (sum === 0 ? total / canaries.length : (total * declared[i]) / sum));
  const out = raw.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]++;
    left--;
  }
  return out;
}

function requireRollout(spec: CanarySpec, flag: string) {
  if (!spec.rollout) {
    throw new ValidationError([{ path: ['rollout'], message: `${flag} needs a rollout section with stages; add rollout: {stages: [5, 10, 25, 50, 100]}` }]);
  }
  if (spec.canaries.length === 0) {
    throw new ValidationError([{ path: ['versions'], message: `${flag} needs a canary version to roll out; add one under versions` }]);
  }
  return spec.rollout;
}

/** The stage table of a spec with a rollout section. */
export function stagePlan(spec: CanarySpec): Stage[] {
  const rollout = requireRollout(spec, 'a stage plan');
  return rollout.stages.map((percent, i) => {
    const shares = shareAmong(spec.canaries, percent);
    return {
      number: i + 1,
      percent,
      weights: [
        { version: spec.main.name, weight: 100 - percent },
        ...spec.canaries.map((c, j) => ({ version: c.name, weight: shares[j] })),
      ],
      ...(rollout.pauses[i] !== undefined ? { pauseSeconds: rollout.pauses[i] } : {}),
    };
  });
}

/** The spec at stage `n` (1-based): the canaries share the stage's percent, main has the rest. */
export function atStage(spec: CanarySpec, n: number): CanarySpec {
  const rollout = requireRollout(spec, 'a stage');
  if (!Number.isInteger(n) || n < 1 || n > rollout.stages.length) {
    throw new ValidationError([
      { path: ['stage'], message: `must be a stage number from 1 to ${rollout.stages.length} (stages ${rollout.stages.join(', ')}), got ${n}` },
    ]);
  }
  const percent = rollout.stages[n - 1];
  const shares = shareAmong(spec.canaries, percent);
  return {
    ...spec,
    main: { ...spec.main, weight: 100 - percent },
    canaries: spec.canaries.map((c, i) => ({ ...c, weight: shares[i] })),
  };
}

/**
 * The spec after promoting `version` to main: it takes main's place and keeps
 * its own name (its pods and Services are named after it, e.g. the KServe
 * InferenceService `NAME-v2`); the other canaries keep their weights.
 */
export function promoted(spec: CanarySpec, version: string): CanarySpec {
  const canary = spec.canaries.find((c) => c.name === version);
  if (!canary) {
    const names = spec.canaries.map((c) => c.name);
    const hint = didYouMean(version, names);
    const why = version === spec.main.name ? `"${version}" is already main` : `unknown canary ${JSON.stringify(version)}`;
    throw new ValidationError([
      {
        path: ['promote'],
        message: `${why}; ${hint ? `did you mean "${hint}"? ` : ''}${names.length > 0 ? `promote one of ${names.join(', ')}` : 'there is no canary to promote'}`,
      },
    ]);
  }
  const rest = spec.canaries.filter((c) => c !== canary);
  const restWeight = rest.reduce((a, c) => a + c.weight, 0);
  return {
    ...spec,
    main: { ...canary, role: 'main', weight: 100 - restWeight },
    canaries: rest,
  };
}

/** The spec rolled back: every canary at 0 (still deployed, dark), main at 100. */
export function rolledBack(spec: CanarySpec): CanarySpec {
  return { ...spec, main: { ...spec.main, weight: 100 }, canaries: spec.canaries.map((c) => ({ ...c, weight: 0 })) };
}
