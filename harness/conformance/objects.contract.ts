// The ObjectRepository contract, run against every backend: model-based put/get/head/delete/list
// sequences agree with an in-memory model; round trips are byte-exact for sizes 0 B - 20 MiB
// (crossing the multipart threshold, buffered and streamed); a corrupted object fails its SHA-256
// check; presigned URLs work before expiry and fail after; hostile keys work exactly or are refused.
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { IntegrityError, ValidationError } from '../../reference-dal/errors.ts';
import type { ObjectRepository } from '../../reference-dal/ports/objects.ts';
import { assertProperty } from './support/seed.ts';

export interface ObjectSubject extends AsyncDisposable {
  readonly repository: ObjectRepository;
  /** Every key this subject writes starts with this (keeps parallel suites apart on a shared bucket). */
  readonly prefix: string;
  /** Overwrite the stored bytes behind the repository's back, keeping the stored hash. */
  corrupt(key: string): Promise<void>;
  /** Whether presignGet is offered (else it must reject with a clear "not supported" error). */
  readonly presign: boolean;
  /** Bytes above which put uploads multipart (undefined: the backend has no multipart). */
  readonly multipartThresholdBytes: number | undefined;
}

const MIB = 1024 * 1024;

/** Deterministic bytes from a seed (xorshift32): big bodies without a slow generator. */
export function seededBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function readStream(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface ModelObject {
  readonly body: Buffer;
  readonly metadata: Record<string, string>;
}
type Model = Map<string, ModelObject>;
interface Real {
  readonly repository: ObjectRepository;
  readonly prefix: string;
}
type Command = fc.AsyncCommand<Model, Real>;

const KEYS = ['a', 'a b', 'dir/ü.txt', 'dir/sub/x', 'd', 'ключ', '% ?#+&='];

class PutCommand implements Command {
  constructor(
    readonly key: string,
    readonly body: Buffer,
    readonly metadata: Record<string, string>,
    readonly streamed: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const key = real.prefix + this.key;
    const info = await real.repository.put(key, this.streamed ? Readable.from([this.body]) : this.body, {
      metadata: this.metadata,
    });
    model.set(this.key, { body: this.body, metadata: this.metadata });
    expect(info).toMatchObject({
      key,
      size: this.body.length,
      sha256: sha(this.body),
      metadata: this.metadata,
    });
  }
  toString(): string {
    return `put(${this.key}, ${this.body.length} B, ${JSON.stringify(this.metadata)}, streamed=${this.streamed})`;
  }
}

class GetCommand implements Command {
  constructor(readonly key: string) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const key = real.prefix + this.key;
    const expected = model.get(this.key);
    const got = await real.repository.get(key);
    const head = await real.repository.head(key);
    if (!expected) {
      expect(got).toBeUndefined();
      expect(head).toBeUndefined();
      return;
    }
    expect(Buffer.from(got?.body ?? []).equals(expected.body)).toBe(true);
    expect(got?.info.metadata).toEqual(expected.metadata);
    expect(head).toMatchObject({ key, size: expected.body.length, sha256: sha(expected.body) });
  }
  toString(): string {
    return `get(${this.key})`;
  }
}

class DeleteCommand implements Command {
  constructor(readonly key: string) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    expect(await real.repository.delete(real.prefix + this.key)).toBe(model.delete(this.key));
  }
  toString(): string {
    return `delete(${this.key})`;
  }
}

class ListCommand implements Command {
  constructor(readonly sub: string) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const listed = await real.repository.list(real.prefix + this.sub);
    // S3 lists keys in UTF-8 byte order.
    const expected = [...model.keys()]
      .filter((k) => k.startsWith(this.sub))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .map((k) => ({ key: real.prefix + k, size: model.get(k)?.body.length }));
    expect(listed.map((i) => ({ key: i.key, size: i.size }))).toEqual(expected);
  }
  toString(): string {
    return `list(${this.sub})`;
  }
}

