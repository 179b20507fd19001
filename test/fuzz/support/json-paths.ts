// Paths into a JSON value, for fuzzers that replace one field of a valid file by a hostile value.

export type JsonPath = readonly (string | number)[];

/** Every path to a value inside `value` (objects and arrays included, the root excluded). */
export function allPaths(
  value: unknown,
  prefix: JsonPath = [],
  out: JsonPath[] = [],
  limit = 400,
): JsonPath[] {
  if (out.length >= limit) return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i]);
      allPaths(item, [...prefix, i], out, limit);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push([...prefix, key]);
      allPaths(item, [...prefix, key], out, limit);
    }
  }
  return out;
}

/** A deep copy of `value` with the value at `path` replaced (JSON round trip: no shared structure). */
export function replaceAt(value: unknown, path: JsonPath, replacement: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  let parent = copy as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
  parent[path.at(-1)!] = replacement;
  return copy;
}
