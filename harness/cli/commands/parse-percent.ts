// "10%" or "10" → 10, for --fail-on-regression; the error names the flag.
export function parsePercent(flag: string, raw: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw);
  if (!match) throw new Error(`${flag}: expected a percentage like 10%, got "${raw}"`);
  return Number(match[1]);
}