const keyArb = fc.constantFrom(...KEYS);
const commands = [
  fc
    .tuple(
      keyArb,
      fc.integer({ min: 0, max: 2048 }),
      fc.integer(),
      fc.dictionary(
        fc.constantFrom('owner', 'run-id'),
        fc.stringMatching(/^(?:[!-~](?:[ -~]{0,10}[!-~])?)?$/),
        { maxKeys: 2 },
      ),
      fc.boolean(),
    )
    .map(
      ([key, size, seed, metadata, streamed]) =>
        new PutCommand(key, seededBytes(size, seed), metadata, streamed),
    ),
  keyArb.map((key) => new GetCommand(key)),
  keyArb.map((key) => new DeleteCommand(key)),
  fc.constantFrom('', 'dir/', 'a', 'ключ').map((sub) => new ListCommand(sub)),
];

/** Keys that must round-trip exactly (relative to the subject's prefix). */
const ACCEPTED_KEYS = [
  'with space.bin',
  'unicode/日本語/ファイル.bin',
  'emoji/🦄.bin',
  'query?x=1&y=2#frag',
  'percent%2Fencoded',
  'plus+and~tilde',
  'quote\'double"',
  'dots.../.hidden/..x',
];

const REFUSED_KEYS: [string, string][] = [
  ['empty', ''],
  ['control character', 'a\u0001b'],
  ['newline', 'a\nb'],
  ['leading slash', '/lead'],
  ['parent segment', 'a/../b'],
  ['current segment', 'a/./b'],
  ['double slash', 'a//b'],
  ['trailing slash', 'dir/'],
  ['lone surrogate', 'a\ud800b'],
  ['1,025 bytes', 'k'.repeat(1025)],
];

/**
 * A key of exactly `bytes` UTF-8 bytes, in 2-byte characters with a "/" every 60 of them: S3Proxy's
 * filesystem provider fails (HTTP 500) on a single path segment over the filesystem's 255 bytes.
 */
function keyOfBytes(prefix: string, bytes: number): string {
  let key = prefix;
  let run = 0;
  while (Buffer.byteLength(key) < bytes) {
    const room = bytes - Buffer.byteLength(key);
    if (run === 60 && room > 1) {
      key += '/';
      run = 0;
    } else {
      key += room >= 2 ? 'é' : 'k';
      run += 1;
    }
  }
  return key;
}

