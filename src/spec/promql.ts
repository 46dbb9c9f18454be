/**
 * Guardrail queries written by users: parsed with the official PromQL grammar
 * (@prometheus-io/lezer-promql, the parser of Prometheus' own web UI), their
 * placeholders checked, each problem with its position in the query.
 */
import type * as LezerPromql from '@prometheus-io/lezer-promql';

/** Arguments a guardrail query (or a drift detector URL) may use as `{{args.NAME}}`. */
export const QUERY_ARGS = ['service', 'namespace', 'canary-version', 'stable-version', 'canary-hash', 'stable-hash'] as const;

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** Line and column (1-based) of an offset in a text, as `line L column C`, or `column C` for a one-line text. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  const column = before[before.length - 1].length + 1;
  return before.length > 1 ? `line ${before.length} column ${column}` : `column ${column}`;
}

/** Problems with the `{{...}}` placeholders of a query or URL: each must be `{{args.NAME}}` of a declared argument. */
export function placeholderProblems(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const inner = m[1];
    const arg = /^args\.(.+)$/.exec(inner)?.[1];
    if (arg !== undefined && (QUERY_ARGS as readonly string[]).includes(arg)) continue;
    const uses = QUERY_ARGS.map((a) => `{{args.${a}}}`).join(', ');
    problems.push(
      arg !== undefined
        ? `{{args.${arg}}} (at ${position(text, m.index!)}) is not an argument of the analysis, so every measurement would fail; use ${uses}`
        : `${m[0]} (at ${position(text, m.index!)}) is not a placeholder the analysis fills in; write {{args.NAME}}: ${uses}`,
    );
  }
  return problems;
}

/**
 * The first syntax error of a PromQL query, with its position, or undefined when it parses. Placeholders are
 * read as the strings they become (the same length, so positions stay the query's own).
 */
export function promqlSyntaxProblem(query: string): string | undefined {
  const text = query.replace(PLACEHOLDER, (whole) => 'x'.repeat(whole.length));
  let at: number | undefined;
  const tree = promql().parser.parse(text);
  tree.iterate({
    enter: (node) => {
      if (at === undefined && node.type.isError) at = node.from;
      return at === undefined;
    },
  });
  if (at === undefined) {
    // a scalar cannot be guarded against no data (`or on() vector(NaN)` needs a vector): refuse the obvious ones
    const top = tree.topNode.firstChild;
    const fn = top?.name === 'FunctionCall' && top.firstChild ? text.slice(top.firstChild.from, top.firstChild.to) : undefined;
    if (top?.name === 'NumberDurationLiteral' || top?.name === 'NumberLiteral' || fn === 'scalar' || fn === 'time') {
      return 'the query returns a scalar, and a guardrail reads one value of a vector (Argo Rollouts\' result[0]); return a vector, e.g. wrap it in vector(...) or drop scalar(...)';
    }
    return undefined;
  }
  const near = text.slice(Math.max(0, at - 12), at + 12).replace(/x{4,}/g, '…');
  return at >= text.trimEnd().length
    ? `PromQL syntax error at ${position(query, at)}: the query ends too early (an unclosed parenthesis, brace or operator?), near "${near}"; complete it`
    : `PromQL syntax error at ${position(query, at)}, near "${near}"; fix the query (it is parsed as Prometheus parses it)`;
}

/** Prometheus' PromQL grammar, loaded when a query is first checked. */
function promql(): typeof LezerPromql {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (promqlModule ??= require('@prometheus-io/lezer-promql') as typeof LezerPromql);
}
let promqlModule: typeof LezerPromql | undefined;
