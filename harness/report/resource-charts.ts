// A soak's charts: the harness's RSS, heap and open sockets over the measure phase (first repeat of
// each profile), shown once a run is long enough for its slope metrics to exist.
import { MIN_SLOPE_SAMPLES } from '../metrics/resource-sampler.ts';
import type { ResourcePoint, ScenarioResult } from '../results/schema.ts';
import type { ChartSpec } from './html-shell.ts';

const CHARTS: readonly { key: string; title: string; yLabel: string; pick: (p: ResourcePoint) => number }[] =
  [
    { key: 'rss', title: 'harness RSS over time', yLabel: 'MiB', pick: (p) => p.rssMb },
    { key: 'heap', title: 'harness heap used over time', yLabel: 'MiB', pick: (p) => p.heapUsedMb },
    {
      key: 'sockets',
      title: 'open sockets over time (store connections)',
      yLabel: 'sockets',
      pick: (p) => p.sockets,
    },
  ];

export function resourceFigures(
  id: string,
  completed: readonly ScenarioResult[],
  profiles: readonly string[],
): ChartSpec[] {
  const firstOf = (profile: string) =>
    completed.find((r) => r.profile === profile && (r.resources?.length ?? 0) >= MIN_SLOPE_SAMPLES)
      ?.resources;
  const shown = profiles.filter((p) => firstOf(p) !== undefined);
  if (shown.length === 0) return [];
  // Samples are about a second apart, not on whole seconds: each profile's nth sample is charted at n s.
  const length = Math.max(...shown.map((p) => firstOf(p)!.length));
  const x = Array.from({ length }, (_, i) => i);
  return CHARTS.map((chart) => ({
    id: `c-${id}-resources-${chart.key}`,
    title: `${chart.title} (first repeat; slope in the metrics table)`,
    kind: 'line' as const,
    xLabel: 'seconds',
    yLabel: chart.yLabel,
    x,
    series: shown.map((p) => {
      const points = firstOf(p)!;
      return { label: p, values: x.map((i) => (points[i] ? chart.pick(points[i]) : null)) };
    }),
  }));
}
