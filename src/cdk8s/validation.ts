/**
 * A cdk8s validation plugin checking synthesized manifests against the CRDs
 * the target cluster has (version skew before apply). In cdk8s.yaml:
 *
 * ```yaml
 * validations:
 *   - package: canary-inference
 *     version: 1.0.0
 *     class: ClusterCrdValidation
 *     properties:
 *       crds: ./cluster-crds.yaml   # kubectl get crd -o yaml > cluster-crds.yaml
 * ```
 *
 * It implements cdk8s-cli's `Validation` contract structurally, so the
 * library does not depend on cdk8s-cli.
 */
import * as path from 'path';
import { validateAgainstCrds } from '../crd';

/** Properties of {@link ClusterCrdValidation}, as written under `properties:` in cdk8s.yaml. */
export interface ClusterCrdValidationProps {
  /** A file or folder of CRD YAML (or a list of them), relative to the app's directory. */
  readonly crds: string | readonly string[];
}

/** The part of cdk8s-cli's validation context the plugin uses. */
export interface CrdValidationContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  parseManifest(manifestPath: string): unknown[];
}

/** cdk8s validation plugin: every manifest must be accepted by the cluster's CRDs. */
export class ClusterCrdValidation {
  private readonly crds: string[];

  constructor(props: ClusterCrdValidationProps) {
    if (props === undefined || props.crds === undefined) {
      throw new Error('ClusterCrdValidation needs properties.crds: a file or folder of the cluster\'s CRDs (kubectl get crd -o yaml)');
    }
    const list = typeof props.crds === 'string' ? [props.crds] : [...props.crds];
    this.crds = list.map((p) => path.resolve(p));
  }

  public async validate(context: CrdValidationContext): Promise<void> {
    let failed = false;
    for (const manifest of context.manifests) {
      const objects = context.parseManifest(manifest);
      for (const obj of objects) {
        const lines = validateAgainstCrds([obj], this.crds);
        if (lines.length === 0) continue;
        failed = true;
        const meta = (obj as { metadata?: { name?: string } }).metadata;
        context.report.addViolation({
          ruleName: 'cluster-crds',
          recommendation: lines.join('\n'),
          fix: 'upgrade the controller whose CRD lacks the field or kind, or choose a backend, mode or router the cluster supports',
          violatingResources: [
            { resourceName: meta?.name ?? '?', locations: lines.map((l) => l.split(': ')[1] ?? ''), manifestPath: manifest },
          ],
        });
      }
    }
    context.report.submit(failed ? 'failure' : 'success');
  }
}
