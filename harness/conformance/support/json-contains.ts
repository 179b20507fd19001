// PostgreSQL's jsonb containment (`a @> b`) for the in-memory oracle: objects by key, arrays as
// "every element of b is contained in some element of a", scalars by equality.

export function jsonContains(container: unknown, contained: unknown): boolean {
  if (Array.isArray(contained)) {
    if (!Array.isArray(container)) return false;
    return contained.every((item) => container.some((candidate) => jsonContains(candidate, item)));
  }
  if (contained !== null && typeof contained === 'object') {
    if (container === null || typeof container !== 'object' || Array.isArray(container)) return false;
    const bag = container as Record<string, unknown>;
    return Object.entries(contained).every(
      ([key, value]) => Object.hasOwn(bag, key) && jsonContains(bag[key], value),
    );
  }
  return container === contained;
}
