// A stream body's SHA-256 must be in the object's metadata before the upload starts, so a stream
// is read once first: into memory up to the multipart threshold, beyond it into a temp file that
// is removed when the spool is disposed. Memory stays bounded for any object size.
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

export interface Spooled extends AsyncDisposable {
  readonly size: number;
  readonly sha256: string;
  /** The whole body when it stayed in memory. */
  readonly bytes: Buffer | undefined;
  /** A fresh stream over the spooled body. */
  open(): Readable;
}

export async function spool(body: Readable, memoryLimitBytes: number): Promise<Spooled> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let dir: string | undefined;
  let file: ReturnType<typeof createWriteStream> | undefined;
  try {
    for await (const chunk of body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      hash.update(buffer);
      size += buffer.length;
      if (file) {
        // `once` rejects on the stream's 'error' (disk full), where a bare 'drain' wait would hang.
        if (!file.write(buffer)) await once(file, 'drain');
        continue;
      }
      chunks.push(buffer);
      if (size > memoryLimitBytes) {
        dir = await mkdtemp(join(tmpdir(), 'dalbench-spool-'));
        file = createWriteStream(join(dir, 'body'));
        for (const held of chunks.splice(0)) file.write(held);
      }
    }
    if (file) {
      file.end();
      await finished(file);
    }
  } catch (error) {
    file?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const path = dir ? join(dir, 'body') : undefined;
  const bytes = path ? undefined : Buffer.concat(chunks);
  return {
    size,
    sha256: hash.digest('hex'),
    bytes,
    open: () => (path ? createReadStream(path) : Readable.from(bytes ? [bytes] : [])),
    async [Symbol.asyncDispose]() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
