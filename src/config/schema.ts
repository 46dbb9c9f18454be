/**
 * The shape of a BentoCloud-style canary file (the format of `bentoml deploy -f`)
 * plus our `kubernetes:` block. Only keys and nesting are checked here; values
 * are checked by the spec, and their errors are mapped back to this file.
 */
import { z } from 'zod';

const leaf = z.unknown();

/** A key the file must have; the message says what to write. */
const required = (what: string) => z.custom<unknown>((v) => v !== undefined, { error: `is required: ${what}` });
const keyRefShape = (of: string) => ({
  name: required(`the name of the ${of}, e.g. "name: hf-token"`),
  key: required(`the key in the ${of}, e.g. "key: token"`),
  optional: leaf.optional(),
});

const envEntry = z.strictObject({
  name: required('the variable\'s name, e.g. "name: LOG_LEVEL"'),
  value: leaf.optional(),
  allow_plaintext: leaf.optional(),
  value_from: z
    .strictObject({
      secret_key_ref: z.strictObject(keyRefShape('Secret')).optional(),
      config_map_key_ref: z.strictObject(keyRefShape('ConfigMap')).optional(),
    })
    .optional(),
});

const envList = z.array(envEntry);

const serviceConfig = z.strictObject({
  instance_type: leaf.optional(),
  scaling: z
    .strictObject({
      min_replicas: leaf.optional(),
      max_replicas: leaf.optional(),
      metric: leaf.optional(),
      target: leaf.optional(),
      policy: z
        .strictObject({
          scale_up_stabilization_window: leaf.optional(),
          scale_down_stabilization_window: leaf.optional(),
        })
        .optional(),
    })
    .optional(),
  envs: envList.optional(),
  config_overrides: z
    .strictObject({
      traffic: z.strictObject({ timeout: leaf.optional(), external_queue: leaf.optional() }).optional(),
    })
    .optional(),
  deployment_strategy: leaf.optional(),
  service_account: leaf.optional(),
  labels: leaf.optional(),
  annotations: leaf.optional(),
  // our extension: opt-outs of the secure pod defaults
  security: z
    .strictObject({
      run_as_non_root: leaf.optional(),
      run_as_user: leaf.optional(),
      run_as_group: leaf.optional(),
      read_only_root_filesystem: leaf.optional(),
      allow_privilege_escalation: leaf.optional(),
      add_capabilities: leaf.optional(),
      writable_paths: leaf.optional(),
      seccomp_profile: leaf.optional(),
    })
    .optional(),
});

const model = z.strictObject({
  storage_uri: required('where the model is stored, e.g. "storage_uri: s3://bucket/model"'),
  format: required('the model\'s format, e.g. "format: sklearn"'),
  format_version: leaf.optional(),
  runtime: leaf.optional(),
});

/** Keys that say where a version's server comes from. */
const artifactKeys = {
  bento: leaf.optional(),
  image: leaf.optional(),
  storage_uri: leaf.optional(),
  port: leaf.optional(),
  readiness_path: leaf.optional(),
  liveness_path: leaf.optional(),
  user: leaf.optional(),
  group: leaf.optional(),
  model: model.optional(),
};

const services = z.record(z.string(), serviceConfig);

const canaryVersion = z.strictObject({
  ...artifactKeys,
  weight: required('the version\'s percent of traffic, e.g. "weight: 10" (0 for a dark launch)'),
  mirror: leaf.optional(),
  envs: envList.optional(),
  services: services.optional(),
});

/** Every direction is accepted here; the spec explains a key for the wrong one. */
const thresholds = {
  promote_below: leaf.optional(),
  rollback_above: leaf.optional(),
  promote_above: leaf.optional(),
  rollback_below: leaf.optional(),
  query: leaf.optional(),
};

/** The progressive rollout (our extension of the format). */
const rollout = z.strictObject({
  stages: leaf.optional(),
  pause: leaf.optional(),
  analysis: leaf.optional(),
  interval: leaf.optional(),
  scrape_interval: leaf.optional(),
  count: leaf.optional(),
  failure_limit: leaf.optional(),
  consecutive_error_limit: leaf.optional(),
  min_requests: leaf.optional(),
  dry_run: leaf.optional(),
  prometheus_address: leaf.optional(),
  guardrails: z
    .strictObject({
      error_rate: z.strictObject(thresholds).optional(),
      p99_latency_ms: z.strictObject(thresholds).optional(),
      prediction_drift_psi: z.strictObject({ ...thresholds, metric: leaf.optional(), url: leaf.optional(), json_path: leaf.optional() }).optional(),
      business_metric_delta: z.strictObject({ ...thresholds, success: leaf.optional(), total: leaf.optional() }).optional(),
    })
    .optional(),
});

/** The whole file. */
export const fileSchema = z.strictObject({
  name: required('the deployment\'s name, e.g. "name: summarization"'),
  description: leaf.optional(),
  ...artifactKeys,
  access_authorization: leaf.optional(),
  envs: envList.optional(),
  services: services.optional(),
  canary: z
    .strictObject({
      route_type: leaf.optional(),
      route_by: leaf.optional(),
      versions: z.record(z.string(), canaryVersion).optional(),
    })
    .optional(),
  rollout: rollout.optional(),
  kubernetes: z
    .strictObject({
      namespace: leaf.optional(),
      backend: leaf.optional(),
      kserve_mode: leaf.optional(),
      image_repository: leaf.optional(),
      router: leaf.optional(),
      main_version: leaf.optional(),
      kserve_strategy: leaf.optional(),
      knative_features: leaf.optional(),
      knative_max_revision_timeout_seconds: leaf.optional(),
      pin_header: leaf.optional(),
      gateway: leaf.optional(),
      hosts: z.array(z.string()).optional(),
      istio_filter_namespace: leaf.optional(),
      monitoring: leaf.optional(),
      dashboards: leaf.optional(),
      dashboard_label: leaf.optional(),
      dashboard_folder: leaf.optional(),
      dashboard_folder_annotation: leaf.optional(),
      grafana_instance_selector: leaf.optional(),
    })
    .optional(),
});

export type FileConfig = z.output<typeof fileSchema>;
export type FileVersion = z.output<typeof canaryVersion>;
export type FileService = z.output<typeof serviceConfig>;
export type FileEnv = z.output<typeof envEntry>;
