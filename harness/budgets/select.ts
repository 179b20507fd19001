// Wildcard selectors over scenario / profile / operation names: `*` any run of characters, `?` one.

export function matcher(pattern: string): (name: string) => boolean {
  if (!/[*?]/.test(pattern)) return (name) => name === pattern;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`);
  return (name) => regex.test(name);
}

export function isWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** `metrics-query@m` → `metrics-query`: a `--scale` run names each size's scenario `name@size`. */
export function scenarioBase(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/**
 * Scenario names in budgets: a pattern with a size (`metrics-query@m`) matches that size only; one
 * without matches the scenario at every size a sweep ran (each size its own instance) and as is.
 */
export function scenarioMatcher(pattern: string): (name: string) => boolean {
  const exact = matcher(pattern);
  if (pattern.includes('@')) return exact;
  return (name) => exact(name) || (name.includes('@') && exact(scenarioBase(name)));
}

/** Whether a catalogue of scenario names (without sizes) could ever select `pattern`. */
export function knownScenarioMatcher(pattern: string): (name: string) => boolean {
  return scenarioMatcher(scenarioBase(pattern));
}
