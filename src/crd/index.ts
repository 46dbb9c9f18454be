/**
 * Strict validation of objects against CustomResourceDefinitions, as the API
 * server does with `kubectl apply --validate=strict`: the structural
 * openAPIV3Schema (types, nullable, int-or-string, enums, patterns, bounds,
 * required fields, unknown fields rejected) and ObjectMeta's rules.
 *
 * CEL rules (`x-kubernetes-validations`) are not evaluated here; the rules
 * that matter to our output are checked by the backends themselves.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as YAML from 'yaml';

/** One way an object breaks its CRD. */
export interface SchemaViolation {
  /** Path in the object, e.g. `spec.canary[0].predictor.maxReplicas`. */
  readonly path: string;
  readonly message: string;
}

/** The subset of OpenAPI v3 (structural schema) CRDs use. */
export interface JsonSchema {
  readonly 'type'?: string;
  readonly 'properties'?: Readonly<Record<string, JsonSchema>>;
  readonly 'additionalProperties'?: boolean | JsonSchema;
  readonly 'items'?: JsonSchema;
  readonly 'required'?: readonly string[];
  readonly 'enum'?: readonly unknown[];
  readonly 'nullable'?: boolean;
  readonly 'pattern'?: string;
  readonly 'format'?: string;
  readonly 'minimum'?: number;
  readonly 'maximum'?: number;
  readonly 'exclusiveMinimum'?: boolean;
  readonly 'exclusiveMaximum'?: boolean;
  readonly 'multipleOf'?: number;
  readonly 'minLength'?: number;
  readonly 'maxLength'?: number;
  readonly 'minItems'?: number;
  readonly 'maxItems'?: number;
  readonly 'uniqueItems'?: boolean;
  readonly 'minProperties'?: number;
  readonly 'maxProperties'?: number;
  readonly 'allOf'?: readonly JsonSchema[];
  readonly 'anyOf'?: readonly JsonSchema[];
  readonly 'oneOf'?: readonly JsonSchema[];
  readonly 'not'?: JsonSchema;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema: JsonSchema;
}

interface Crd {
  readonly group: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: readonly CrdVersion[];
}

type Obj = Record<string, unknown>;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const METADATA_FIELDS = new Set(['name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences']);
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

const fileCache = new Map<string, Crd[]>();
const patternCache = new Map<string, RegExp>();

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const safe = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  if (base === '') return safe;
  return /^[A-Za-z_$]/.test(safe) ? `${base}.${safe}` : `${base}[${safe}]`;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function toCrd(doc: unknown): Crd | undefined {
  if (!isObj(doc) || doc.kind !== 'CustomResourceDefinition' || !isObj(doc.spec)) return undefined;
  const spec = doc.spec as Obj;
  const names = spec.names as Obj | undefined;
  const versions = (spec.versions as Obj[] | undefined) ?? [];
  return {
    group: String(spec.group),
    kind: String(names?.kind),
    scope: spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
    versions: versions.map((v) => ({
      name: String(v.name),
      served: v.served !== false,
      schema: ((v.schema as Obj | undefined)?.openAPIV3Schema as JsonSchema | undefined) ?? { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true },
    })),
  };
}

function crdsOfDocument(doc: unknown): Crd[] {
  if (isObj(doc) && Array.isArray(doc.items) && typeof doc.kind === 'string' && doc.kind.endsWith('List')) {
    return doc.items.map(toCrd).filter((c): c is Crd => c !== undefined);
  }
  const crd = toCrd(doc);
  return crd ? [crd] : [];
}

function crdsOfFile(file: string): Crd[] {
  const key = path.resolve(file);
  const cached = fileCache.get(key);
  if (cached) return cached;
  const text = fs.readFileSync(key, 'utf8');
  const docs = key.endsWith('.json') ? [JSON.parse(text)] : yaml().parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: -1 }));
  const crds = docs.flatMap(crdsOfDocument);
  fileCache.set(key, crds);
  return crds;
}

