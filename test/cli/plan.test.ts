/**
 * `canary-inference plan --format table|json|mermaid`: the stage plan as a table (the default), as a
 * stable JSON document, and as a Mermaid flowchart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { mermaidText } from '../../src/cli/plan';
import { EXAMPLES, runCli, writeTemp } from '../support/cli';

const FILE = path.join(EXAMPLES, 'fraud-detector-rollout.yaml');
const README = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The rollout example, changed by `edit`, written to a temporary file. */
function variant(name: string, edit: (doc: any) => void): string {
  const doc = parse(fs.readFileSync(FILE, 'utf8'));
  edit(doc);
  return writeTemp(name, stringify(doc));
}

/** `plan` that must succeed: its stdout. */
function plan(...args: string[]): string {
  const run = runCli('plan', ...args);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}

/** A flowchart's parts, after checking that Mermaid would read every line. */
interface Flowchart {
  readonly direction: string;
  /** Node id -> its label (lines split at `<br/>`), in definition order. */
  readonly nodes: Map<string, { shape: string; lines: string[] }>;
  /** Subgraph id -> its label and member node ids. */
  readonly subgraphs: Map<string, { label: string; members: string[] }>;
  /** `from arrow to label` for each edge, label '' when there is none. */
  readonly edges: { from: string; arrow: string; to: string; label: string }[];
}

const SHAPES: Record<string, string> = { '[': ']', '([': '])', '{{': '}}', '{': '}', '(': ')' };
const ID = '[a-z][a-z0-9]*';
const QUOTED = '"([^"]*)"';

/**
 * The structural checks Mermaid's flowchart grammar implies for the subset `plan` writes: a
 * `flowchart TD|LR` header, comments, quoted node labels with matching brackets, subgraphs closed by
 * `end`, edges with quoted labels; every id defined once, every edge between defined ids, no raw
 * `"`, `<` (but `<br/>`), `>` or `#` (but entity codes) inside a label.
 */
