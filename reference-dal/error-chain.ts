// The one formatter of an error's `cause` chain. Every DAL error keeps the driver's error as `cause`
// (errors.ts), so the chain is where the useful words are; the harness prints it on stderr (one cause
// a line) and records it in a scenario's `reason` (one line). It lives beside the DAL's errors, the
// lowest layer, so workload/, run/ and cli/ all reach it without importing upwards.

/** How deep a chain is followed: a cycle or a very long chain stops here. */
const MAX_DEPTH = 5;

/**
 * The message of `error` and of each `cause` under it. `lines` (stderr): one per line, causes indented
 * as "  caused by: …". `line` (a recorded reason): joined as "…; caused by: …", each message after its error class
 * unless that is plain Error ("TypeError: …").
 */
export function formatErrorChain(error: unknown, layout: 'lines' | 'line' = 'lines'): string {
  // A recorded reason is read without a stack trace: the class says what kind of failure it was.
  const named = layout === 'line';
  const messages = [messageOf(error, named)];
  let current = error instanceof Error ? error.cause : undefined;
  while (current !== undefined && messages.length < MAX_DEPTH) {
    messages.push(messageOf(current, named));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(layout === 'lines' ? '\n  caused by: ' : '; caused by: ');
}

/**
 * An Error's message (after its class when `named` and the class is more than a plain Error);
 * anything else thrown (a string, an object) as readable text.
 */
function messageOf(value: unknown, named: boolean): string {
  if (value instanceof Error) {
    return named && value.name !== 'Error' ? `${value.name}: ${value.message}` : value.message;
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
