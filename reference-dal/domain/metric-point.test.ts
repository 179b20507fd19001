import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { dedupeLastWins, validateMetricPoints } from './metric-point.ts';

const t = new Date('2026-01-01T00:00:00Z');

describe('validateMetricPoints', () => {
  it.each([
    [{ timestamp: t, metricName: 'm', value: Number.NaN }, 'points[1].value'],
    [{ timestamp: t, metricName: 'm', value: -Infinity }, 'points[1].value'],
    [{ timestamp: t, metricName: '  ', value: 1 }, 'points[1].metricName'],
    [{ timestamp: new Date('nope'), metricName: 'm', value: 1 }, 'points[1].timestamp'],
    [{ timestamp: '2026-01-01', metricName: 'm', value: 1 }, 'points[1].timestamp'],
    [{ timestamp: t, metricName: 'm', value: 1, tags: ['x'] }, 'points[1].tags'],
    [null, 'points[1]'],
  ])('names the bad point and field: %j', (bad, field) => {
    const points = [{ timestamp: t, metricName: 'm', value: 1 }, bad];
    expect(() => validateMetricPoints(points)).toThrow(ValidationError);
    expect(() => validateMetricPoints(points)).toThrow(expect.objectContaining({ field }) as Error);
  });

  it('keeps the last point per (timestamp, name)', () => {
    const out = dedupeLastWins([
      { timestamp: t, metricName: 'a', value: 1 },
      { timestamp: t, metricName: 'b', value: 2 },
      { timestamp: new Date(t), metricName: 'a', value: 3 },
    ]);
    expect(out.map((p) => [p.metricName, p.value])).toEqual([
      ['b', 2],
      ['a', 3],
    ]);
  });
});
