/**
 * Shared by the property suites: the reproducible fast-check settings and the
 * assertions every property makes about what `synthesize` returns or throws.
 */
import * as fc from 'fast-check';
import { KubeObject } from '../../src/backends';
import { Synthesized, toYaml } from '../../src/render';
import { Issue, ValidationError } from '../../src/spec';
import { manifestProblems } from '../support/manifests';

/**
 * The seed of every property: fixed so CI is reproducible; `FC_SEED=<integer>`
 * replays or explores another one (fast-check prints seed and path of a failure).
 */
export const DEFAULT_SEED = 1_337_2025;
export const SEED = parseSeed(process.env.FC_SEED);

/** `FC_RUNS_SCALE=<number>` multiplies every property's numRuns (e.g. 10 for a long local run). */
const RUNS_SCALE = process.env.FC_RUNS_SCALE ? Number(process.env.FC_RUNS_SCALE) : 1;

function parseSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}

/** fast-check parameters of one property: the suite's seed and `numRuns` (scaled by FC_RUNS_SCALE). */
export function params<T>(numRuns: number): fc.Parameters<T> {
  if (!(RUNS_SCALE > 0)) throw new Error(`FC_RUNS_SCALE must be a positive number, got ${process.env.FC_RUNS_SCALE}`);
  return { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * RUNS_SCALE)) };
}

/** Shown in describe() titles, so a failing run names the seed to replay. */
export const SEED_NOTE = `FC_SEED=${SEED}`;

/** Problems with the issues of a ValidationError: at least one, each with a path (string or number parts) and a message. */
export function issueShapeProblems(issues: readonly Issue[]): string[] {
  const out: string[] = [];
  if (!Array.isArray(issues) || issues.length === 0) return ['a ValidationError without issues'];
  issues.forEach((i, n) => {
    if (!Array.isArray(i.path)) {
      out.push(`issue ${n}: path is not an array: ${String(i.path)}`);
    } else if (!(i.path as readonly unknown[]).every((p: unknown) => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p) && p >= 0))) {
      out.push(`issue ${n}: path parts must be keys or indexes, got ${JSON.stringify(i.path)}`);
    }
    if (typeof i.message !== 'string' || i.message.trim() === '') out.push(`issue ${n}: empty message at ${JSON.stringify(i.path)}`);
  });
  return out;
}

/** What a call gave: its result, or the ValidationError it threw. Any other exception propagates (and fails the property). */
export type Outcome<T> = { readonly ok: T } | { readonly error: ValidationError };

export function outcome<T>(run: () => T): Outcome<T> {
  try {
    return { ok: run() };
  } catch (e) {
    if (e instanceof ValidationError) return { error: e };
    throw e;
  }
}

/** Fails unless `run` throws a well-formed ValidationError (and nothing else); returns it. */
export function expectValidationError(run: () => unknown, what = 'the input'): ValidationError {
  const result = outcome(run);
  if ('ok' in result) throw new Error(`expected a ValidationError for ${what}, got a result`);
  const problems = issueShapeProblems(result.error.issues);
  if (problems.length > 0) throw new Error(`malformed ValidationError for ${what}:\n${problems.join('\n')}\n${result.error.message}`);
  return result.error;
}

/** Fails unless a ValidationError is well formed. */
export function expectWellFormed(error: ValidationError): void {
  const problems = issueShapeProblems(error.issues);
  if (problems.length > 0) throw new Error(`malformed ValidationError:\n${problems.join('\n')}\n${error.message}`);
}

/** Fails unless the rendered objects are valid against the official CRDs and the semantic rules. */
export function expectValidOutput(result: Synthesized, what = 'the output'): void {
  if (!Array.isArray(result.objects) || result.objects.length === 0) throw new Error(`${what}: no objects`);
  const problems = manifestProblems(result.objects);
  if (problems.length > 0) throw new Error(`${what} is invalid:\n${problems.join('\n')}`);
  for (const w of result.warnings) if (typeof w !== 'string' || w === '') throw new Error(`${what}: a warning that is not a message: ${String(w)}`);
}

/**
 * Renders `input` a second time from a deep copy and compares the YAML byte for
 * byte; also checks that the first render left its input untouched.
 */
export function expectDeterministic(first: Synthesized, input: unknown, pristine: unknown, again: (copy: unknown) => Synthesized): void {
  if (JSON.stringify(input) !== JSON.stringify(pristine)) throw new Error('synthesize modified its input');
  const a = toYaml(first.objects);
  const b = toYaml(again(structuredClone(pristine)).objects);
  if (a !== b) throw new Error(`two renders of the same input differ:\n--- first\n${a}\n--- second\n${b}`);
}

/** Every `labels` map found anywhere in the objects (metadata, pod templates, predictors). */
export function labelMaps(objects: readonly KubeObject[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'labels' && v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
        walk(v);
      }
    }
  };
  objects.forEach(walk);
  return out;
}
