// SHA-256 while bytes flow: a stream over an object's body that errors with IntegrityError at the
// end when the content does not match the hash stored with the object.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { IntegrityError } from '../../errors.ts';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `source`'s chunks, hashed as they pass. The source is pulled one chunk per read, like a caller
 * reading it directly would: no pipe in between whose small buffer would pause the source (and
 * stall the server's send) after every chunk. Destroying the result destroys an unfinished source,
 * so an abandoned read releases its connection; a source error errors the result.
 */
export function verifiedStream(source: Readable, expectedSha256: string, what: string): Readable {
  const hash = createHash('sha256');
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new Readable({
    read() {
      chunks.next().then(
        ({ done, value }) => {
          if (this.destroyed) return;
          if (!done) {
            hash.update(value);
            this.push(value);
            return;
          }
          const actual = hash.digest('hex');
          if (actual === expectedSha256) this.push(null);
          else
            this.destroy(
              new IntegrityError(
                `${what}: content SHA-256 ${actual} does not match stored ${expectedSha256}`,
              ),
            );
        },
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      if (!source.readableEnded) source.destroy();
      callback(error);
    },
  });
}
