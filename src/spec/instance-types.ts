/**
 * Instance types: BentoCloud-style names mapped to what a pod needs to land on
 * the right node with the right resources.
 */

/** A toleration, in Kubernetes' words. */
export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** What one instance type gives a model server. */
export interface InstanceTypeDefinition {
  /** CPU request, as a Kubernetes quantity (e.g. `'2'`, `'500m'`). */
  readonly cpu: string;
  /** Memory request, as a Kubernetes quantity (e.g. `'4Gi'`). */
  readonly memory: string;
  /**
   * CPU limit.
   * @default - the CPU request (KServe and Knative otherwise fill in a limit of 1 CPU, below the request of most types)
   */
  readonly cpuLimit?: string;
  /**
   * Leave the CPU limit out, so the pod may burst (CPU is compressible). KServe
   * fills in its own default limit (1 CPU) then, so a request above 1 CPU is
   * refused on KServe.
   * @default false
   */
  readonly unboundedCpu?: boolean;
  /**
   * Memory limit.
   * @default - the memory request
   */
  readonly memoryLimit?: string;
  /**
   * Number of GPUs, requested and limited under `gpuResourceName`.
   * @default 0
   */
  readonly gpus?: number;
  /**
   * Extended resource name of the GPU.
   * @default 'nvidia.com/gpu'
   */
  readonly gpuResourceName?: string;
  /**
   * Node selector that places the pod on this hardware.
   * @default - none
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Tolerations for the taints of that hardware.
   * @default - none (GPU types tolerate `nvidia.com/gpu` taints)
   */
  readonly tolerations?: readonly Toleration[];
  /** One line shown in the README's table. */
  readonly description?: string;
}

/** An instance type after lookup: the definition with defaults filled in. */
export interface ResolvedInstanceType {
  readonly name: string;
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
  readonly gpus: number;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly description: string;
}

const GPU_TOLERATION: Toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

function gpu(product: string, cpu: string, memory: string, description: string): InstanceTypeDefinition {
  return {
    cpu,
    memory,
    gpus: 1,
    nodeSelector: { 'nvidia.com/gpu.product': product },
    tolerations: [GPU_TOLERATION],
    description,
  };
}

/** The built-in catalog, named as BentoCloud names its instance types. */
const DEFAULT_TYPES: Record<string, InstanceTypeDefinition> = {
  'cpu.1': { cpu: '1', memory: '2Gi', description: '1 vCPU, 2 GiB' },
  'cpu.2': { cpu: '2', memory: '4Gi', description: '2 vCPU, 4 GiB' },
  'cpu.4': { cpu: '4', memory: '8Gi', description: '4 vCPU, 8 GiB' },
  'cpu.8': { cpu: '8', memory: '16Gi', description: '8 vCPU, 16 GiB' },
  'gpu.t4.1': gpu('Tesla-T4', '4', '16Gi', '1 × NVIDIA T4 (16 GB), 4 vCPU, 16 GiB'),
  'gpu.l4.1': gpu('NVIDIA-L4', '8', '32Gi', '1 × NVIDIA L4 (24 GB), 8 vCPU, 32 GiB'),
  'gpu.a10g.1': gpu('NVIDIA-A10G', '8', '32Gi', '1 × NVIDIA A10G (24 GB), 8 vCPU, 32 GiB'),
  'gpu.a100.1': gpu('NVIDIA-A100-SXM4-80GB', '12', '96Gi', '1 × NVIDIA A100 (80 GB), 12 vCPU, 96 GiB'),
  'gpu.h100.1': gpu('NVIDIA-H100-80GB-HBM3', '16', '192Gi', '1 × NVIDIA H100 (80 GB), 16 vCPU, 192 GiB'),
};

/** The instance type used when a version names none. */
export const DEFAULT_INSTANCE_TYPE = 'cpu.1';

/**
 * A catalog of instance types. Start from {@link InstanceTypeCatalog.defaults}
 * and register a platform's own types with {@link InstanceTypeCatalog.with}.
 */
export class InstanceTypeCatalog {
  /** The built-in BentoCloud-style catalog. */
  public static defaults(): InstanceTypeCatalog {
    return new InstanceTypeCatalog(DEFAULT_TYPES);
  }

  /** A catalog holding only the given types. */
  public static of(types: Readonly<Record<string, InstanceTypeDefinition>>): InstanceTypeCatalog {
    return new InstanceTypeCatalog(types);
  }

  private readonly types: Readonly<Record<string, InstanceTypeDefinition>>;

  private constructor(types: Readonly<Record<string, InstanceTypeDefinition>>) {
    this.types = { ...types };
  }

  /** A new catalog with `name` added (or replaced). */
  public with(name: string, definition: InstanceTypeDefinition): InstanceTypeCatalog {
    return new InstanceTypeCatalog({ ...this.types, [name]: definition });
  }

  /** Names in the catalog, sorted. */
  public get names(): string[] {
    return Object.keys(this.types).sort(compareTypeNames);
  }

  /** Resolves a name, or returns undefined when the catalog has no such type. */
  public resolve(name: string): ResolvedInstanceType | undefined {
    if (!Object.prototype.hasOwnProperty.call(this.types, name)) return undefined;
    const def = this.types[name];
    const gpus = def.gpus ?? 0;
    const gpuName = def.gpuResourceName ?? 'nvidia.com/gpu';
    const requests: Record<string, string> = { cpu: def.cpu, memory: def.memory };
    const limits: Record<string, string> = {};
    if (!def.unboundedCpu) limits.cpu = def.cpuLimit ?? def.cpu;
    limits.memory = def.memoryLimit ?? def.memory;
    if (gpus > 0) {
      requests[gpuName] = String(gpus);
      limits[gpuName] = String(gpus);
    }
    return {
      name,
      requests,
      limits,
      gpus,
      nodeSelector: { ...(def.nodeSelector ?? {}) },
      tolerations: [...(def.tolerations ?? (gpus > 0 ? [GPU_TOLERATION] : []))],
      description: def.description ?? '',
    };
  }
}

/** Orders `cpu.2` before `cpu.10`, CPU types before GPU types. */
function compareTypeNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