function filesUnder(p: string): string[] {
  const stat = fs.statSync(p);
  if (stat.isFile()) return [p];
  return fs
    .readdirSync(p)
    .sort()
    .flatMap((entry) => {
      const full = path.join(p, entry);
      if (fs.statSync(full).isDirectory()) return filesUnder(full);
      return /\.(ya?ml|json)$/.test(entry) ? [full] : [];
    });
}

/** Groups built into Kubernetes: checked elsewhere, not by CRDs. */
function isBuiltInGroup(group: string): boolean {
  return group === '' || !group.includes('.') || (group.endsWith('.k8s.io') && !group.startsWith('gateway.networking'));
}

/** A set of CRDs to validate objects against. */
export class CrdCatalog {
  /** Every CRD in the given files or folders (YAML, multi-document, `kind: List` as printed by `kubectl get crd -o yaml`, or JSON). */
  public static fromPaths(paths: readonly string[]): CrdCatalog {
    return new CrdCatalog(paths.flatMap(filesUnder).flatMap(crdsOfFile));
  }

  /** Every CRD among already-parsed documents. */
  public static fromDocuments(docs: readonly unknown[]): CrdCatalog {
    return new CrdCatalog(docs.flatMap(crdsOfDocument));
  }

  private readonly byGroupKind = new Map<string, Crd>();

  private constructor(crds: readonly Crd[]) {
    for (const crd of crds) this.byGroupKind.set(`${crd.group}/${crd.kind}`, crd);
  }

  /** Number of CRDs loaded. */
  public get size(): number {
    return this.byGroupKind.size;
  }

  /** Whether a served version of a CRD defines this apiVersion and kind. */
  public has(apiVersion: string, kind: string): boolean {
    const { group, version } = splitApiVersion(apiVersion);
    const crd = this.byGroupKind.get(`${group}/${kind}`);
    return crd !== undefined && crd.versions.some((v) => v.served && v.name === version);
  }

  /** Whether the catalog has a CRD for this group (any kind). */
  public coversGroup(apiVersion: string): boolean {
    const { group } = splitApiVersion(apiVersion);
    return [...this.byGroupKind.values()].some((c) => c.group === group);
  }

  /**
   * Validates one object. Built-in kinds (core, apps, autoscaling, ...) give no
   * violations: they are not defined by CRDs.
   */
  public validate(obj: unknown): SchemaViolation[] {
    if (!isObj(obj)) return [{ path: '', message: `must be an object, got ${show(obj)}` }];
    const out: SchemaViolation[] = [];
    if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') out.push({ path: 'apiVersion', message: 'required field "apiVersion" is missing' });
    if (typeof obj.kind !== 'string' || obj.kind === '') out.push({ path: 'kind', message: 'required field "kind" is missing' });
    if (out.length > 0) return out;
    const { group, version } = splitApiVersion(obj.apiVersion as string);
    const crd = this.byGroupKind.get(`${group}/${obj.kind as string}`);
    if (!crd) {
      if (isBuiltInGroup(group)) return [];
      return [{ path: '', message: `no CustomResourceDefinition defines ${obj.kind as string} in ${obj.apiVersion as string}` }];
    }
    const served = crd.versions.filter((v) => v.served);
    const v = served.find((x) => x.name === version);
    if (!v) {
      return [{ path: 'apiVersion', message: `version "${version}" of ${crd.group} is not served; served versions: ${served.map((x) => x.name).join(', ')}` }];
    }
    validateMetadata(obj.metadata, crd.scope, out);
    const schema = v.schema;
    const props = schema.properties ?? {};
    for (const [key, value] of Object.entries(obj)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      const sub = props[key];
      if (!sub) {
        if (!schema['x-kubernetes-preserve-unknown-fields']) out.push({ path: key, message: `unknown field "${key}"` });
        continue;
      }
      validateValue(sub, value, key, out, true);
    }
    for (const req of schema.required ?? []) {
      if (req !== 'apiVersion' && req !== 'kind' && req !== 'metadata' && obj[req] === undefined) {
        out.push({ path: req, message: `required field "${req}" is missing` });
      }
    }
    return out;
  }
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return 'prefix must be a DNS-1123 subdomain';
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) return 'name part must be 1-63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric';
  return undefined;
}

