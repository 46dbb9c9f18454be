/**
 * What the benchmark measures, as plain data: shared by the runner (bench/run.ts,
 * run by ts-node) and the child processes (bench/case.ts, run compiled). No
 * import of the library here, so the runner never loads it.
 */

/** The workloads, one per backend (and strategy). */
export const WORKLOADS = ['kserve', 'kserve-istio', 'seldon', 'seldon-v2', 'argo-rollouts'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** How each service of a workload looks, for the tables. */
export interface WorkloadInfo {
  /** Short label for the tables. */
  readonly title: string;
  /** Versions per service, main included. */
  readonly versions: number;
  /** What is special about it. */
  readonly note: string;
}

export const WORKLOAD_INFO: Readonly<Record<WorkloadName, WorkloadInfo>> = {
  'kserve': {
    title: 'KServe Standard, canary',
    versions: 3,
    note: 'one InferenceService per service: main (model artifact, HPA 2-4) + 2 canaries in `spec.canary[]` (fixed replicas min=max); router native',
  },
  'kserve-istio': {
    title: 'KServe Standard, per-version + Istio',
    versions: 3,
    note: 'an InferenceService per version (each autoscaling) + the Istio router objects (VirtualService, DestinationRule, per-version Services, ...)',
  },
  'seldon': {
    title: 'Seldon Core v1',
    versions: 3,
    note: 'one SeldonDeployment per service with a predictor per version; router native',
  },
  'seldon-v2': {
    title: 'Seldon Core v2',
    versions: 3,
    note: 'a Model per version (model artifacts) + an Experiment splitting traffic; router native',
  },
  'argo-rollouts': {
    title: 'Argo Rollouts',
    versions: 2,
    note: 'main + ONE canary (Argo Rollouts runs one pod template; a 3rd version, even a mirror, is refused): Rollout, stable/canary Services, Istio routing, HPA, AnalysisTemplate, PodMonitor; bento artifacts, a 5-stage rollout with the default guardrails',
  },
};

/** The ways to get from a definition to YAML that are timed. */
export const PATHS = ['baseline', 'cdk8s', 'cli'] as const;
export type PathName = (typeof PATHS)[number];

export const PATH_INFO: Readonly<Record<PathName, string>> = {
  baseline: 'the same objects, precomputed once, as plain cdk8s ApiObjects in one Chart, then app.synthYaml(): the floor cdk8s itself sets',
  cdk8s: 'new App + Chart, N CanaryInferenceService constructs (+ addVersion per canary), app.synthYaml()',
  cli: 'N canary-file texts: parseConfig + synthesizeConfig + toYaml each, in-process (what `canary-inference synth -f` runs per file)',
};

/** What a child process reports for one (workload, path, N) case. */
export interface CaseResult {
  readonly workload: WorkloadName;
  readonly path: PathName;
  readonly n: number;
  /** Milliseconds of each timed repetition (after the warm-up). */
  readonly timesMs: number[];
  /** CPU milliseconds (user + system, all threads) of each timed repetition: well below the wall time means the machine was busy. */
  readonly cpuMs: number[];
  /** Milliseconds of the first (cold, warm-up) run of the process. */
  readonly firstRunMs: number;
  /** Kubernetes objects in the output. */
  readonly objects: number;
  /** Bytes of YAML produced. */
  readonly yamlBytes: number;
  /** sha256 of the YAML, to compare paths. */
  readonly yamlSha256: string;
  /** Peak RSS (KiB) after the modules were required and the inputs prepared, before the first run. */
  readonly preparedMaxRssKiB: number;
  /** Peak RSS (KiB) after the first run: the peak of a process that synthesizes once (the report's figure). */
  readonly firstRunMaxRssKiB: number;
  /** 1-minute load average of the machine right after the case (set by the runner; the case's own process counts 1). */
  readonly loadAvg1m?: number;
  /** Peak RSS (KiB) of the whole process at the end, after the repetitions (garbage of earlier runs included). */
  readonly maxRssKiB: number;
}

/** Messages from the runner to a `case` process forked with an IPC channel: run once more, or report. */
export type CaseRequest = { readonly type: 'rep' } | { readonly type: 'done' };

/** Replies of a forked `case` process: warmed up, one timed run, the result. */
export type CaseReply =
  | { readonly type: 'ready' }
  | { readonly type: 'rep'; readonly ms: number }
  | { readonly type: 'result'; readonly result: CaseResult };

/** What a child process reports for `idle` and `require` runs. */
export interface RequireResult {
  readonly target: string;
  /** Milliseconds spent in require() (0 for `none`). */
  readonly requireMs: number;
  /** Peak RSS (KiB) at the end. */
  readonly maxRssKiB: number;
  /** Heap used (bytes) at the end, after a GC. */
  readonly heapUsedBytes: number;
}
