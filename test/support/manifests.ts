/**
 * Every test that renders validates what it rendered: strictly against the
 * official CRDs in ../shared/crds (unknown fields rejected) and against the
 * rules of SEMANTIC_RULES.md that apply.
 */
import * as path from 'path';
import { semanticProblems } from './semantic-rules';
import { KubeObject } from '../../src/backends';
import { CrdCatalog, formatViolations } from '../../src/crd';

/** The official CRDs beside the checkout. */
export const CRDS_DIR = path.resolve(__dirname, '../../../shared/crds');

let catalog: CrdCatalog | undefined;

/** The catalog of every CRD in ../shared/crds, loaded once per test file. */
export function officialCrds(): CrdCatalog {
  catalog ??= CrdCatalog.fromPaths([CRDS_DIR]);
  return catalog;
}

/** Every problem the CRDs and the semantic rules find in `objects`, one line each. */
export function manifestProblems(objects: readonly unknown[]): string[] {
  const problems: string[] = [];
  for (const obj of objects) {
    const o = obj as KubeObject;
    const violations = officialCrds().validate(o);
    if (violations.length > 0) problems.push(formatViolations(o, violations));
    if (!officialCrds().has(o.apiVersion, o.kind) && o.apiVersion.includes('.')) {
      problems.push(`${o.kind}/${o.metadata?.name}: no official CRD defines ${o.apiVersion} ${o.kind}`);
    }
    problems.push(...semanticProblems(o).map((p) => `${o.kind}/${o.metadata?.name}: ${p}`));
  }
  return problems;
}

/** Asserts that a real cluster would accept `objects`. */
export function expectValidManifests(objects: readonly unknown[]): void {
  expect(objects.length).toBeGreaterThan(0);
  expect(manifestProblems(objects)).toEqual([]);
}