function validateMetadata(meta: unknown, scope: 'Namespaced' | 'Cluster', out: SchemaViolation[]): void {
  if (!isObj(meta)) {
    out.push({ path: 'metadata', message: 'required field "metadata" is missing or not an object' });
    return;
  }
  for (const key of Object.keys(meta)) {
    if (!METADATA_FIELDS.has(key)) out.push({ path: `metadata.${key}`, message: `unknown field "${key}"` });
  }
  const name = meta.name;
  if (name === undefined && meta.generateName === undefined) out.push({ path: 'metadata.name', message: 'required field "name" is missing' });
  if (name !== undefined && (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name))) {
    out.push({ path: 'metadata.name', message: `must be a DNS-1123 subdomain (lower-case alphanumerics, "-", ".", at most 253), got ${show(name)}` });
  }
  if (meta.namespace !== undefined) {
    if (scope === 'Cluster') {
      out.push({ path: 'metadata.namespace', message: 'a cluster-scoped object has no namespace' });
    } else if (typeof meta.namespace !== 'string' || meta.namespace.length > 63 || !DNS1123_LABEL.test(meta.namespace)) {
      out.push({ path: 'metadata.namespace', message: `must be a DNS-1123 label, got ${show(meta.namespace)}` });
    }
  }
  if (meta.labels !== undefined) {
    if (!isObj(meta.labels)) {
      out.push({ path: 'metadata.labels', message: 'must be a map of strings' });
    } else {
      for (const [k, v] of Object.entries(meta.labels)) {
        const p = join('metadata.labels', k);
        const problem = qualifiedNameProblem(k);
        if (problem) out.push({ path: p, message: `invalid label key: ${problem}` });
        if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push({ path: p, message: `invalid label value ${show(v)}` });
      }
    }
  }
  if (meta.annotations !== undefined) {
    if (!isObj(meta.annotations)) {
      out.push({ path: 'metadata.annotations', message: 'must be a map of strings' });
    } else {
      let size = 0;
      for (const [k, v] of Object.entries(meta.annotations)) {
        const p = join('metadata.annotations', k);
        const problem = qualifiedNameProblem(k);
        if (problem) out.push({ path: p, message: `invalid annotation key: ${problem}` });
        if (typeof v !== 'string') out.push({ path: p, message: `annotation values must be strings, got ${show(v)}` });
        size += k.length + String(v).length;
      }
      if (size > MAX_ANNOTATIONS_BYTES) out.push({ path: 'metadata.annotations', message: `annotations total ${size} bytes; the limit is 262144` });
    }
  }
}

function regex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

/**
 * Validates `value` against `schema` at `at`. `structural` is false inside
 * allOf/anyOf/oneOf/not, where only value constraints apply.
 */
function validateValue(schema: JsonSchema, value: unknown, at: string, out: SchemaViolation[], structural: boolean): void {
  if (value === undefined) return;
  if (value === null) {
    if (!schema.nullable) out.push({ path: at, message: 'must not be null' });
    return;
  }
  const actual = typeOf(value);
  if (schema['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') {
      out.push({ path: at, message: `must be an integer or a string, got ${actual} ${show(value)}` });
      return;
    }
  } else if (schema.type) {
    const ok = schema.type === actual || (schema.type === 'number' && actual === 'integer');
    if (!ok) {
      out.push({ path: at, message: `must be of type ${schema.type}, got ${actual} ${show(value)}` });
      return;
    }
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    out.push({ path: at, message: `must be one of: ${schema.enum.map(show).join(', ')}; got ${show(value)}` });
  }
  if (typeof value === 'string') checkString(schema, value, at, out);
  if (typeof value === 'number') checkNumber(schema, value, at, out);
  if (Array.isArray(value)) checkArray(schema, value, at, out, structural);
  if (isObj(value)) checkObject(schema, value, at, out, structural);
  checkCombinators(schema, value, at, out);
}

