/**
 * Sticky assignment of keys to versions, the same in TypeScript and in the
 * Lua the Istio router emits: bucket = FNV-1a 32-bit of the key's UTF-8 bytes,
 * mod 100; canaries own contiguous bucket ranges from 0 in declaration order,
 * main owns the rest. A canary's range only grows as its weight grows, so
 * every key already on it stays on it.
 */
import { CanarySpec } from '../spec';

const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;

/** FNV-1a, 32 bits, over the UTF-8 bytes of `key`. */
export function fnv1a32(key: string): number {
  let h = FNV_OFFSET;
  for (const byte of Buffer.from(key, 'utf8')) {
    // eslint-disable-next-line no-bitwise -- FNV-1a is defined on 32-bit words
    h = Math.imul(h ^ byte, FNV_PRIME) >>> 0;
  }
  return h;
}

/** The bucket (0-99) of a key. */
export function bucketOf(key: string): number {
  return fnv1a32(key) % 100;
}

/** A version's share of the buckets: `[from, to)`. */
export interface BucketRange {
  readonly version: string;
  readonly from: number;
  readonly to: number;
}

/** Bucket ranges of every version: canaries first in declaration order, main last. Empty ranges are kept. */
export function bucketRanges(spec: CanarySpec): BucketRange[] {
  const ranges: BucketRange[] = [];
  let at = 0;
  for (const v of [...spec.canaries, spec.main]) {
    ranges.push({ version: v.name, from: at, to: at + v.weight });
    at += v.weight;
  }
  return ranges;
}

/** The version a key is assigned to; undefined for an empty key (such requests are split at random). */
export function assignKey(spec: CanarySpec, key: string): string | undefined {
  if (key === '') return undefined;
  const bucket = bucketOf(key);
  return bucketRanges(spec).find((r) => bucket >= r.from && bucket < r.to)?.version;
}
