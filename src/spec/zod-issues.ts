/**
 * Turns zod's issues into the product's issues: one per problem, each with the
 * path, the value received, what is allowed and a fix.
 */
import type { z } from 'zod';
import { describeValue, didYouMean, Issue, IssuePath } from './errors';

type AnySchema = z.ZodType;

/** The error map used for every parse: readable defaults for the checks that carry no message of their own. */
function defaultMessage(iss: z.core.$ZodRawIssue): string | undefined {
  const got = describeValue(iss.input);
  switch (iss.code) {
    case 'invalid_type':
      // a key whose schema takes anything ("nonoptional" is zod's word for it): only its absence is wrong
      if (iss.input === undefined) return iss.expected === 'nonoptional' ? 'is required' : `is required (${article(String(iss.expected))})`;
      return `must be ${article(String(iss.expected))}, got ${got}`;
    case 'too_small':
      return `must be at least ${String(iss.minimum)}${iss.origin === 'string' ? ' characters long' : ''}, got ${got}`;
    case 'too_big':
      return `must be at most ${String(iss.maximum)}${iss.origin === 'string' ? ' characters long' : ''}, got ${got}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    default:
      return undefined;
  }
}

function article(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a map';
    case 'array':
      return 'a list';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

/** Parses `input` with `schema`; returns the data or the translated issues (every one of them). */
export function parseWithIssues<T extends AnySchema>(
  schema: T,
  input: unknown,
  basePath: IssuePath = [],
): { data: z.output<T>; issues: [] } | { data: undefined; issues: Issue[] } {
  const result = schema.safeParse(input, { reportInput: true, error: defaultMessage });
  if (result.success) return { data: result.data, issues: [] };
  const issues: Issue[] = [];
  for (const iss of result.error.issues) {
    const path = [...basePath, ...(iss.path as (string | number)[])];
    if (iss.code === 'unrecognized_keys') {
      const known = knownKeys(schema, iss.path as (string | number)[], input);
      for (const key of iss.keys) {
        const hint = didYouMean(key, known);
        issues.push({
          path: [...path, key],
          message: `unknown key${hint ? `; did you mean "${hint}"?` : `; allowed keys are ${known.map((k) => `"${k}"`).join(', ')}`}`,
        });
      }
    } else if (iss.code === 'invalid_union' && 'discriminator' in iss && iss.discriminator) {
      const parentPath = (iss.path as (string | number)[]).slice(0, -1);
      const value = valueAt(input, iss.path as (string | number)[]);
      const options = (iss as unknown as { options?: unknown[] }).options ?? [];
      const hint = typeof value === 'string' ? didYouMean(value, options.map(String)) : undefined;
      issues.push({
        path: [...basePath, ...parentPath, String(iss.discriminator)],
        message:
          value === undefined
            ? `is required: one of ${options.map((o) => JSON.stringify(o)).join(', ')}`
            : `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${describeValue(value)}${hint ? `; did you mean "${hint}"?` : ''}`,
      });
    } else {
      issues.push({ path, message: iss.message });
    }
  }
  return { data: undefined, issues };
}

/** The value at `path` in `input`, or undefined. */
export function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  valueType?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  in?: AnySchema;
}

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Keys the object schema at `path` declares (walking through optional, record, array and unions). */
function knownKeys(schema: AnySchema, path: readonly (string | number)[], input: unknown): string[] {
  let cur: AnySchema | undefined = schema;
  const consumed: (string | number)[] = [];
  let i = 0;
  while (cur) {
    const def = defOf(cur);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') {
      cur = def.innerType;
      continue;
    }
    if (def.type === 'pipe') {
      cur = def.in;
      continue;
    }
    if (def.type === 'union' && def.options) {
      const value = valueAt(input, consumed) as Record<string, unknown> | undefined;
      const disc = def.discriminator;
      cur =
        def.options.find((o) => {
          const sh = defOf(o).shape;
          if (!sh || !disc || !value) return false;
          return (sh[disc] as unknown as { _zod: { def: { values?: unknown[] } } })._zod.def.values?.includes(value[disc]);
        }) ?? def.options[0];
      continue;
    }
    if (i >= path.length) return def.shape ? Object.keys(def.shape) : [];
    const part = path[i++];
    consumed.push(part);
    if (def.type === 'object' && def.shape) cur = def.shape[String(part)];
    else if (def.type === 'record') cur = def.valueType;
    else if (def.type === 'array') cur = def.element;
    else return [];
  }
  return [];
}

/** What {@link parseSalvaging} returns: the problems of the input as given, and data parsed from what is left of it. */
export interface Salvaged<T> {
  /** The input's problems (those of the first parse: every one, once). */
  readonly issues: Issue[];
  /** Data of the input without the values at `dropped` (undefined when nothing valid is left). */
  readonly data?: T;
  /** Paths (under `basePath`) whose values were dropped or replaced to get `data`: later checks say nothing under them. */
  readonly dropped: IssuePath[];
}

/**
 * Parses `input`; when it has problems, drops the values they are about (an unknown key, a value of the
 * wrong type, ...; a placeholder where `placeholder` gives one) and parses what is left, so the checks
 * after the schema still see every valid part: one round of validation instead of one per layer.
 */
export function parseSalvaging<T extends AnySchema>(
  schema: T,
  input: unknown,
  basePath: IssuePath = [],
  placeholder: (path: IssuePath) => unknown = () => undefined,
  unit: (path: IssuePath) => IssuePath = (path) => path,
): Salvaged<z.output<T>> {
  const first = parseWithIssues(schema, input, basePath);
  if (first.data !== undefined || first.issues.length === 0) return { issues: first.issues, data: first.data, dropped: [] };
  let work = cloneTree(input);
  const dropped: IssuePath[] = [];
  const seen = new Set<string>();
  let issues = first.issues;
  // every round drops at least one value, or climbs one level up: a bounded number of rounds
  for (let round = 0; round < 64; round++) {
    for (const issue of issues) {
      // the smallest part the later checks can do without (e.g. a whole artifact, not its image alone)
      let path = unit(issue.path.slice(basePath.length));
      // a value already dropped and still a problem (e.g. required): drop its parent
      while (path.length > 0 && seen.has(JSON.stringify(path))) path = path.slice(0, -1);
      // an entry of a list goes with its list: dropping one entry would renumber the others
      for (let i = path.length - 1; i > 0; i--) if (Array.isArray(valueAt(work, path.slice(0, i)))) path = path.slice(0, i);
      if (path.length === 0) return { issues: first.issues, dropped };
      seen.add(JSON.stringify(path));
      dropped.push([...basePath, ...path]);
      work = setAt(work, path, placeholder([...basePath, ...path]));
    }
    const next = parseWithIssues(schema, work, basePath);
    if (next.data !== undefined) return { issues: first.issues, data: next.data, dropped };
    issues = next.issues;
  }
  return { issues: first.issues, dropped };
}

/** True when `path` is `prefix` or under it. */
export function isUnder(path: IssuePath, prefix: IssuePath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => String(p) === String(path[i]));
}

/** A copy of the plain maps and lists of `value` (anything else is shared). */
function cloneTree(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneTree);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = cloneTree(v);
    return Object.setPrototypeOf(out, Object.prototype);
  }
  return value;
}

/** `root` with the value at `path` replaced (deleted, for undefined); `root` is a private copy. */
function setAt(root: unknown, path: IssuePath, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = valueAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return root;
  // only the copied maps are changed: anything else (a typed array, an instance) goes as a whole
  if (!Array.isArray(parent) && Object.getPrototypeOf(parent) !== Object.prototype) return setAt(root, path.slice(0, -1), undefined);
  const last = path[path.length - 1];
  if (value === undefined) delete (parent as Record<string | number, unknown>)[last];
  else (parent as Record<string | number, unknown>)[last] = value;
  return root;
}
