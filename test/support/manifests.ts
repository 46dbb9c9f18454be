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

/** Kubernetes' own API groups (core, `apps`, `*.k8s.io` but Gateway API): no CRD defines their kinds. */
function isBuiltIn(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return !group.includes('.') || (group.endsWith('.k8s.io') && !group.startsWith('gateway.networking'));
}

/**
 * Every problem the CRDs and the semantic rules find in `objects`, one line each.
 * The objects are checked as one set, so references between them (a Rollout's Services, its templates) are checked too.
 */
export function manifestProblems(objects: readonly unknown[]): string[] {
  const problems: string[] = [];
  const all = objects as readonly KubeObject[];
  for (const o of all) {
    const violations = officialCrds().validate(o);
    if (violations.length > 0) problems.push(formatViolations(o, violations));
    if (!officialCrds().has(o.apiVersion, o.kind) && !isBuiltIn(o.apiVersion)) {
      problems.push(`${o.kind}/${o.metadata?.name}: no official CRD defines ${o.apiVersion} ${o.kind}`);
    }
    problems.push(...semanticProblems(o, all).map((p) => `${o.kind}/${o.metadata?.name}: ${p}`));
  }
  return problems;
}

/** Asserts that a real cluster would accept `objects`. */
export function expectValidManifests(objects: readonly unknown[]): void {
  expect(objects.length).toBeGreaterThan(0);
  expect(manifestProblems(objects)).toEqual([]);
}
