/**
 * The input model of a canary inference service, as zod schemas. Shape and
 * single-field rules live here; cross-field rules live in `normalize.ts`.
 */
import { z } from 'zod';
import { describeValue } from './errors';
import type * as input from './input';
import { DNS1035_LABEL, DNS1123_LABEL, labelValueProblem, MAX_LABEL_LENGTH, qualifiedNameProblem, RESERVED_LABELS } from './names';

/** Message for a value outside what a field allows: `must be <allowed>, got <value>; <fix>`. */
function expect(allowed: string, fix?: string) {
  return (iss: { input?: unknown }) =>
    iss.input === undefined
      ? `is required: ${allowed}${fix ? `; ${fix}` : ''}`
      : `must be ${allowed}, got ${describeValue(iss.input)}${fix ? `; ${fix}` : ''}`;
}

function wholeNumber(min: number, max: number | undefined, allowed: string, fix?: string) {
  const error = expect(allowed, fix);
  let schema = z.number({ error }).int({ error }).min(min, { error });
  if (max !== undefined) schema = schema.max(max, { error });
  return schema;
}

/** A DNS-1123 label (version names, service names). */
export const dnsLabel = (what: string) =>
  z
    .string({ error: expect(`${what}: a DNS-1123 label (lower-case letters, digits and '-')`) })
    .max(MAX_LABEL_LENGTH, { error: expect(`at most ${MAX_LABEL_LENGTH} characters long`, 'shorten it') })
    .regex(DNS1123_LABEL, {
      error: expect(
        `${what}: lower-case letters, digits and '-', starting and ending with a letter or digit`,
        'e.g. "summarization-v2"',
      ),
    });

const labelMap = z.record(z.string(), z.string({ error: expect('a string') })).superRefine((map, ctx) => {
  for (const [key, value] of Object.entries(map)) {
    if (RESERVED_LABELS.includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `"${key}" is a label canary-inference sets on every pod (service, version, Istio's canonical names), so yours would be overwritten; use another key, e.g. "team" or "model-family"`,
      });
      continue;
    }
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) ctx.addIssue({ code: 'custom', path: [key], message: `invalid key ${JSON.stringify(key)}: ${keyProblem}` });
    const valueProblem = labelValueProblem(value);
    if (valueProblem) ctx.addIssue({ code: 'custom', path: [key], message: `invalid value ${describeValue(value)}: ${valueProblem}` });
  }
});

const annotationMap = z.record(z.string(), z.string({ error: expect('a string', 'quote numbers and booleans') })).superRefine((map, ctx) => {
  for (const key of Object.keys(map)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) ctx.addIssue({ code: 'custom', path: [key], message: `invalid key ${JSON.stringify(key)}: ${keyProblem}` });
  }
});

/** BentoML tag `name:version`. */
const BENTO_TAG = /^[a-z0-9]([-._a-z0-9]*[a-z0-9])?:[A-Za-z0-9]([-._A-Za-z0-9]*[A-Za-z0-9])?$/;
/** A container image reference: [registry[:port]/]path[:tag][@digest]. */
const IMAGE_REF = /^[a-zA-Z0-9][a-zA-Z0-9._-]*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
/** A storage URI: scheme://rest. */
const STORAGE_URI = /^[a-z][a-z0-9+.-]*:\/\/\S+$/;
const REPOSITORY = /^[a-zA-Z0-9][a-zA-Z0-9._-]*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** An HTTP path a probe asks, e.g. `/healthz`. */
const httpPath = z
  .string({ error: expect('an HTTP path such as "/healthz"') })
  .regex(/^\/[\x21-\x7e]*$/, { error: expect('an HTTP path starting with "/" (no spaces), such as "/healthz"') });

const storageUri = z
  .string({ error: expect('a storage URI such as "s3://bucket/path"') })
  .regex(STORAGE_URI, { error: expect('a storage URI scheme://path (e.g. s3://, gs://, pvc://, hf://)') });

