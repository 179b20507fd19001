// Scenario sizes: `quick` keeps the whole suite under three minutes on two cores; `full` is the
// default. A `--scale` run sizes the data of the scenarios that declare how it grows from the scale
// (harness/data/scale.ts) instead, and the result keys carry the scale (`metrics-query@m`).
import type { ScaleSpec } from '../../harness/data/scale.ts';

export type SizeMode = 'quick' | 'full';

export interface ScenarioBuildOptions {
  readonly size?: SizeMode;
  readonly scale?: ScaleSpec;
}

export function pick<T>(options: ScenarioBuildOptions, sizes: { quick: T; full: T }): T {
  return sizes[options.size ?? 'full'];
}

/** Sizes from the scale when the run has one, else by size mode. */
export function scaled<T>(
  options: ScenarioBuildOptions,
  sizes: { quick: T; full: T },
  fromScale: (scale: ScaleSpec) => T,
): T {
  return options.scale ? fromScale(options.scale) : pick(options, sizes);
}
