/**
 * The README's tables, printed from the same data the code checks against,
 * so the documentation cannot drift from the behaviour (a test compares them).
 */
import { KSERVE_VARIANTS } from './backends/kserve';
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
    ['backend', 'routers', 'canaries', 'canaries autoscale', 'bento or image-only main beside canaries', 'scale metrics'],
    KSERVE_VARIANTS.map((b) => [
      b.title,
      b.capabilities.routers.map((r) => `\`${r}\``).join(', '),
      b.capabilities.maxCanaries === undefined ? 'any number' : String(b.capabilities.maxCanaries),
      yesNo(b.capabilities.canaryAutoscaling),
      yesNo(b.capabilities.mainWithoutStorageUri),
      b.capabilities.scaleMetrics.join(', '),
    ]),
  );
}

/** What each router can do, as a Markdown table. */
export function routerCapabilityTable(): string {
  return table(
    ['router', 'random', 'header hash', 'query hash', 'pin by header'],
    ROUTER_NAMES.map((r) => {
      const c = ROUTER_CAPABILITIES[r];
      return [`\`${r}\``, yesNo(c.random), yesNo(c.headerHash), yesNo(c.queryHash), yesNo(c.pinByHeader)];
    }),
  );
}