/** Where a version's model server comes from. */
export const artifactSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('bento'),
      tag: z.string({ error: expect('a bento tag "name:version"') }).regex(BENTO_TAG, {
        error: expect('a bento tag "name:version" (lower-case name, then the version)', 'e.g. "summarization:xq4dggshm25lecvj"'),
      }),
    }),
    z.strictObject({
      type: z.literal('image'),
      image: z.string({ error: expect('a container image reference') }).regex(IMAGE_REF, {
        error: expect('a container image reference registry/path[:tag][@sha256:digest]', 'e.g. "ghcr.io/acme/server:1.2.0"'),
      }),
      storageUri: storageUri.optional(),
      port: wholeNumber(1, 65535, 'a port number from 1 to 65535').optional(),
      readinessPath: httpPath.optional(),
      livenessPath: httpPath.optional(),
      user: wholeNumber(0, 2_147_483_647, 'the numeric user id the image runs as, e.g. 1000').optional(),
      group: wholeNumber(0, 2_147_483_647, 'the numeric group id the image runs as, e.g. 1000').optional(),
    }),
    z.strictObject({
      type: z.literal('model'),
      storageUri,
      // as the serving stacks name them: lower case, but KServe's "vLLM"
      format: z.string({ error: expect('a model format name such as "sklearn" or "huggingface"') }).regex(/^[a-zA-Z][a-zA-Z0-9_.-]*$/, {
        error: expect('a model format name such as "sklearn", "xgboost", "huggingface" (letters, digits, "_", "." and "-")'),
      }),
      formatVersion: z.string({ error: expect('a string') }).min(1, { error: expect('a non-empty version') }).optional(),
      runtime: dnsLabel('a serving runtime name').optional(),
    }),
  ],
  { error: (iss) => `must set type to "bento", "image" or "model", got ${describeValue((iss.input as { type?: unknown } | undefined)?.type)}` },
);

const keyRef = z.strictObject({
  name: dnsLabel('a Secret or ConfigMap name'),
  key: z.string({ error: expect('a key of the Secret or ConfigMap') }).regex(/^[-._a-zA-Z0-9]+$/, {
    error: expect('a key made of letters, digits, "-", "_" and "."'),
  }),
  optional: z.boolean({ error: expect('true or false') }).optional(),
});

/** One environment variable: a plain value or a reference to a Secret or ConfigMap key. */
export const envVarSchema = z.strictObject({
  name: z.string({ error: expect('an environment variable name') }).regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, {
    error: expect('an environment variable name (letters, digits, "_", "-", "."; not starting with a digit)'),
  }),
  value: z.string({ error: expect('a string', 'quote numbers and booleans, e.g. "8"') }).optional(),
  allowPlaintext: z.boolean({ error: expect('true or false') }).optional(),
  secretKeyRef: keyRef.optional(),
  configMapKeyRef: keyRef.optional(),
});

/** Replica bounds and autoscaling of one version. */
export const scalingSchema = z.strictObject({
  minReplicas: wholeNumber(0, 1000, 'a whole number of replicas from 0 to 1000').optional(),
  maxReplicas: wholeNumber(1, 1000, 'a whole number of replicas from 1 to 1000').optional(),
  metric: z
    .enum(['cpu', 'memory', 'concurrency', 'rps'], { error: expect('one of "cpu", "memory", "concurrency", "rps"') })
    .optional(),
  target: wholeNumber(1, 1_000_000, 'a whole number of at least 1 (percent for cpu/memory, requests for concurrency/rps)').optional(),
  scaleUpStabilizationWindowSeconds: wholeNumber(0, 3600, 'a whole number of seconds from 0 to 3600').optional(),
  scaleDownStabilizationWindowSeconds: wholeNumber(0, 3600, 'a whole number of seconds from 0 to 3600').optional(),
});

/** Capability names as Kubernetes takes them: upper case, without the CAP_ prefix. */
const CAPABILITY = /^[A-Z][A-Z0-9_]*$/;

/** Opt-outs of the secure pod defaults, per version (each default is the restricted profile's). */
export const securitySchema = z.strictObject({
  runAsNonRoot: z.boolean({ error: expect('true or false') }).optional(),
  runAsUser: wholeNumber(0, 2_147_483_647, 'a user id from 0').optional(),
  runAsGroup: wholeNumber(0, 2_147_483_647, 'a group id from 0').optional(),
  readOnlyRootFilesystem: z.boolean({ error: expect('true or false') }).optional(),
  allowPrivilegeEscalation: z.boolean({ error: expect('true or false') }).optional(),
  addCapabilities: z
    .array(
      z.string({ error: expect('a capability name such as "NET_BIND_SERVICE"') }).regex(CAPABILITY, {
        error: expect('a capability name in upper case without "CAP_", such as "NET_BIND_SERVICE"'),
      }),
      { error: expect('a list of capability names such as ["NET_BIND_SERVICE"]') },
    )
    .optional(),
  writablePaths: z
    .array(
      z.string({ error: expect('an absolute path such as "/tmp"') }).regex(/^\/[^\0]*[^/\0]$/, { error: expect('an absolute path such as "/tmp" (not "/")') }),
      { error: expect('a list of absolute paths such as ["/tmp", "/home/app/.cache"]') },
    )
    .optional(),
  seccompProfile: z.enum(['RuntimeDefault', 'Unconfined'], { error: expect('"RuntimeDefault" or "Unconfined"') }).optional(),
});

