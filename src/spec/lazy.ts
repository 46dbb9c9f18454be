/**
 * The zod schemas, loaded on first use: requiring canary-inference stays cheap, and the schemas load with the
 * first definition validated.
 */
import type * as Schemas from './schema';

let loaded: typeof Schemas | undefined;

/** The spec's schemas. */
export function schemas(): typeof Schemas {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('./schema') as typeof Schemas);
}