function checkString(schema: JsonSchema, value: string, at: string, out: SchemaViolation[]): void {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) out.push({ path: at, message: `must be at least ${schema.minLength} characters long, got ${show(value)}` });
  if (schema.maxLength !== undefined && length > schema.maxLength) out.push({ path: at, message: `must be at most ${schema.maxLength} characters long, got ${length}` });
  if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) out.push({ path: at, message: `must match ${schema.pattern}, got ${show(value)}` });
  if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) out.push({ path: at, message: `must be an RFC 3339 date-time, got ${show(value)}` });
  if (schema.format === 'byte' && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) out.push({ path: at, message: 'must be base64' });
}

function checkNumber(schema: JsonSchema, value: number, at: string, out: SchemaViolation[]): void {
  if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
    out.push({ path: at, message: `must be ${schema.exclusiveMinimum ? 'greater than' : 'at least'} ${schema.minimum}, got ${value}` });
  }
  if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
    out.push({ path: at, message: `must be ${schema.exclusiveMaximum ? 'less than' : 'at most'} ${schema.maximum}, got ${value}` });
  }
  if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) out.push({ path: at, message: `must be a multiple of ${schema.multipleOf}, got ${value}` });
  if (schema.format === 'int32' && (value < -2147483648 || value > 2147483647)) out.push({ path: at, message: `must fit in int32, got ${value}` });
  if (schema.format === 'int64' && !Number.isSafeInteger(value)) out.push({ path: at, message: `must be an int64, got ${value}` });
}

function checkArray(schema: JsonSchema, value: unknown[], at: string, out: SchemaViolation[], structural: boolean): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ path: at, message: `must have at least ${schema.minItems} items, got ${value.length}` });
  if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ path: at, message: `must have at most ${schema.maxItems} items, got ${value.length}` });
  if (schema.items) value.forEach((item, i) => validateValue(schema.items!, item, join(at, i), out, structural));
  const listType = schema['x-kubernetes-list-type'];
  if (schema.uniqueItems || listType === 'set') {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) out.push({ path: join(at, i), message: `duplicate value ${show(item)}` });
      seen.add(key);
    });
  }
  if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (!isObj(item)) return;
      const key = JSON.stringify(keys.map((k) => item[k]));
      if (seen.has(key)) out.push({ path: join(at, i), message: `duplicate entry with ${keys.map((k) => `${k}=${show(item[k])}`).join(', ')}` });
      seen.add(key);
    });
  }
}

function checkObject(schema: JsonSchema, value: Obj, at: string, out: SchemaViolation[], structural: boolean): void {
  const props = schema.properties ?? {};
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) out.push({ path: at, message: `must have at least ${schema.minProperties} fields` });
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) out.push({ path: at, message: `must have at most ${schema.maxProperties} fields` });
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const key of keys) {
    const sub = props[key];
    const child = join(at, key);
    if (sub) {
      validateValue(sub, value[key], child, out, structural);
    } else if (typeof schema.additionalProperties === 'object') {
      validateValue(schema.additionalProperties, value[key], child, out, structural);
    } else if (
      structural &&
      schema.additionalProperties !== true &&
      !schema['x-kubernetes-preserve-unknown-fields'] &&
      !(embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata'))
    ) {
      out.push({ path: child, message: `unknown field "${key}"` });
    }
  }
  for (const req of schema.required ?? []) {
    if (value[req] === undefined) out.push({ path: join(at, req), message: `required field "${req}" is missing` });
  }
}