/** Settings of one version; canaries inherit every setting of main they leave out. */
export const versionShape = {
  artifact: artifactSchema.optional(),
  instanceType: z.string({ error: expect('an instance type name such as "cpu.2"') }).optional(),
  scaling: scalingSchema.optional(),
  env: z.array(envVarSchema, { error: expect('a list of {name, value} entries') }).optional(),
  timeoutSeconds: wholeNumber(1, 86_400, 'a whole number of seconds from 1 to 86400').optional(),
  deploymentStrategy: z
    .enum(['RollingUpdate', 'Recreate'], { error: expect('"RollingUpdate" or "Recreate"') })
    .optional(),
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
  security: securitySchema.optional(),
  serviceAccountName: z
    .string({ error: expect('a ServiceAccount name') })
    .max(253, { error: expect('at most 253 characters long') })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      error: expect("a ServiceAccount name: lower-case letters, digits, '-' and '.'", 'e.g. "model-reader"'),
    })
    .optional(),
};

export const versionSchema = z.strictObject(versionShape);

export const canaryVersionSchema = z.strictObject({
  ...versionShape,
  weight: wholeNumber(0, 100, 'a whole percent from 0 to 100', '0 is a dark launch'),
  mirror: z.boolean({ error: expect('true or false') }).optional(),
});

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// printable: the key is written into the routers' configuration (and Istio's Lua) as text
const QUERY_NAME = /^[^\s&=#?\u0000-\u001f\u007f]+$/;

/** How requests are assigned to versions. */
export const routingSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('random') }),
    z.strictObject({
      type: z.literal('header'),
      key: z
        .string({ error: expect('the name of the header to hash, e.g. "X-User-ID"') })
        .regex(HEADER_NAME, { error: expect('an HTTP header name (letters, digits and -_.!#$%&\'*+^`|~)', 'e.g. "X-User-ID"') }),
    }),
    z.strictObject({
      type: z.literal('query'),
      key: z
        .string({ error: expect('the name of the query parameter to hash, e.g. "user"') })
        .regex(QUERY_NAME, { error: expect('a query parameter name without spaces, "&", "=", "#" or "?"') }),
    }),
  ],
  {
    error: (iss) =>
      `must be one of "random", "header", "query", got ${describeValue((iss.input as { type?: unknown } | undefined)?.type)}`,
  },
);

/** A duration: whole seconds, or a string such as "30s", "5m", "1h30m". */
const DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;
/** The longest pause or interval: a week. */
const MAX_DURATION_SECONDS = 604_800;
const stringSeconds = (v: string) => {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : 0;
};
export const durationSchema = z.union([
  wholeNumber(0, MAX_DURATION_SECONDS, 'a duration: whole seconds, or a string such as "30s", "5m", "1h30m"'),
  z.string({ error: expect('a duration such as "30s", "5m", "1h30m"') }).regex(DURATION, { error: expect('a duration such as "30s", "5m", "1h30m" (units h, m, s)') })
    .refine((v) => v !== '', { error: expect('a duration such as "30s", "5m", "1h30m"') })
    .refine((v) => stringSeconds(v) <= MAX_DURATION_SECONDS, { error: expect('a duration of at most 7 days (168h)') }),
], { error: expect('a duration: whole seconds, or a string such as "30s", "5m", "1h30m"') });

const threshold = z.number({ error: expect('a number') }).refine(Number.isFinite, { error: expect('a finite number') });
/** A Prometheus metric name the model server exports. */
const metricName = z
  .string({ error: expect('a Prometheus metric name such as "predictions_total"') })
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: expect('a Prometheus metric name (letters, digits, "_" and ":", not starting with a digit)', 'e.g. "predictions_total"') });
const promQuery = z.string({ error: expect('a PromQL query') }).min(1, { error: expect('a non-empty PromQL query') });

/**
 * Thresholds of a guardrail. Every direction is accepted here so that a key
 * for the wrong direction gets the rollout's own explanation, not "unknown key".
 */
const thresholds = {
  promoteBelow: threshold.optional(),
  rollbackAbove: threshold.optional(),
  promoteAbove: threshold.optional(),
  rollbackBelow: threshold.optional(),
  query: promQuery.optional(),
};

/** Guardrails: typed metrics, each with a promote and a rollback threshold. */
export const guardrailsSchema = z.strictObject({
  errorRate: z.strictObject(thresholds).optional(),
  p99LatencyMs: z.strictObject(thresholds).optional(),
  predictionDriftPsi: z.strictObject({
    ...thresholds,
    metric: metricName.optional(),
    url: z.string({ error: expect('an http(s) URL of the drift detector') }).regex(/^https?:\/\/\S+$/, { error: expect('an http(s) URL of the drift detector') }).optional(),
    jsonPath: z.string({ error: expect('a JSON path such as "{$.psi}"') }).min(1).optional(),
  }).optional(),
  businessMetricDelta: z.strictObject({ ...thresholds, success: metricName.optional(), total: metricName.optional() }).optional(),
});

