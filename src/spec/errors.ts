/**
 * One error type for every input problem: a list of issues, each naming the
 * path in the user's words, the value received, what is allowed and the fix.
 */

/** A path into the input: keys and array indexes. */
export type IssuePath = readonly (string | number)[];

/** Where in a source file an issue points (1-based line and column). */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem with the input. */
export interface Issue {
  /** Path of the offending value, in the words of the input it came from. */
  readonly path: IssuePath;
  /** What is wrong, including the value received and what is allowed; lowercase, no trailing period. */
  readonly message: string;
  /** Position in the source file, when the input came from a file. */
  readonly position?: SourcePosition;
}

/** Renders a path as `canary.versions.b.weight` or `env[0].name`. */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${part}]`;
    } else if (/^[A-Za-z0-9_-]+$/.test(part)) {
      out += out === '' ? part : `.${part}`;
    } else {
      out += out === '' ? JSON.stringify(part) : `[${JSON.stringify(part)}]`;
    }
  }
  return out === '' ? '(root)' : out;
}

/** Renders one issue as `FILE:LINE:COL path: message` (or `path: message` without a file). */
export function formatIssue(issue: Issue): string {
  const where = issue.position ? `${issue.position.file}:${issue.position.line}:${issue.position.column} ` : '';
  return `${where}${formatPath(issue.path)}: ${issue.message}`;
}

/** Shows a received value in a message: strings quoted, objects as compact JSON, long values cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  if (typeof value === 'string') {
    text = JSON.stringify(value);
  } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    text = String(value);
  } else if (Array.isArray(value)) {
    text = `a list ${safeJson(value)}`;
  } else {
    text = `a map ${safeJson(value)}`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return String(value);
    } catch {
      return '(a value that cannot be shown)';
    }
  }
}

/**
 * Thrown when the input is invalid. Carries every issue found, never just the first.
 */
export class ValidationError extends Error {
  private static summary(issues: readonly Issue[]): string {
    const head = `${issues.length} problem${issues.length === 1 ? '' : 's'} in the canary definition:`;
    return [head, ...issues.map((i) => `  ${formatIssue(i)}`)].join('\n');
  }

  /** Every problem found, in input order. */
  public readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[]) {
    super(ValidationError.summary(issues));
    this.name = 'ValidationError';
    this.issues = issues;
  }

}

/** A canary file that cannot be read (missing, a directory, no permission): not a problem of its content. */
export class ConfigFileError extends Error {
  constructor(
    /** The path given. */
    public readonly file: string,
    /** Why it cannot be read. */
    public readonly reason: string,
  ) {
    super(`${file}: cannot read the file: ${reason}`);
    this.name = 'ConfigFileError';
  }
}

/**
 * Keys of a map written by a user that a plain object cannot hold as its own (`__proto__`): such an entry
 * would silently vanish, so it is reported instead. `path`: where the map is.
 */
export function unholdableKeys(map: unknown, path: IssuePath, what: string): Issue[] {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return [];
  return Object.getOwnPropertyNames(map)
    .filter((k) => k === '__proto__')
    .map((k) => ({ path: [...path, k], message: `${what} ${JSON.stringify(k)} is not a DNS-1123 label (lower-case letters, digits and '-'); rename it, e.g. "v2"` }));
}

/** Collects issues under a base path; throws them all at once. */
export class IssueCollector {
  private readonly list: Issue[] = [];

  /** Records a problem at `path`. */
  public add(path: IssuePath, message: string): void {
    this.list.push({ path, message });
  }

  /** Records issues found elsewhere. */
  public addAll(issues: readonly Issue[]): void {
    this.list.push(...issues);
  }

  public get issues(): readonly Issue[] {
    return this.list;
  }

  /** Number of issues recorded so far. */
  public get count(): number {
    return this.list.length;
  }

  public get ok(): boolean {
    return this.list.length === 0;
  }

  /** Throws a {@link ValidationError} with every recorded issue, if any. */
  public throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError([...this.list]);
  }
}

/** Suggests the closest of `candidates` to `word` (edit distance ≤ 1/3 of the length, at least 2). */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    // a candidate that extends or shortens the word wins a tie
    const d = editDistance(w, c) - (c.startsWith(w) || w.startsWith(c) ? 0.5 : 0);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
