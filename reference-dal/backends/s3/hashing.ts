// SHA-256 while bytes flow: a pass-through that errors the stream with IntegrityError at the end
// when the content does not match the hash stored with the object.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from '../../errors.ts';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function verifyingStream(expectedSha256: string, what: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = hash.digest('hex');
      if (actual === expectedSha256) callback();
      else
        callback(
          new IntegrityError(`${what}: content SHA-256 ${actual} does not match stored ${expectedSha256}`),
        );
    },
  });
}
