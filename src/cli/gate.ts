/**
 * `canary-inference gate`: runs a file's guardrails for its canaries against a
 * live Prometheus, exactly as the rendered AnalysisTemplate would (the same
 * queries, judged as Argo Rollouts judges them), so KServe and Seldon rollouts
 * get the decision between `synth --stage N` and `synth --stage N+1`.
 * Exit codes: 0 promote, 1 roll back, 3 hold, 2 usage or Prometheus unreachable.
 */
import * as http from 'http';
import * as https from 'https';
import { measuredPlan } from '../backends';
import { METRIC_NAMES } from '../backends/argo-rollouts/analysis';
import { guardrailQuery, Verdict, verdictOf, withArgs } from '../backends/common/guardrails';
import { CanarySpec, GuardrailSpec, RolloutPlan } from '../spec';

/** Where the gate writes. */
export interface GateIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What to evaluate. */
export interface GateOptions {
  /** Base URL of Prometheus, e.g. `http://localhost:9090`. */
  readonly prometheus: string;
  /** The stage the rollout is at (1-based), for the report. */
  readonly stage?: number;
  /** Evaluation time, unix seconds (default: now). */
  readonly at?: number;
  /** Replay: from, to (unix seconds) and step (seconds). */
  readonly replay?: { readonly from: number; readonly to: number; readonly step: number };
}

/** Exit codes of the gate. */
export const GATE_EXIT = { promote: 0, rollback: 1, usage: 2, hold: 3 } as const;

/** The gate's decision over every guardrail. */
export type Decision = 'promote' | 'hold' | 'rollback';

class Unreachable extends Error {}

/** One guardrail's measurement. */
interface Measured {
  readonly version: string;
  readonly name: string;
  readonly value: number | undefined;
  readonly verdict: Verdict;
  readonly note?: string;
}

/** The query's args, as the Rollout supplies them (the pod-template hashes exist only under Argo Rollouts). */
function argsFor(spec: CanarySpec, canary: string): Record<string, string> {
  return { 'service': spec.name, 'namespace': spec.namespace ?? 'default', 'canary-version': canary, 'stable-version': spec.main.name };
}

/**
 * GET `url` and parse its JSON body (node's http client: fetch refuses some ports, e.g. 6000 or 10080, that a
 * Prometheus may listen on). Rejects on a network error or a timeout.
 */
function getJson(url: string, timeoutMs = 15_000): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (e) {
      reject(new Error(`not a URL (${(e as Error).message})`));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new Error(`the URL's scheme must be http or https, got ${parsed.protocol}`));
      return;
    }
    const request = client.get(parsed, { timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.on('error', reject);
  });
}

/** Prometheus' answer to an instant query (the part read here). */
interface QueryResponse {
  readonly status?: string;
  readonly error?: string;
  readonly data?: { readonly result?: readonly { readonly value?: readonly [number, string] }[] };
}

/** A sample value as Prometheus writes it (Go's float formatting: `+Inf`, `-Inf`, `NaN`, numbers). */
export function sampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

async function instantQuery(prometheus: string, query: string, time: number): Promise<number | undefined> {
  const url = `${prometheus.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}&time=${time}`;
  let response: { status: number; body: unknown };
  try {
    response = await getJson(url);
  } catch (e) {
    throw new Unreachable(`cannot reach Prometheus at ${prometheus}: ${(e as Error).message}`);
  }
  const body = response.body as QueryResponse | undefined;
  if (!body || body.status !== 'success') {
    throw new Unreachable(`Prometheus at ${prometheus} answered ${response.status}${body?.error ? `: ${body.error}` : ''}`);
  }
  const result = body.data?.result ?? [];
  // the prometheus provider of Argo Rollouts: an empty vector is an error, the first sample's value otherwise
  return result.length === 0 || result[0].value === undefined ? undefined : sampleValue(result[0].value[1]);
}

/** A JSON path of the `{$.a.b}` form, as Argo Rollouts' web provider takes it. */
async function webValue(url: string, jsonPath: string): Promise<number | undefined> {
  let data: unknown;
  try {
    data = (await getJson(url)).body;
  } catch (e) {
    throw new Unreachable(`cannot reach ${url}: ${(e as Error).message}`);
  }
  const path = jsonPath.replace(/^\{\$\.?/, '').replace(/\}$/, '');
  const value = path === '' ? data : path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), data);
  return typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : undefined;
}

