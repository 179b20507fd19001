// Find a JDK of at least a given major version: ES_JAVA_HOME/JAVA_HOME first, then /usr/lib/jvm (newest wins).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Jdk {
  readonly home: string;
  readonly major: number;
  readonly java: string;
}

export function jdkAt(home: string): Jdk | undefined {
  const java = join(home, 'bin', 'java');
  if (!existsSync(java)) return undefined;
  try {
    const release = readFileSync(join(home, 'release'), 'utf8');
    const version = /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
    const major = parseJavaMajor(version ?? '');
    return major === undefined ? undefined : { home, major, java };
  } catch {
    return undefined;
  }
}

/** "1.8.0_392" → 8, "17.0.9" → 17, "25" → 25. */
export function parseJavaMajor(version: string): number | undefined {
  const parts = version.split(/[._+-]/).map(Number);
  const major = parts[0] === 1 ? parts[1] : parts[0];
  return major !== undefined && Number.isInteger(major) && major > 0 ? major : undefined;
}

export function findJdk(
  minMajor: number,
  preferredHome: string | undefined,
  jvmRoot = '/usr/lib/jvm',
): Jdk | undefined {
  if (preferredHome) {
    const jdk = jdkAt(preferredHome);
    if (jdk && jdk.major >= minMajor) return jdk;
  }
  let candidates: Jdk[] = [];
  try {
    candidates = readdirSync(jvmRoot)
      .map((name) => jdkAt(join(jvmRoot, name)))
      .filter((jdk): jdk is Jdk => jdk !== undefined && jdk.major >= minMajor);
  } catch {
    return undefined;
  }
  return candidates.sort((a, b) => b.major - a.major)[0];
}
