// PostgreSQL array literals built in one pass. pg's generic array serialisation costs more than the
// server's insert for a 5,000-point batch; these builders send the same values as one string each.

/** `{e1,e2,…}` with every element double-quoted and `"`/`\` escaped: safe for any text. */
export function textArrayLiteral(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += `"${(values[i] as string).replace(/["\\]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

/** Finite numbers only (callers validate first): their JS text is valid float8 input; -0 keeps its sign. */
export function numberArrayLiteral(values: readonly number[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i] as number;
    out += Object.is(value, -0) ? '-0' : String(value);
  }
  return `${out}}`;
}

/** ISO-8601 UTC timestamps (years 1..9999) contain no character that needs quoting in an array. */
export function timestampArrayLiteral(values: readonly Date[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += (values[i] as Date).toISOString();
  }
  return `${out}}`;
}