async function measure(
  spec: CanarySpec,
  plan: RolloutPlan,
  router: string,
  g: GuardrailSpec,
  canary: string,
  prometheus: string,
  time: number,
): Promise<Measured> {
  const name = METRIC_NAMES[g.kind];
  const args = argsFor(spec, canary);
  if (g.web) {
    const value = await webValue(withArgs(g.web.url, args), g.web.jsonPath);
    return { version: canary, name, value, verdict: verdictOf(g, value) };
  }
  const query = withArgs(guardrailQuery(g, router, plan)!, args);
  if (/\{\{\s*args\./.test(query)) {
    return { version: canary, name, value: undefined, verdict: 'Error', note: 'uses the pod-template hash, which only Argo Rollouts supplies' };
  }
  const value = await instantQuery(prometheus, query, time);
  return { version: canary, name, value, verdict: verdictOf(g, value) };
}

function band(g: GuardrailSpec, value: number | undefined): string {
  if (value === undefined) return 'no result';
  if (Number.isNaN(value)) return 'no evidence';
  const op = g.better === 'lower' ? ['<=', '>'] : ['>=', '<'];
  return `promote ${op[0]} ${g.promote}, roll back ${op[1]} ${g.rollback}`;
}

/** The decision over measurements: any Failed rolls back; all Successful promotes; anything else holds. */
export function decide(verdicts: readonly Verdict[]): Decision {
  if (verdicts.some((v) => v === 'Failed')) return 'rollback';
  return verdicts.length > 0 && verdicts.every((v) => v === 'Successful') ? 'promote' : 'hold';
}

/** Every canary's guardrails at `time`. */
async function evaluate(spec: CanarySpec, router: string, prometheus: string, time: number): Promise<Measured[]> {
  const plan = measuredPlan(spec.rollout!, router);
  const out: Measured[] = [];
  for (const c of spec.canaries) {
    for (const g of plan.guardrails) out.push(await measure(spec, plan, router, g, c.name, prometheus, time));
  }
  return out;
}

function formatValue(v: number | undefined): string {
  if (v === undefined) return '-';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(Number(v.toPrecision(6)));
}

/** What keeps `spec` from being gated, or undefined. */
export function gateProblem(spec: CanarySpec, router: string): string | undefined {
  if (!spec.rollout) return 'the file has no rollout section, so there are no guardrails to run; add rollout.guardrails';
  if (spec.canaries.length === 0) return 'the file has no canary version to gate; add one under canary.versions';
  if (measuredPlan(spec.rollout, router).guardrails.length === 0) {
    return `no guardrail measures this rollout with router "${router}" (no request metrics for the default error-rate and latency guardrails); declare guardrails with metrics or queries`;
  }
  return undefined;
}

/** Runs the gate; returns its exit code. */
export async function runGate(spec: CanarySpec, router: string, options: GateOptions, io: GateIo): Promise<number> {
  const problem = gateProblem(spec, router) ??
    (options.stage !== undefined && options.stage > spec.rollout!.stages.length
      ? `--stage ${options.stage} is past the last stage; the rollout has ${spec.rollout!.stages.length} (see \`canary-inference plan\`)`
      : undefined);
  if (problem) {
    io.stderr(`canary-inference gate: ${problem}\n`);
    return GATE_EXIT.usage;
  }
  const plan = spec.rollout!;
  try {
    if (options.replay) return await replay(spec, router, plan, options, io);
    const time = options.at ?? Math.floor(Date.now() / 1000);
    const measured = await evaluate(spec, router, options.prometheus, time);
    const several = spec.canaries.length > 1;
    for (const m of measured) {
      const g = measuredPlan(plan, router).guardrails.find((x) => METRIC_NAMES[x.kind] === m.name)!;
      io.stdout(`${several ? `${m.version}/` : ''}${m.name}\t${formatValue(m.value)}\t${band(g, m.value)}\t${m.verdict}${m.note ? ` (${m.note})` : ''}\n`);
    }
    const decision = decide(measured.map((m) => m.verdict));
    const stage = options.stage !== undefined ? ` at stage ${options.stage} (${plan.stages[options.stage - 1] ?? '?'}%)` : '';
    io.stdout(`gate: ${decision}${stage}\n`);
    return GATE_EXIT[decision];
  } catch (e) {
    if (e instanceof Unreachable) {
      io.stderr(`canary-inference gate: ${e.message}\n`);
      return GATE_EXIT.usage;
    }
    throw e;
  }
}

/**
 * Replays recorded data: from `from`, every `step`, the rollout as a pipeline running the gate would take it:
 * a stage advances once its pause has passed and the gate promotes; a roll back ends it.
 */
async function replay(spec: CanarySpec, router: string, plan: RolloutPlan, options: GateOptions, io: GateIo): Promise<number> {
  const { from, to, step } = options.replay!;
  let stage = (options.stage ?? 1) - 1;
  let stageStart = from;
  for (let t = from; t <= to; t += step) {
    const measured = await evaluate(spec, router, options.prometheus, t);
    const decision = decide(measured.map((m) => m.verdict));
    const when = new Date(t * 1000).toISOString();
    const detail = measured.filter((m) => m.verdict !== 'Successful').map((m) => `${m.name} ${m.verdict} (${formatValue(m.value)})`).join(', ');
    io.stdout(`${when}\tstage ${stage + 1} (${plan.stages[stage]}%)\t${decision}${detail ? `\t${detail}` : ''}\n`);
    if (decision === 'rollback') {
      io.stdout(`gate: rollback at stage ${stage + 1} (${plan.stages[stage]}%), ${when}\n`);
      return GATE_EXIT.rollback;
    }
    if (decision === 'promote' && t - stageStart >= (plan.pauses[stage] ?? 0)) {
      if (stage === plan.stages.length - 1) {
        io.stdout(`gate: promote, the last stage passed at ${when}\n`);
        return GATE_EXIT.promote;
      }
      stage += 1;
      stageStart = t;
    }
  }
  io.stdout(`gate: hold at stage ${stage + 1} (${plan.stages[stage]}%) at the end of the replay\n`);
  return GATE_EXIT.hold;
}
