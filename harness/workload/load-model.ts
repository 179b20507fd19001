// How load is driven, validated at the edge (CLI flags and config land here).
import { z } from 'zod';

export const loadModelInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('closed'), concurrency: z.number().int().positive() }),
  z.object({
    type: z.literal('open'),
    ratePerSec: z.number().finite().positive(),
    arrival: z.enum(['poisson', 'constant']).default('poisson'),
    /** Operations in flight at most; arrivals beyond wait (and their wait counts in corrected latency). */
    maxInFlight: z.number().int().positive().default(10_000),
  }),
]);
export type LoadModelInput = z.input<typeof loadModelInputSchema>;
export type LoadModel = z.output<typeof loadModelInputSchema>;