function checkCombinators(schema: JsonSchema, value: unknown, at: string, out: SchemaViolation[]): void {
  const run = (s: JsonSchema) => {
    const found: SchemaViolation[] = [];
    validateValue(s, value, at, found, false);
    return found;
  };
  for (const s of schema.allOf ?? []) out.push(...run(s));
  if (schema.anyOf && !schema['x-kubernetes-int-or-string']) {
    const results = schema.anyOf.map(run);
    if (!results.some((r) => r.length === 0)) out.push({ path: at, message: `must match at least one allowed form: ${results.map((r) => r[0]?.message).join('; or ')}` });
  }
  if (schema.oneOf) {
    const matches = schema.oneOf.map(run).filter((r) => r.length === 0).length;
    if (matches !== 1) out.push({ path: at, message: `must match exactly one allowed form, matches ${matches}` });
  }
  if (schema.not && run(schema.not).length === 0) out.push({ path: at, message: 'matches a forbidden form' });
}

/** Readable lines `Kind/name: path: message`, for test failures and the CLI. */
export function formatViolations(obj: unknown, violations: readonly SchemaViolation[]): string {
  const o = isObj(obj) ? obj : {};
  const meta = isObj(o.metadata) ? o.metadata : {};
  const who = `${String(o.kind ?? '?')}/${String(meta.name ?? '?')}`;
  return violations.map((v) => `${who}: ${v.path || '(root)'}: ${v.message}`).join('\n');
}

/** What to do when a cluster's CRD lacks a field we emit, by `Kind path`. */
const FIELD_HINTS: Readonly<Record<string, string>> = {
  'InferenceService spec.canary':
    'spec.canary (several canaries in KServe Standard mode) needs KServe 0.20 or later: upgrade KServe, or use KServe Knative mode (one canary), ' +
    'or the per-version strategy with router "istio" or "gateway-api"',
};

/**
 * Checks rendered objects against the CRDs a cluster actually has (e.g. the
 * output of `kubectl get crd -o yaml`), so version skew shows before apply:
 * a kind the cluster has no CRD for, a version it does not serve, a field its
 * CRD does not define. Built-in kinds are not checked.
 * @param crds files or folders of CRD YAML/JSON
 * @returns one line per problem, `Kind/name: path: message`; empty when the cluster takes every object
 * @throws Error when a path cannot be read or holds no CRD
 */
export function validateAgainstCrds(objects: readonly unknown[], crds: string | readonly string[]): string[] {
  const paths = typeof crds === 'string' ? [crds] : [...crds];
  let catalog: CrdCatalog;
  try {
    catalog = CrdCatalog.fromPaths(paths);
  } catch (e) {
    throw new Error(`cannot read the cluster's CRDs from ${paths.join(', ')}: ${(e as Error).message}`);
  }
  if (catalog.size === 0) {
    throw new Error(`no CustomResourceDefinition in ${paths.join(', ')}; export them with \`kubectl get crd -o yaml > crds.yaml\``);
  }
  const out: string[] = [];
  for (const obj of objects) {
    const violations = catalog.validate(obj).map((v) => ({
      ...v,
      message:
        v.path === ''
          ? `${v.message}: the cluster does not have this CRD; install the controller that provides it, or choose a backend or router the cluster has`
          : /^unknown field/.test(v.message)
            ? `${v.message}: the cluster's CRD does not define it (an older version of the controller?); ${FIELD_HINTS[`${String((obj as Obj).kind)} ${v.path}`] ?? 'upgrade the controller, or render without the option that needs it'}`
            : v.message,
    }));
    if (violations.length > 0) out.push(formatViolations(obj, violations));
  }
  return out.flatMap((l) => l.split('\n'));
}

/** The YAML library, loaded on first use: requiring canary-inference stays cheap for what does not read YAML. */
function yaml(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as typeof YAML);
}
let yamlModule: typeof YAML | undefined;