/** A progressive rollout: stages, pauses and the guardrails deciding promote or roll back. */
export const rolloutSchema = z.strictObject({
  stages: z.array(wholeNumber(1, 100, 'a whole percent from 1 to 100'), { error: expect('a list of percents such as [5, 10, 25, 50, 100]') }).optional(),
  pause: z.union([durationSchema, z.null(), z.array(z.union([durationSchema, z.null()]))], {
    error: expect('a duration such as "5m", null (wait for a manual promote), or a list with one per stage'),
  }).optional(),
  analysis: z.enum(['step', 'background'], { error: expect('"step" (after each pause) or "background"') }).optional(),
  interval: durationSchema.optional(),
  scrapeInterval: durationSchema.optional(),
  count: wholeNumber(1, 1000, 'a whole number of measurements from 1 to 1000').optional(),
  failureLimit: wholeNumber(0, 1000, 'a whole number of failed measurements tolerated, from 0').optional(),
  consecutiveErrorLimit: wholeNumber(0, 1000, 'a whole number of consecutive errors tolerated, from 0').optional(),
  minRequests: wholeNumber(1, 1_000_000_000, 'a whole number of requests of at least 1').optional(),
  dryRun: z.boolean({ error: expect('true or false') }).optional(),
  prometheusAddress: z.string({ error: expect('the http(s) URL of Prometheus') }).regex(/^https?:\/\/\S+$/, {
    error: expect('the http(s) URL of Prometheus, e.g. "http://prometheus-operated.monitoring.svc:9090"'),
  }).optional(),
  guardrails: guardrailsSchema.optional(),
});

/** The whole input of one canary inference service. */
export const serviceSchema = z.strictObject({
  // every backend names Kubernetes Services (and KServe InferenceServices) after it: a DNS-1035 label
  name: z
    .string({ error: expect("a service name: a DNS-1035 label (lower-case letters, digits and '-', starting with a letter)") })
    .max(MAX_LABEL_LENGTH, { error: expect(`at most ${MAX_LABEL_LENGTH} characters long`, 'shorten it') })
    .regex(DNS1035_LABEL, {
      error: expect("a service name: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit", 'e.g. "fraud-detector"'),
    }),
  namespace: dnsLabel('a namespace').optional(),
  mainVersionName: dnsLabel('a version name').optional(),
  main: versionSchema,
  versions: z.record(z.string(), canaryVersionSchema, { error: expect('a map of version name to version settings') }).optional(),
  routing: routingSchema.optional(),
  rollout: rolloutSchema.optional(),
  monitoring: z.boolean({ error: expect('true or false') }).optional(),
  dashboards: z
    .strictObject({
      delivery: z.enum(['configmap', 'grafana-operator', 'off'], { error: expect('"configmap", "grafana-operator" or "off"') }),
      label: z
        .record(z.string(), z.string({ error: expect('a string', 'quote it, e.g. "1"') }), { error: expect('a map of one label, e.g. {grafana_dashboard: "1"}') })
        .refine((m) => Object.keys(m).length === 1, { error: expect('a map of exactly one label, e.g. {grafana_dashboard: "1"}') })
        .optional(),
      folder: z.string({ error: expect('a Grafana folder name') }).min(1, { error: expect('a non-empty folder name') }).optional(),
      folderAnnotation: z.string({ error: expect('an annotation name') }).min(1, { error: expect('a non-empty annotation name') }).optional(),
      instanceSelector: z.record(z.string(), z.string({ error: expect('a string') }), { error: expect('a map of labels of the Grafana instances') }).optional(),
    })
    .optional(),
  imageRepository: z
    .string({ error: expect('an image repository such as "ghcr.io/acme"') })
    .regex(REPOSITORY, { error: expect('an image repository such as "ghcr.io/acme" (no tag)') })
    .optional(),
});

// The hand-written input types (input.ts) are what callers see; these checks keep them and the schemas equal.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type DeepMutable<T> = T extends readonly (infer E)[] ? DeepMutable<E>[] : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;
function same<A, B>(ok: Same<DeepMutable<A>, DeepMutable<B>>): Same<DeepMutable<A>, DeepMutable<B>> {
  return ok;
}
same<input.ArtifactInput, z.input<typeof artifactSchema>>(true);
same<input.EnvVarInput, z.input<typeof envVarSchema>>(true);
same<input.SecurityInput, z.input<typeof securitySchema>>(true);
same<input.ScalingInput, z.input<typeof scalingSchema>>(true);
same<input.VersionInput, z.input<typeof versionSchema>>(true);
same<input.CanaryVersionInput, z.input<typeof canaryVersionSchema>>(true);
same<input.RolloutInput, z.input<typeof rolloutSchema>>(true);
same<input.RoutingInput, z.input<typeof routingSchema>>(true);
same<input.CanaryServiceInput, z.input<typeof serviceSchema>>(true);
