import { formatIssue, ValidationError } from '../../src/spec';

/** The formatted issues `run` throws; fails the test when it throws none. */
export function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  throw new Error('expected a ValidationError');
}
