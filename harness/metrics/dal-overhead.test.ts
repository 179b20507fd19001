// bench:dal's per-store record: kept per store identity, matched to a run's stores by server
// software, mode and host (not by port), and a broken file is an error naming it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreOverhead } from '../results/schema.ts';
import { collectRunMetadata } from './run-metadata.ts';
import { overheadForRun, readOverheadRecords, storeIdentity, writeOverheadRecords } from './dal-overhead.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'dalbench-overhead-'));
  dirs.push(dir);
  return join(dir, 'dal-overhead.json');
};

const local = (port: number, serverVersion = 'Redis 7.0.15') => ({
  kind: 'redis',
  mode: 'local',
  url: `redis://127.0.0.1:${port}`,
  serverVersion,
});
const entry = (identity: string, ratio: number): StoreOverhead => ({
  store: 'redis',
  identity,
  measuredAt: '2026-12-01T00:00:00.000Z',
  gitRevision: 'abc',
  paths: [
    {
      id: 'redis.cache-get',
      title: 't',
      ratio,
      judged: ratio,
      interval: [ratio - 0.02, ratio + 0.02],
      maxRatio: 1.1,
      status: 'within',
    },
  ],
});

describe('DAL overhead record', () => {
  it('matches a local store on another port, not another server version or host', () => {
    const identity = storeIdentity(local(1111), 'box');
    const records = { [identity]: entry(identity, 1.03) };
    expect(overheadForRun([local(2222)], records, 'box').measured[0]?.paths[0]?.ratio).toBe(1.03);
    const otherVersion = overheadForRun([local(2222, 'Redis 7.2.0')], records, 'box');
    expect(otherVersion.measured).toEqual([]);
    expect(otherVersion.notMeasured['redis']).toMatch(
      /not measured on redis Redis 7.2.0 \(local\).*bench:dal/,
    );
    expect(overheadForRun([local(2222)], records, 'other-host').measured).toEqual([]);
  });

  it('identifies an external store by its URL with the password redacted', () => {
    const identity = storeIdentity({
      kind: 'postgres',
      mode: 'external',
      url: 'postgres://u:secret@db.example:5432/x',
      serverVersion: 'PostgreSQL 16',
    });
    expect(identity).not.toContain('secret');
    expect(identity).toContain('db.example:5432');
  });

  it('writes atomically, keeps other stores, and replaces the same store', () => {
    const file = tempFile();
    writeOverheadRecords(file, [entry('a', 1.01)]);
    writeOverheadRecords(file, [entry('b', 1.02)]);
    writeOverheadRecords(file, [entry('a', 1.05)]);
    const records = readOverheadRecords(file);
    expect(Object.keys(records).sort()).toEqual(['a', 'b']);
    expect(records['a']?.paths[0]?.ratio).toBe(1.05);
  });

  it('names a corrupt file and what is wrong with it', () => {
    const file = tempFile();
    writeFileSync(file, '{not json');
    expect(() => readOverheadRecords(file)).toThrow(new RegExp(`${file}: not valid JSON`));
    writeFileSync(file, JSON.stringify({ kind: 'dalbench-dal-overhead', stores: { a: { store: 1 } } }));
    expect(() => readOverheadRecords(file)).toThrow(/not a dalbench DAL overhead record \(stores\.a\.store/);
    expect(readOverheadRecords(join(file, '..', 'absent.json'))).toEqual({});
  });

  it('goes into run metadata; a broken record says so per store instead of failing the run', async () => {
    const file = tempFile();
    const store = { ...local(3333), kind: 'redis' as const, mode: 'local' as const, startMs: 1, notes: [] };
    writeOverheadRecords(file, [entry(storeIdentity(store), 1.04)]);
    const meta = await collectRunMetadata({ seed: 1, config: {}, stores: [store], dalOverheadFile: file });
    expect(meta.dalOverhead?.measured[0]?.paths[0]?.ratio).toBe(1.04);
    writeFileSync(file, 'garbage');
    const broken = await collectRunMetadata({ seed: 1, config: {}, stores: [store], dalOverheadFile: file });
    expect(broken.dalOverhead?.measured).toEqual([]);
    expect(broken.dalOverhead?.notMeasured['redis']).toMatch(/not read: .*not valid JSON/);
  });
});
