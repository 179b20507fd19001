// Prepared-statement names for SQL the DAL runs by text (a session's `query(sql, params)`, e.g. the
// outbox event insert): the same text gets the same name on every connection of one pool, so
// PostgreSQL parses and plans it once per connection instead of on every call. Bounded: after
// `capacity` distinct texts, further texts run unnamed (as before), so ad-hoc SQL cannot grow
// every connection's set of prepared statements without limit. One per pool, owned by its factory.
export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #prefix: string;
  readonly #capacity: number;

  constructor(prefix: string, capacity = 128) {
    if (!/^[a-z_][a-z0-9_]*$/.test(prefix))
      throw new RangeError(`statement name prefix "${prefix}": use [a-z0-9_]`);
    if (!(Number.isInteger(capacity) && capacity >= 0))
      throw new RangeError(`statement name capacity: expected an integer ≥ 0, got ${capacity}`);
    this.#prefix = prefix;
    this.#capacity = capacity;
  }

  /** The name for `text`, or undefined once the capacity is used up by other texts. */
  nameFor(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known !== undefined || this.#names.size >= this.#capacity) return known;
    const name = `${this.#prefix}${this.#names.size + 1}`;
    this.#names.set(text, name);
    return name;
  }

  /** Distinct texts named so far. */
  get size(): number {
    return this.#names.size;
  }
}
