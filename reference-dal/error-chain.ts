// The one formatter of an error's `cause` chain. Every DAL error keeps the driver's error as `cause`
// (errors.ts), so the chain is where the useful words are; the harness prints it on stderr (one cause
// a line) and records it in a scenario's `reason` (one line). It lives beside the DAL's errors, the
// lowest layer, so workload/, run/ and cli/ all reach it without importing upwards.

/** How deep a chain is followed: a cycle or a very long chain stops here. */
const MAX_DEPTH = 5;

/**
 * The message of `error` and of each `cause` under it. `lines` (stderr): one per line, causes indented
 * as "  caused by: …". `line` (a recorded reason): joined as "…; caused by: …".
 */
export function formatErrorChain(error: unknown, layout: 'lines' | 'line' = 'lines'): string {
  const messages = [messageOf(error)];
  let current = error instanceof Error ? error.cause : undefined;
  while (current !== undefined && messages.length < MAX_DEPTH) {
    messages.push(messageOf(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(layout === 'lines' ? '\n  caused by: ' : '; caused by: ');
}

/** An Error's message; anything else thrown (a string, an object) as readable text. */
function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
