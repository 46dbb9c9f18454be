/**
 * The one pipeline every front end calls: input -> spec -> checks -> objects.
 */
import { stringify } from 'yaml';
import { Backend, KubeObject, Rendered } from './backends';
import { checkRouting, Router } from './routers';
import { InstanceTypeCatalog, IssueCollector, normalizeService } from './spec';

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /**
   * Where to render.
   * @default Backend.kserve()
   */
  readonly backend?: Backend;
  /**
   * Traffic layer.
   * @default Router.native()
   */
  readonly router?: Router;
  /**
   * Instance types versions may name.
   * @default InstanceTypeCatalog.defaults()
   */
  readonly instanceTypes?: InstanceTypeCatalog;
}

/**
 * Validates a service definition and renders its Kubernetes objects.
 * @throws ValidationError with every problem: the spec's first, then the router's and the backend's
 */
export function synthesize(input: unknown, options: SynthesizeOptions = {}): Rendered {
  const spec = normalizeService(input, { instanceTypes: options.instanceTypes });
  const backend = (options.backend ?? Backend.kserve()).renderer;
  const router = options.router ?? Router.native();
  const context = { router: router.name };
  const issues = new IssueCollector();
  const native = { title: backend.title, mirror: backend.mirrors, routers: backend.routers, hashingHint: backend.hashingHint };
  issues.addAll(checkRouting(spec, router, native));
  issues.addAll(backend.check(spec, context));
  issues.throwIfAny();
  const out = backend.render(spec, context);
  const routed = router.renderer && out.targets ? router.renderer.render(spec, out.targets, router.settings) : [];
  return { objects: [...out.objects, ...routed], warnings: out.warnings };
}

/** Serializes objects as multi-document YAML, byte-identical for the same objects. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
