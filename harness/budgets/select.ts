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
