// Scenario sizes: `quick` keeps the whole suite under three minutes on two cores; `full` is the default.
export type SizeMode = 'quick' | 'full';

export interface ScenarioBuildOptions {
  readonly size?: SizeMode;
}

export function pick<T>(options: ScenarioBuildOptions, sizes: { quick: T; full: T }): T {
  return sizes[options.size ?? 'full'];
}