export function objectsContract(backend: string, open: () => Promise<ObjectSubject>): void {
  describe(`ObjectRepository contract: ${backend}`, () => {
    it('agrees with the in-memory model on random put/get/delete/list sequences', async () => {
      await using subject = await open();
      let run = 0;
      await assertProperty(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 15 }), async (cmds) => {
          const prefix = `${subject.prefix}model-${run++}/`;
          await fc.asyncModelRun(
            () => ({ model: new Map(), real: { repository: subject.repository, prefix } }),
            cmds,
          );
        }),
        20,
      );
    });

    it('round-trips random sizes 0 B - 20 MiB byte-exact, buffered and streamed', async () => {
      await using subject = await open();
      const threshold = subject.multipartThresholdBytes ?? 8 * MIB;
      // Few runs for the big sizes: each is a real upload and download.
      const sizeArb = fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 64 * 1024 }) },
        { weight: 1, arbitrary: fc.integer({ min: threshold - 1, max: threshold + 1 }) },
        { weight: 1, arbitrary: fc.integer({ min: threshold + 1, max: 20 * MIB }) },
      );
      let run = 0;
      await assertProperty(
        fc.asyncProperty(sizeArb, fc.integer(), fc.boolean(), async (size, seed, streamed) => {
          const key = `${subject.prefix}sizes/${run++}`;
          const body = seededBytes(size, seed);
          const input = streamed ? Readable.from(chunksOf(body, 256 * 1024)) : body;
          const info = await subject.repository.put(key, input, { contentType: 'application/x-test' });
          expect(info).toMatchObject({ size, sha256: sha(body), contentType: 'application/x-test' });
          const got = await subject.repository.get(key);
          expect(got?.body.length).toBe(size);
          expect(Buffer.from(got?.body ?? []).equals(body)).toBe(true);
          const stream = await subject.repository.getStream(key);
          expect(stream?.info.size).toBe(size);
          expect((await readStream(stream?.body ?? Readable.from([]))).equals(body)).toBe(true);
          expect(await subject.repository.delete(key)).toBe(true);
        }),
        8,
      );
      // The two sides of the multipart threshold, always.
      for (const size of [threshold - 1, threshold + 1]) {
        const body = seededBytes(size, size);
        const key = `${subject.prefix}threshold/${size}`;
        await subject.repository.put(key, body);
        expect(Buffer.from((await subject.repository.get(key))?.body ?? []).equals(body)).toBe(true);
        await subject.repository.delete(key);
      }
    });

    it('fails the SHA-256 check of a corrupted object, whole and streamed', async () => {
      await using subject = await open();
      const key = `${subject.prefix}corrupt/x`;
      await subject.repository.put(key, seededBytes(4096, 7));
      await subject.corrupt(key);
      await expect(subject.repository.get(key)).rejects.toBeInstanceOf(IntegrityError);
      const stream = await subject.repository.getStream(key);
      await expect(readStream(stream?.body ?? Readable.from([]))).rejects.toBeInstanceOf(IntegrityError);
    });

    it('presigns GET URLs that work before expiry and fail after (or says presigning is unsupported)', async () => {
      await using subject = await open();
      const key = `${subject.prefix}presign/ü file.bin`;
      const body = seededBytes(1000, 3);
      await subject.repository.put(key, body);
      if (!subject.presign) {
        await expect(subject.repository.presignGet(key, 60)).rejects.toThrow(/not supported/);
        return;
      }
      // 2 s, not 1: the signature's date has whole seconds, so a 1 s URL can be expired the moment it is made.
      const url = await subject.repository.presignGet(key, 2);
      const before = await fetch(url);
      expect(before.status).toBe(200);
      expect(Buffer.from(await before.arrayBuffer()).equals(body)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const after = await fetch(url);
      await after.arrayBuffer();
      expect(after.status).toBe(403);
      await expect(subject.repository.presignGet(key, 0)).rejects.toBeInstanceOf(ValidationError);
    });

    it('stores hostile but legal keys exactly and refuses the rest with a ValidationError', async () => {
      await using subject = await open();
      const { repository, prefix } = subject;
      const accepted = [...ACCEPTED_KEYS.map((k) => prefix + k), keyOfBytes(`${prefix}long/`, 1024)];
      expect(Buffer.byteLength(accepted.at(-1) ?? '')).toBe(1024);
      for (const key of accepted) {
        const body = Buffer.from(`body of ${key}`);
        await repository.put(key, body);
        expect({ key, body: (await repository.get(key))?.body.toString() }).toEqual({
          key,
          body: body.toString(),
        });
      }
      const listed = (await repository.list(prefix, { limit: 100 })).map((i) => i.key).sort();
      expect(listed).toEqual([...accepted].sort());
      for (const [label, key] of REFUSED_KEYS) {
        await expect(repository.put(key, Buffer.from('x')), label).rejects.toBeInstanceOf(ValidationError);
        await expect(repository.get(key), label).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(repository.put(keyOfBytes(prefix, 1025), Buffer.from('x'))).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(
        repository.put(`${prefix}m`, Buffer.from('x'), { metadata: { sha256: 'x' } }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        repository.put(`${prefix}m`, Buffer.from('x'), { metadata: { Bad: 'x' } }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        repository.put(`${prefix}m`, Buffer.from('x'), { metadata: { ok: 'ü' } }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        repository.put(`${prefix}m`, Buffer.from('x'), { metadata: { owner: ' padded ' } }),
      ).rejects.toBeInstanceOf(ValidationError);
      for (const key of accepted) expect(await repository.delete(key)).toBe(true);
      expect(await repository.list(prefix)).toEqual([]);
    });
  });
}

function* chunksOf(body: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}
