// report.html's "Across data sizes": per operation of a `--scale` sweep, p50 against size (log
// axis) with one line per profile and its range over repeats, and the crossover stated in words.
import { crossoverLine, type SweepOperation } from './crossover.ts';
import { chartFigure, escapeHtml, type ChartSpec } from './html-shell.ts';

export function crossoverListHtml(operations: readonly SweepOperation[]): string {
  const items = operations.flatMap((op) =>
    op.crossovers.map((c) => `<li class="crossover ${c.status}">${escapeHtml(crossoverLine(op, c))}</li>`),
  );
  return items.length === 0
    ? ''
    : `<h3>Crossover by data size</h3><ul class="crossovers">${items.join('')}</ul>`;
}

export function sweepSectionHtml(operations: readonly SweepOperation[], charts: ChartSpec[]): string {
  if (operations.length === 0) return '';
  const figures = operations.map((op) => {
    const sizes = [
      ...new Map(op.lines.flatMap((l) => l.points.map((p) => [p.factor, p.scale] as const))),
    ].sort((a, b) => a[0] - b[0]);
    const x = sizes.map(([factor]) => factor);
    const at = (points: SweepOperation['lines'][number]['points'], factor: number) =>
      points.find((p) => p.factor === factor);
    const series = op.lines.flatMap((line) => {
      const repeated = line.points.some((p) => p.repeats > 1);
      const ms = (pick: (p: NonNullable<ReturnType<typeof at>>) => number) =>
        x.map((factor) => {
          const point = at(line.points, factor);
          return point ? pick(point) / 1000 : null;
        });
      return [
        { label: `${line.profile} p50`, values: ms((p) => p.p50Us) },
        ...(repeated
          ? [
              { label: `${line.profile} lowest of repeats`, values: ms((p) => p.lowUs), bound: true },
              { label: `${line.profile} highest of repeats`, values: ms((p) => p.highUs), bound: true },
            ]
          : []),
      ];
    });
    const spec: ChartSpec = {
      id: `sweep-${charts.length}`,
      title: `${op.scenario}.${op.operation}${op.driver === 'dal' ? '' : ` (${op.driver})`}: p50 by data size`,
      kind: 'log-line',
      xLabel: 'data size (× s, log axis)',
      yLabel: 'ms',
      x,
      categories: sizes.map(([factor, name]) => `${name} (${Number(factor.toPrecision(3))}×)`),
      series,
    };
    charts.push(spec);
    const said = op.crossovers.map((c) => `<li>${escapeHtml(c.text)}</li>`).join('');
    return `${chartFigure(spec)}${said ? `<ul class="crossovers">${said}</ul>` : ''}`;
  });
  return `<section id="sweep"><h2>Across data sizes</h2><div class="charts">${figures.join('\n')}</div></section>`;
}
