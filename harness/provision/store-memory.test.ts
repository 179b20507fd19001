import { describe, expect, it } from 'vitest';
import { NAMED_SCALES, scaleByFactor } from '../data/scale.ts';
import { ProvisionConfigError } from './errors.ts';
import {
  DEFAULT_STORE_MEMORY,
  elasticsearchHeapOptions,
  memoryForScales,
  memoryNote,
  parseStoreMemory,
  postgresMemorySettings,
} from './store-memory.ts';

describe('store memory', () => {
  it('follows the largest size of the run; without --scale it is the default', () => {
    expect(memoryForScales(undefined)).toBe(DEFAULT_STORE_MEMORY);
    expect(memoryForScales([])).toBe(DEFAULT_STORE_MEMORY);
    const small = memoryForScales([NAMED_SCALES.xs, NAMED_SCALES.s]);
    expect(small).toMatchObject({ postgres: { sharedBuffersMb: 128 }, elasticsearch: { heapMb: 512 } });
    expect(small.basis).toBe('sized for scale s');
    const sweep = memoryForScales([NAMED_SCALES.m, NAMED_SCALES.xs, NAMED_SCALES.s]);
    expect(sweep).toEqual({
      postgres: { sharedBuffersMb: 512, workMemMb: 16 },
      elasticsearch: { heapMb: 1024 },
      basis: 'sized for scale m',
    });
    expect(memoryForScales([NAMED_SCALES.l]).elasticsearch.heapMb).toBe(4096);
    // A factor just above m's is sized like l; a factor between s and m like m.
    expect(memoryForScales([scaleByFactor(26)]).postgres.sharedBuffersMb).toBe(4096);
    expect(memoryForScales([scaleByFactor(2.5)]).postgres.sharedBuffersMb).toBe(512);
  });

  it('parses --store-memory over a base, in MB or GB, and says what it was set by', () => {
    const set = parseStoreMemory(
      'postgres.shared_buffers=1GB, elasticsearch.heap=768MB',
      DEFAULT_STORE_MEMORY,
    );
    expect(set).toEqual({
      postgres: { sharedBuffersMb: 1024, workMemMb: 4 },
      elasticsearch: { heapMb: 768 },
      basis: '--store-memory postgres.shared_buffers=1GB, elasticsearch.heap=768MB',
    });
    expect(parseStoreMemory('postgres.work_mem=64MiB', DEFAULT_STORE_MEMORY).postgres.workMemMb).toBe(64);
    expect(postgresMemorySettings(set)).toEqual(['shared_buffers=1024MB', 'work_mem=4MB']);
    expect(elasticsearchHeapOptions(set)).toBe('-Xms768m -Xmx768m');
    expect(memoryNote('elasticsearch', set)).toMatch(/^memory: heap 768 MiB \(--store-memory /);
  });

  it.each([
    ['postgres.shared_buffer=1GB', /expected KEY=SIZE with KEY one of postgres.shared_buffers/],
    ['postgres.shared_buffers=1TB', /SIZE like 512MB or 2GB/],
    ['postgres.shared_buffers=-1GB', /SIZE like/],
    ['elasticsearch.heap', /expected KEY=SIZE/],
    ['elasticsearch.heap=64MB', /elasticsearch.heap=64MB: expected 256–31744 MB/],
    ['elasticsearch.heap=32GB', /expected 256–31744 MB/],
    ['postgres.work_mem=0MB', /expected 1–65536 MB/],
    ['postgres.work_mem=8MB,postgres.work_mem=16MB', /postgres.work_mem is given twice/],
    ['postgres.work_mem=8MB,', /empty entry/],
  ])('refuses %s, naming the flag', (raw, message) => {
    const attempt = () => parseStoreMemory(raw, DEFAULT_STORE_MEMORY);
    expect(attempt).toThrow(ProvisionConfigError);
    expect(attempt).toThrow(/^--store-memory: /);
    expect(attempt).toThrow(message);
  });
});
