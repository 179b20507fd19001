// Content hashing for migration verification: canonical JSON (sorted keys) per record, and an
// order-independent digest of a set of records (sum of their SHA-256 values mod 2^256), so both
// sides can be digested in whatever order their stores return records.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const MOD = 1n << 256n;

/** Sum of record hashes mod 2^256: the same set gives the same digest in any order. */
export class SetDigest {
  #sum = 0n;
  #count = 0;

  add(hashHex: string): void {
    this.#sum = (this.#sum + BigInt(`0x${hashHex}`)) % MOD;
    this.#count++;
  }

  get count(): number {
    return this.#count;
  }

  get hex(): string {
    return this.#sum.toString(16).padStart(64, '0');
  }
}
