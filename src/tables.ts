/**
 * The README's tables, printed from the same data the code checks against,
 * so the documentation cannot drift from the behaviour (a test compares them).
 */
import { ARGO_CAPABILITIES } from './backends/argo-rollouts';
import { KSERVE_VARIANTS } from './backends/kserve';
import { SELDON_CAPABILITIES } from './backends/seldon';
import { SELDON_V2_CAPABILITIES } from './backends/seldon-v2';
import { ROUTER_CAPABILITIES, ROUTER_NAMES } from './routers';
import { InstanceTypeCatalog } from './spec';

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** The instance-type catalog as a Markdown table. */
export function instanceTypeTable(catalog: InstanceTypeCatalog = InstanceTypeCatalog.defaults()): string {
  return table(
    ['name', 'CPU request', 'memory request / limit', 'GPUs', 'node selector', 'hardware'],
    catalog.names.map((name) => {
      const t = catalog.resolve(name)!;
      const selector = Object.entries(t.nodeSelector).map(([k, v]) => `\`${k}=${v}\``).join(', ') || '-';
      return [`\`${name}\``, t.requests.cpu, `${t.requests.memory} / ${t.limits.memory}`, String(t.gpus), selector, t.description];
    }),
  );
}

/** What each backend (and mode) can do, as a Markdown table. */
export function backendCapabilityTable(): string {
  return table(
    ['backend', 'routers', 'canaries', 'canaries autoscale', 'bento or image-only main beside canaries', 'scale metrics', 'mirror (router native)', 'rollout stages'],
    [
      ...KSERVE_VARIANTS,
      { title: 'Seldon Core v1 (`seldon`)', capabilities: SELDON_CAPABILITIES },
      { title: 'Seldon Core v2 (`seldon-v2`)', capabilities: SELDON_V2_CAPABILITIES },
      { title: 'Argo Rollouts (`argo-rollouts`)', capabilities: ARGO_CAPABILITIES },
    ].map((b) => [
      b.title,
      b.capabilities.routers.map((r) => `\`${r}\``).join(', '),
      b.capabilities.maxCanaries === undefined ? 'any number' : String(b.capabilities.maxCanaries),
      yesNo(b.capabilities.canaryAutoscaling),
      yesNo(b.capabilities.mainWithoutStorageUri),
      b.capabilities.scaleMetrics.join(', ') || 'inference load (not selectable)',
      yesNo(b.capabilities.mirror),
      b.capabilities.runsStages ? 'run by its controller, with analysis' : 'a manifest per stage (`synth --stage N`)',
    ]),
  );
}

/** What each router can do, as a Markdown table. */
export function routerCapabilityTable(): string {
  return table(
    ['router', 'random', 'header hash', 'query hash', 'pin by header', 'mirror'],
    ROUTER_NAMES.map((r) => {
      const c = ROUTER_CAPABILITIES[r];
      return [`\`${r}\``, yesNo(c.random), yesNo(c.headerHash), yesNo(c.queryHash), yesNo(c.pinByHeader), yesNo(c.mirror)];
    }),
  );
}
