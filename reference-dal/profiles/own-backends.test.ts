// A profile's own backends (storage(env).backends): its factory serves the port when the profile's
// DAL is built, and a backend name no table provides fails at the edge, naming the name.
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../test/support/stores.ts';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { backendNames, defaultBackendFactories, mergeBackendFactories } from '../dal/backend-factories.ts';
import type { BackendFactory } from '../dal/services.ts';
import { ValidationError } from '../errors.ts';
import type { MetricPoint, TimeSeriesRepository } from '../ports/time-series.ts';
import { defineProfile, type ProfileStorage } from './profile.ts';
import { SystemUnderTest } from './system-under-test.ts';

/** An in-memory time-series backend: enough to see that the profile's DAL hands out this one. */
function memoryTimeSeries(): {
  factory: BackendFactory<'timeseries'>;
  saved: MetricPoint[];
  closed: () => boolean;
} {
  const saved: MetricPoint[] = [];
  let closed = false;
  const service: TimeSeriesRepository = {
    saveMetrics: (points) => Promise.resolve((saved.push(...points), { written: points.length })),
    queryMetrics: () => Promise.resolve([]),
    queryMetricsMany: () => Promise.resolve([]),
    latestPoints: () => Promise.resolve([]),
    topSeries: () => Promise.resolve([]),
    readPoints: () => Promise.resolve([]),
    countPoints: () => Promise.resolve(saved.length),
  };
  const factory: BackendFactory<'timeseries'> = () =>
    Promise.resolve({
      store: 'postgres',
      service,
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(void (closed = true)),
    });
  return { factory, saved, closed: () => closed };
}

function profileWith(name: string, timeseriesBackend: string, backends: ProfileStorage['backends']) {
  return defineProfile({
    name,
    description: 'PostgreSQL for transactional data and documents, time-series on an own backend',
    requires: ['postgres'],
    storage: (env) => ({
      configs: [
        { type: 'transactional', backend: 'postgres', url: env.databases.postgres ?? '' },
        { type: 'timeseries', backend: timeseriesBackend, url: env.databases.postgres ?? '' },
        { type: 'document', backend: 'postgres', url: env.databases.postgres ?? '' },
      ],
      ...(backends ? { backends } : {}),
    }),
  });
}

const label = () => `t${Math.floor(Math.random() * 1e9).toString(36)}`;

describe('own backends in a profile', () => {
  it("the profile's DAL serves the port from the profile's own factory, and closes it", async () => {
    const memory = memoryTimeSeries();
    const profile = profileWith('own-memory', 'memory', { timeseries: { memory: memory.factory } });
    const sut = await SystemUnderTest.build(profile, {
      endpoints: { postgres: requireStore('postgres').url },
      runLabel: label(),
    });
    try {
      expect(sut.capabilities.backends.timeseries).toBe('memory');
      await sut.dal.timeSeries.saveMetrics([{ timestamp: new Date(0), metricName: 'm', value: 1 }]);
      expect(memory.saved).toHaveLength(1);
      expect(await sut.dal.timeSeries.countPoints()).toBe(1);
      // The built-in backends are still there for the other storage types.
      expect(await sut.dal.metadata.detectors.list()).toEqual([]);
    } finally {
      await sut[Symbol.asyncDispose]();
    }
    expect(memory.closed()).toBe(true);
  });

  it('an unknown backend name that no table provides fails naming it, before any database is made', async () => {
    const memory = memoryTimeSeries();
    const profile = profileWith('own-typo', 'memroy', { timeseries: { memory: memory.factory } });
    const error = await SystemUnderTest.build(profile, {
      endpoints: { postgres: requireStore('postgres').url },
      runLabel: label(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('profile own-typo storage[1].backend');
    expect((error as Error).message).toContain(
      'no backend factory for storage type "timeseries" with backend "memroy" (known: postgres, timescaledb, memory)',
    );
  });

  it('a backends entry that is not a factory names the profile and the path', async () => {
    const profile = profileWith('own-bad', 'memory', {
      timeseries: { memory: 'not a function' as unknown as BackendFactory<'timeseries'> },
    });
    await expect(
      SystemUnderTest.build(profile, {
        endpoints: { postgres: requireStore('postgres').url },
        runLabel: label(),
      }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'profile "own-bad" storage.backends.timeseries.memory',
    });
  });
});

describe('backend names at the edge', () => {
  const url = 'postgres://127.0.0.1:1/db';

  it('without an own table only the built-in names are accepted, each for its storage types', () => {
    expect(() => parseStorageConfigs([{ type: 'timeseries', backend: 'brin', url }])).toThrow(
      'storage config[0].backend: no backend factory for storage type "timeseries" with backend "brin" (known: postgres, timescaledb)',
    );
    expect(() => parseStorageConfigs([{ type: 'timeseries', backend: 'redis', url }])).toThrow(
      'backend "redis" cannot serve storage type "timeseries" (allowed: postgres, timescaledb)',
    );
  });

  it("an own table's names are accepted for its storage type only", () => {
    const own = backendNames({ timeseries: { brin: memoryTimeSeries().factory } });
    expect(parseStorageConfigs([{ type: 'timeseries', backend: 'brin', url }], 'cfg', own)[0]?.backend).toBe(
      'brin',
    );
    expect(() => parseStorageConfigs([{ type: 'document', backend: 'brin', url }], 'cfg', own)).toThrow(
      /cfg\[0\]\.backend: no backend factory for storage type "document" with backend "brin"/,
    );
  });

  it('merging adds own names beside the built-in ones and replaces a built-in name it redefines', () => {
    const base = defaultBackendFactories();
    const brin = memoryTimeSeries().factory;
    const postgres = memoryTimeSeries().factory;
    const merged = mergeBackendFactories(base, { timeseries: { brin, postgres } });
    expect(merged.timeseries?.['brin']).toBe(brin);
    expect(merged.timeseries?.['postgres']).toBe(postgres);
    expect(merged.timeseries?.['timescaledb']).toBe(base.timeseries?.['timescaledb']);
    expect(merged.document).toBe(base.document);
    expect(base.timeseries?.['brin']).toBeUndefined();
  });
});