function checkFlowchart(text: string): Flowchart {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  const header = /^flowchart (TD|LR)$/.exec(lines[0]);
  if (!header) throw new Error(`not a flowchart header: ${lines[0]}`);
  const nodes: Flowchart['nodes'] = new Map();
  const subgraphs: Flowchart['subgraphs'] = new Map();
  const edges: Flowchart['edges'] = [];
  const defined = new Set<string>();
  const define = (id: string) => {
    if (defined.has(id)) throw new Error(`${id} is defined twice`);
    if (['end', 'graph', 'subgraph', 'flowchart', 'style', 'class', 'click'].includes(id)) throw new Error(`${id} is a keyword`);
    defined.add(id);
  };
  const checkLabel = (label: string) => {
    const bare = label.replace(/<br\/>/g, '').replace(/#\w+;/g, '');
    if (/["<>#]/.test(bare)) throw new Error(`raw markup in label ${JSON.stringify(label)}`);
    return label.split('<br/>');
  };
  let open: string | undefined;
  for (const line of lines.slice(1)) {
    const body = line.trim();
    if (body.startsWith('%%')) {
      expect(body).not.toMatch(/[{}]/); // `%%{` starts a directive
      continue;
    }
    const sub = new RegExp(`^subgraph (${ID}) \\[${QUOTED}\\]$`).exec(body);
    const node = new RegExp(`^(${ID})(\\(\\[|\\{\\{|\\[|\\{|\\()${QUOTED}(\\]\\)|\\}\\}|\\]|\\}|\\))$`).exec(body);
    const edge = new RegExp(`^(${ID}) (-->|-\\.->|-\\.-|---)(?:\\|${QUOTED}\\|)? (${ID})$`).exec(body);
    if (sub) {
      if (open) throw new Error('nested subgraph');
      define(sub[1]);
      subgraphs.set(sub[1], { label: checkLabel(sub[2]).join('\n'), members: [] });
      open = sub[1];
    } else if (body === 'end') {
      if (!open) throw new Error('end without subgraph');
      open = undefined;
    } else if (node) {
      if (SHAPES[node[2]] !== node[4]) throw new Error(`unmatched brackets: ${body}`);
      define(node[1]);
      nodes.set(node[1], { shape: node[2], lines: checkLabel(node[3]) });
      if (open) subgraphs.get(open)!.members.push(node[1]);
    } else if (edge) {
      if (edge[3] !== undefined) checkLabel(edge[3]);
      edges.push({ from: edge[1], arrow: edge[2], to: edge[4], label: edge[3] ?? '' });
    } else {
      throw new Error(`a line Mermaid's flowchart grammar would not read as written: ${JSON.stringify(line)}`);
    }
  }
  if (open) throw new Error(`subgraph ${open} is not closed`);
  for (const e of edges) {
    if (!defined.has(e.from) || !defined.has(e.to)) throw new Error(`edge ${e.from} -> ${e.to} names an undefined node`);
  }
  return { direction: header[1], nodes, subgraphs, edges };
}

const edgesFrom = (chart: Flowchart, from: string) => chart.edges.filter((e) => e.from === from).map((e) => `${e.label} -> ${e.to}`);

describe('plan --format table', () => {
  test('is the default, unchanged', () => {
    // Given the rollout example
    // When plan runs without --format and with --format table
    const byDefault = plan('-f', FILE);
    // Then both print the same table
    expect(plan('-f', FILE, '--format', 'table')).toBe(byDefault);
    expect(byDefault.split('\n').slice(0, 4)).toEqual(['fraud-detector on Argo Rollouts, router istio; main version: main', '', 'stage  main  v2    pause', '1      95%   5%    5m']);
  });
});

describe('plan --format json', () => {
  test('prints the rollout example as a document with the five stages, the analysis and the guardrails', () => {
    // Given the rollout example (Argo Rollouts, router istio, five stages of 5 minutes, step analysis, four guardrails)
    // When plan prints it as JSON
    const out = plan('-f', FILE, '--format', 'json');
    // Then it is the whole document, 2-space indented, keys in the documented order
    expect(out).toMatchSnapshot();
    const doc = JSON.parse(out);
    expect(out).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(Object.keys(doc)).toEqual(['service', 'backend', 'router', 'mainVersion', 'rolloutController', 'stages', 'analysis', 'guardrails', 'minRequests']);
    expect(doc).toMatchObject({ service: 'fraud-detector', backend: 'Argo Rollouts', router: 'istio', mainVersion: 'main', minRequests: null });
    expect(doc.rolloutController).toEqual({ promote: 'kubectl argo rollouts promote fraud-detector', rollback: 'kubectl argo rollouts abort fraud-detector' });
    // and the canary's share at each stage, main's the rest, every pause 300 seconds
    expect(doc.stages.map((s: any) => s.number)).toEqual([1, 2, 3, 4, 5]);
    expect(doc.stages.map((s: any) => s.weights)).toEqual([5, 10, 25, 50, 100].map((p) => [{ version: 'main', percent: 100 - p }, { version: 'v2', percent: p }]));
    expect(doc.stages.map((s: any) => s.pauseSeconds)).toEqual([300, 300, 300, 300, 300]);
    expect(Object.keys(doc.stages[0])).toEqual(['number', 'weights', 'pauseSeconds']);
    expect(doc.analysis).toEqual({ runs: 'step', count: 5, intervalSeconds: 60 });
    expect(doc.guardrails).toEqual([
      { kind: 'error_rate', better: 'lower', promote: 0.005, rollback: 0.01, source: 'query: default for router istio' },
      { kind: 'p99_latency_ms', better: 'lower', promote: 200, rollback: 500, source: 'query: default for router istio' },
      { kind: 'prediction_drift_psi', better: 'lower', promote: 0.1, rollback: 0.2, source: 'metric: model_prediction_psi of the canary' },
      { kind: 'business_metric_delta', better: 'higher', promote: 0, rollback: -0.03, source: 'metrics: conversions_total per predictions_total, canary against main' },
    ]);
  });

  test('is byte-identical for the same input', () => {
    expect(plan('-f', FILE, '--format=json')).toBe(plan('-f', FILE, '--format', 'json'));
  });

  test('has no rollout controller for a backend that renders each stage', () => {
    // Given the rollout example on KServe
    // When plan prints it as JSON
    const doc = JSON.parse(plan('-f', FILE, '--format', 'json', '--backend', 'kserve'));
    // Then the pipeline runs the stages (synth --stage N): no controller
    expect(doc.backend).toBe('KServe Standard mode');
    expect(doc.rolloutController).toBeNull();
  });
});

describe('plan --format mermaid', () => {
  test('draws the rollout example: five stages, the pauses, a gate after each with the thresholds, and the rollback branch', () => {
    // Given the rollout example
    // When plan prints it as a Mermaid flowchart
    const out = plan('-f', FILE, '--format', 'mermaid');
    // Then it is a flowchart Mermaid reads, the same every time
    expect(out).toMatchSnapshot();
    expect(plan('-f', FILE, '--format', 'mermaid')).toBe(out);
    const chart = checkFlowchart(out);
    expect(chart.direction).toBe('TD');
    expect([...chart.nodes.keys()]).toEqual(['s1', 'g1', 's2', 'g2', 's3', 'g3', 's4', 'g4', 's5', 'g5', 'promoted', 'rollback']);
    // and one node per stage with each version's share
    expect([1, 2, 3, 4, 5].map((n) => chart.nodes.get(`s${n}`)!.lines)).toEqual([
      ['Stage 1', 'main 95% · v2 5%'],
      ['Stage 2', 'main 90% · v2 10%'],
      ['Stage 3', 'main 75% · v2 25%'],
      ['Stage 4', 'main 50% · v2 50%'],
      ['Stage 5', 'main 0% · v2 100%'],
    ]);
    expect(out).toContain('  s1["Stage 1<br/>main 95% · v2 5%"]\n');
    // and each stage's pause leads to its gate, which promotes to the next stage (the last: promoted) or rolls back
    for (const n of [1, 2, 3, 4, 5]) {
      expect(edgesFrom(chart, `s${n}`)).toEqual([`pause 5m -> g${n}`]);
      expect(edgesFrom(chart, `g${n}`)).toEqual([`promote -> ${n < 5 ? `s${n + 1}` : 'promoted'}`, 'roll back -> rollback']);
      // the gate names the guardrails and their thresholds
      expect(chart.nodes.get(`g${n}`)).toEqual({
        shape: '{{',
        lines: [
          `gate ${n}: 5 measurements, 1m apart`,
          'error_rate: promote ≤ 0.005, roll back #gt; 0.01',
          'p99_latency_ms: promote ≤ 200, roll back #gt; 500',
          'prediction_drift_psi: promote ≤ 0.1, roll back #gt; 0.2',
          'business_metric_delta: promote ≥ 0, roll back #lt; -0.03',
          'in between: hold',
        ],
      });
    }
    // and rolling back puts every canary at 0%
    expect(chart.nodes.get('rollback')!.lines).toEqual(['rolled back', 'main 100% · v2 0%']);
    expect(chart.nodes.get('promoted')!.lines).toEqual(['promoted']);
  });

  test('says "until promoted by hand" on the edges of stages without a pause', () => {
    // Given two canaries and pauses with null entries
    const file = variant('plan-null-pause.yaml', (doc) => {
      doc.kubernetes.backend = 'kserve';
      doc.canary.versions.v3 = { bento: 'fraud:v3', weight: 15 };
      doc.rollout.pause = ['1m', null, '10m', null, '1h'];
    });
    // When plan prints it as a flowchart and as JSON
    const chart = checkFlowchart(plan('-f', file, '--format', 'mermaid'));
    const doc = JSON.parse(plan('-f', file, '--format', 'json'));
    // Then the pauses are on the edges to the gates, and null in the document
    expect([1, 2, 3, 4, 5].map((n) => edgesFrom(chart, `s${n}`))).toEqual([
      ['pause 1m -> g1'],
      ['pause until promoted by hand -> g2'],
      ['pause 10m -> g3'],
      ['pause until promoted by hand -> g4'],
      ['pause 1h -> g5'],
    ]);
    expect(doc.stages.map((s: any) => s.pauseSeconds)).toEqual([60, null, 600, null, 3600]);
    // and each stage shows both canaries' shares
    expect(chart.nodes.get('s4')!.lines).toEqual(['Stage 4', 'main 50% · v2 13% · v3 37%']);
    expect(chart.nodes.get('rollback')!.lines).toEqual(['rolled back', 'main 100% · v2 0% · v3 0%']);
  });

  test('draws a background analysis as one gate watching every stage', () => {
    // Given a rollout analysed in the background every 30s, after 100 requests
    const file = variant('plan-background.yaml', (doc) => {
      doc.rollout.analysis = 'background';
      doc.rollout.interval = '30s';
      doc.rollout.min_requests = 100;
      doc.rollout.guardrails = { error_rate: { promote_below: 0.005, rollback_above: 0.01 } };
    });
    // When plan prints it as a flowchart and as JSON
    const out = plan('-f', file, '--format', 'mermaid');
    const chart = checkFlowchart(out);
    const doc = JSON.parse(plan('-f', file, '--format', 'json'));
    // Then the stages sit in one subgraph the gate watches, advance on their pauses, and the gate only rolls back
    expect(out).toMatchSnapshot();
    expect(chart.subgraphs.get('stages')).toEqual({ label: 'every stage watched by the guardrails', members: ['s1', 's2', 's3', 's4', 's5'] });
    expect(chart.nodes.get('g')!.lines).toEqual([
      'guardrails in the background, every 30s',
      'error_rate: promote ≤ 0.005, roll back #gt; 0.01',
      'no decision before 100 requests',
      'in between: hold',
    ]);
    expect([...chart.nodes.keys()].filter((id) => id.startsWith('g'))).toEqual(['g']);
    expect(edgesFrom(chart, 's5')).toEqual(['pause 5m -> promoted']);
    expect(chart.edges).toContainEqual({ from: 'stages', arrow: '-.-', to: 'g', label: '' });
    expect(edgesFrom(chart, 'g')).toEqual(['roll back -> rollback']);
    expect(doc.analysis).toEqual({ runs: 'background', count: null, intervalSeconds: 30 });
    expect(doc.minRequests).toBe(100);
  });

  test('without guardrails, the stages advance on their pauses alone', () => {
    // Given a rollout on Seldon with router native: no request metrics, so no default guardrail is measured
    const file = variant('plan-unmeasured.yaml', (doc) => {
      delete doc.rollout.guardrails;
      doc.kubernetes.backend = 'seldon';
      doc.kubernetes.router = 'native';
    });
    // When plan prints it as a flowchart and as JSON
    const chart = checkFlowchart(plan('-f', file, '--format', 'mermaid'));
    const doc = JSON.parse(plan('-f', file, '--format', 'json'));
    // Then there is no gate and no rollback node, and the document has no analysis
    expect([...chart.nodes.keys()]).toEqual(['s1', 's2', 's3', 's4', 's5', 'promoted']);
    expect(edgesFrom(chart, 's1')).toEqual(['pause 5m -> s2']);
    expect(doc).toMatchObject({ analysis: null, guardrails: [], minRequests: null, rolloutController: null });
  });

  test('escapes quotes and markup in labels as Mermaid entity codes', () => {
    expect(mermaidText('say "hi" <b> #1 & more')).toBe('say #quot;hi#quot; #lt;b#gt; #35;1 #amp; more');
  });

  test('fails when the structural checker meets a broken flowchart (the checker works)', () => {
    expect(() => checkFlowchart('flowchart TD\n  a["x"]\n  a --> b\n')).toThrow('edge a -> b names an undefined node');
    expect(() => checkFlowchart('flowchart TD\n  a["x"]\n  a["y"]\n')).toThrow('a is defined twice');
    expect(() => checkFlowchart('flowchart TD\n  a["say "hi""]\n')).toThrow('would not read');
    expect(() => checkFlowchart('flowchart TD\n  a["x > y"]\n')).toThrow('raw markup');
    expect(() => checkFlowchart('flowchart TD\n  a["x"}\n')).toThrow('unmatched brackets');
  });
});

describe('plan in every format', () => {
  test.each(['table', 'json', 'mermaid'])('fails when the file has no rollout section (--format %s): the same one line, exit 1', (format) => {
    // Given the rollout example without its rollout section
    const file = variant(`plan-none-${format}.yaml`, (doc) => delete doc.rollout);
    // When plan runs in the format
    // Then it prints nothing and names the missing section, as the table always has
    expect(runCli('plan', '-f', file, '--format', format)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${file}:1:1 rollout: a stage plan needs a rollout section with stages; add rollout: {stages: [5, 10, 25, 50, 100]}\n`,
    });
  });

  test('fails when --format is unknown, with exit 2 naming the formats', () => {
    const run = runCli('plan', '-f', FILE, '--format', 'yaml');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^canary-inference: unknown value "yaml" for --format; use table, json, mermaid\n/);
  });

  test('fails when --format is given to another command, or twice', () => {
    expect(runCli('synth', '-f', FILE, '--format', 'json')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^canary-inference: --format is for plan only\n/) });
    expect(runCli('plan', '-f', FILE, '--format', 'json', '--format', 'table')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^canary-inference: option --format is given twice\n/) });
  });

  test('--help documents --format', () => {
    expect(runCli('--help').stdout).toContain('--format FORMAT             plan only: table | json | mermaid (default: table)');
  });
});

describe('README', () => {
  test('shows the mermaid plan of the rollout example as the command prints it', () => {
    // Given the README's plan section
    const block = /canary-inference plan -f examples\/bentocloud\/fraud-detector-rollout\.yaml --format mermaid\n```\n\n```mermaid\n([\s\S]*?)```\n/.exec(README);
    // Then its mermaid block is the command's output
    expect(block).not.toBeNull();
    expect(block![1]).toBe(plan('-f', FILE, '--format', 'mermaid'));
  });
});
