// "30s", "500ms", "2m", "1.5s" → milliseconds. Bare numbers are seconds.
export class DurationError extends Error {
  override name = 'DurationError';
}

export function parseDuration(text: string, input: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new DurationError(`${input}: expected a duration like 30s, 500ms or 2m, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = value * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  if (!Number.isFinite(ms) || ms < 1)
    throw new DurationError(`${input}: must be at least 1ms, got "${text}"`);
  return Math.round(ms);
}
