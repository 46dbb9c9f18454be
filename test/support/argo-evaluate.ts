/**
 * How Argo Rollouts judges one measurement of a Prometheus metric, written from
 * the upstream source and independent of this project's `verdictOf` (which is under test).
 *
 * argoproj/argo-rollouts metricproviders/prometheus/prometheus.go, `processResponse`:
 * - a scalar becomes `result` as a float64;
 * - a vector becomes `result` as a []float64 of its samples' values, in the order returned;
 * - a matrix becomes a []float64 of every value of every series;
 * - any other type is an Error ("Prometheus metric type not supported").
 *
 * argoproj/argo-rollouts utils/evaluate/evaluate.go, `EvaluateResult` and `EvalCondition`:
 * - each non-empty condition is an expr-lang expression over `result`; an evaluation
 *   error is the phase Error (`result[0]` of an empty vector: index out of range);
 * - no conditions: Successful; only a success condition: failure = !success;
 *   only a failure condition: success = !failure;
 * - failure true: Failed; neither true: Inconclusive; else Successful.
 * Comparisons are Go float64 comparisons: NaN compares false to everything (true only for `!=`),
 * so a NaN result meets neither condition and is Inconclusive.
 *
 * Only the condition forms this project renders are understood (`result[N] OP number` and
 * `result OP number`, OP one of <, <=, >, >=, ==, !=); anything else throws, so a new form
 * cannot be silently misjudged.
 */

/** The phase of a measurement (argo-rollouts pkg/apis/rollouts/v1alpha1 AnalysisPhase). */
export type AnalysisPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** The `data` of a Prometheus query API response. */
export interface PrometheusQueryData {
  readonly resultType: string;
  readonly result: any;
}

/** The conditions of a metric of an AnalysisTemplate. */
export interface MetricConditions {
  readonly successCondition?: string;
  readonly failureCondition?: string;
}

/** What Argo evaluates the conditions on: a float64 (scalar) or a []float64 (vector, matrix). */
export type ArgoResult = number | number[];

/** Why a measurement is an Error. */
export class MeasurementError extends Error {}

/**
 * A sample value as Prometheus' JSON carries it (a string), parsed as Go's strconv.ParseFloat
 * does for model.SampleValue: "NaN", "+Inf", "-Inf" and "Inf" included (JavaScript's Number() reads "+Inf" as NaN).
 */
export function parseSampleValue(s: string): number {
  const v = s.trim();
  if (/^[+-]?nan$/i.test(v)) return NaN;
  if (/^\+?inf(inity)?$/i.test(v)) return Infinity;
  if (/^-inf(inity)?$/i.test(v)) return -Infinity;
  const n = Number(v);
  if (v === '' || Number.isNaN(n)) throw new MeasurementError(`not a float: ${JSON.stringify(s)}`);
  return n;
}

/** `result` as the prometheus provider's processResponse builds it; throws MeasurementError for unsupported types. */
export function argoResult(data: PrometheusQueryData): ArgoResult {
  switch (data.resultType) {
    case 'scalar':
      return parseSampleValue(data.result[1]);
    case 'vector':
      return (data.result as any[]).filter((s) => s != null).map((s) => parseSampleValue(s.value[1]));
    case 'matrix':
      return (data.result as any[]).filter((s) => s != null).flatMap((s) => (s.values as any[]).map((p) => parseSampleValue(p[1])));
    default:
      throw new MeasurementError('Prometheus metric type not supported');
  }
}

const CONDITION = /^\s*result\s*(?:\[\s*(\d+)\s*\])?\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** EvalCondition for the forms this project renders; throws MeasurementError where expr-lang fails at run time. */
export function evalCondition(result: ArgoResult, condition: string): boolean {
  const m = CONDITION.exec(condition);
  if (!m) throw new Error(`argo-evaluate: unsupported condition ${JSON.stringify(condition)} (extend test/support/argo-evaluate.ts)`);
  const [, index, op, literal] = m;
  let value: number;
  if (index !== undefined) {
    if (!Array.isArray(result)) throw new MeasurementError(`cannot fetch ${index} from float64`);
    const i = Number(index);
    // expr-lang: runtime error "index out of range: 0 (array length 0)"
    if (i >= result.length) throw new MeasurementError(`index out of range: ${i} (array length ${result.length})`);
    value = result[i];
  } else {
    if (Array.isArray(result)) throw new MeasurementError(`invalid operation: ${op} (mismatched types []float64 and float64)`);
    value = result;
  }
  const bound = Number(literal);
  // Go float64 comparisons: NaN is unordered
  switch (op) {
    case '<': return value < bound;
    case '<=': return value <= bound;
    case '>': return value > bound;
    case '>=': return value >= bound;
    case '==': return value === bound;
    default: return value !== bound;
  }
}

/** A measurement's phase, and the error that made it an Error. */
export interface Evaluation {
  readonly phase: AnalysisPhase;
  readonly error?: string;
}

/** EvaluateResult (utils/evaluate/evaluate.go) on an already built `result`. */
export function evaluateResult(result: ArgoResult, metric: MetricConditions): Evaluation {
  let success = false;
  let failure = false;
  try {
    if (metric.successCondition) success = evalCondition(result, metric.successCondition);
    if (metric.failureCondition) failure = evalCondition(result, metric.failureCondition);
  } catch (e) {
    if (e instanceof MeasurementError) return { phase: 'Error', error: e.message };
    throw e;
  }
  if (!metric.successCondition && !metric.failureCondition) return { phase: 'Successful' };
  if (metric.successCondition && !metric.failureCondition) failure = !success;
  if (!metric.successCondition && metric.failureCondition) success = !failure;
  if (failure) return { phase: 'Failed' };
  if (!success) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}

/** The phase Argo gives a Prometheus metric's measurement, from the query API's `data`. */
export function evaluatePrometheus(data: PrometheusQueryData, metric: MetricConditions): Evaluation {
  let result: ArgoResult;
  try {
    result = argoResult(data);
  } catch (e) {
    if (e instanceof MeasurementError) return { phase: 'Error', error: e.message };
    throw e;
  }
  return evaluateResult(result, metric);
}
