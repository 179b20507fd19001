// report.html: verdicts first, then the optional baseline diff, then per scenario the charts (each with
// its table), then run metadata. A pure function of results.json (+ verdicts, + a comparison).
import { redactConfig, redactUrl } from '../../reference-dal/errors.ts';
import { decodeHistogram, mergeHistogramSummaries } from '../metrics/histogram.ts';
import type { Comparison } from './compare.ts';
import { compareTableHtml } from './compare-html.ts';
import { chartFigure, escapeHtml, htmlPage, type ChartSpec, type ReportAssets } from './html-shell.ts';
import type { HistogramSummary, Results, ScenarioResult, Verdict } from '../results/schema.ts';
import { runMeasuredOn } from '../results/measured-on.ts';
import { dalOverheadLines } from './dal-overhead-format.ts';
import { sweepOperations } from './crossover.ts';
import { resourceFigures } from './resource-charts.ts';
import { crossoverListHtml, sweepSectionHtml } from './sweep-html.ts';
import {
  STATUS_TEXT,
  confirmationText,
  limitText,
  measuredText,
  messageWithMeasuredOn,
  overallStatus,
} from './verdict-format.ts';

export interface HtmlReportOptions {
  verdicts?: readonly Verdict[];
  comparison?: Comparison;
}

/** x positions of the percentile spectrum: −log10(1 − p). */
const SPECTRUM_PERCENTILES = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999];

export function spectrumX(): number[] {
  return SPECTRUM_PERCENTILES.map((p) => Number((-Math.log10(1 - p / 100)).toFixed(4)));
}

export function spectrumValues(summary: HistogramSummary): (number | null)[] {
  if (summary.count === 0) return SPECTRUM_PERCENTILES.map(() => null);
  const histogram = decodeHistogram(summary.encoded);
  try {
    // Beyond the resolution of the sample count a percentile is just the max: leave those out.
    return SPECTRUM_PERCENTILES.map((p) =>
      p > 0 && 1 - p / 100 < 1 / summary.count ? null : histogram.getValueAtPercentile(p) / 1000,
    );
  } finally {
    histogram.destroy();
  }
}

export function verdictTableHtml(verdicts: readonly Verdict[]): string {
  if (verdicts.length === 0)
    return '<p class="muted">No budgets were evaluated for this run (use <code>--budgets</code>).</p>';
  const rows = verdicts
    .map(
      (
        v,
      ) => `<tr><td>${escapeHtml(v.claim ?? '—')}</td><td><code>${escapeHtml(v.budget)}</code></td><td>${escapeHtml(measuredText(v))}</td><td>${escapeHtml(limitText(v))}</td>
<td class="status ${v.status}">${STATUS_TEXT[v.status]}</td><td>${escapeHtml(confirmationText(v))}</td><td class="muted">${escapeHtml(messageWithMeasuredOn(v))}</td></tr>`,
    )
    .join('\n');
  return `<table id="verdicts" class="verdicts"><caption>${escapeHtml(overallStatus(verdicts))}</caption>
<thead><tr><th scope="col">ADR claim</th><th scope="col">Budget</th><th scope="col">Measured</th><th scope="col">Limit</th><th scope="col">Result</th><th scope="col">Confirmed</th><th scope="col">Detail</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** What the run measured on: stores with their servers and notes, stand-ins for the ADR's choice. */
function measuredOnHtml(results: Results): string {
  const lines = runMeasuredOn(results);
  if (lines.length === 0) return '';
  return `<h3>Measured on</h3><ul class="measured-on">${lines.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>`;
}

/** The DAL's own cost on these stores, beside the verdicts that compare profiles through it. */
function dalOverheadHtml(results: Results): string {
  const lines = dalOverheadLines(results.run);
  if (lines.length === 0) return '';
  return `<h3>The DAL's own cost on these stores</h3><ul class="dal-overhead">${lines.map((l) => `<li${l.over ? ' class="over"' : ''}>${escapeHtml(l.text)}</li>`).join('')}</ul>`;
}

function slug(text: string): string {
  return text.replace(/[^a-zA-Z0-9]+/g, '-');
}

function merged(
  runs: ScenarioResult[],
  pick: (r: ScenarioResult) => HistogramSummary | undefined,
): HistogramSummary | undefined {
  const parts = runs.map(pick).filter((h): h is HistogramSummary => h !== undefined && h.count > 0);
  return parts.length === 0 ? undefined : mergeHistogramSummaries(parts);
}

function scenarioSection(name: string, runs: ScenarioResult[], charts: ChartSpec[]): string {
  const id = slug(name);
  const profiles = [...new Set(runs.map((r) => r.profile))];
  const completed = runs.filter((r) => r.status === 'completed');
  const broken = runs.filter((r) => r.status !== 'completed');
  const parts: string[] = [
    `<section class="scenario" id="scenario-${id}"><h2>Scenario: ${escapeHtml(name)}</h2>`,
  ];
  const loads = [
    ...new Set(
      runs.map((r) =>
        r.loadModel
          ? r.loadModel.type === 'open'
            ? `open loop, ${r.loadModel.ratePerSec}/s ${r.loadModel.arrival}`
            : `closed loop, ${r.loadModel.concurrency} workers`
          : 'load model not recorded',
      ),
    ),
  ];
  parts.push(
    `<p class="muted">Profiles: ${escapeHtml(profiles.join(', '))} · ${escapeHtml(loads.join('; '))} · repeats: ${new Set(runs.map((r) => r.repeat)).size}</p>`,
  );
  if (broken.length > 0) {
    parts.push(
      `<ul class="status not-evaluated">${broken.map((r) => `<li>⚠ ${escapeHtml(`${r.profile} #${r.repeat}: ${r.status}${r.reason ? ` — ${r.reason}` : ''}`)}</li>`).join('')}</ul>`,
    );
  }
  const figures: ChartSpec[] = [];
  const operations = [...new Set(completed.flatMap((r) => r.operations.map((o) => o.name)))];
  for (const op of operations) {
    const series = profiles.flatMap((profile) => {
      const mine = completed.filter((r) => r.profile === profile);
      const corrected = merged(mine, (r) => r.operations.find((o) => o.name === op)?.latency);
      const uncorrected = merged(mine, (r) => r.operations.find((o) => o.name === op)?.uncorrectedLatency);
      return [
        ...(corrected
          ? [{ label: uncorrected ? `${profile} (corrected)` : profile, values: spectrumValues(corrected) }]
          : []),
        ...(uncorrected ? [{ label: `${profile} (uncorrected)`, values: spectrumValues(uncorrected) }] : []),
      ];
    });
    if (series.length > 0) {
      figures.push({
        id: `c-${id}-${slug(op)}-spectrum`,
        title: `${op}: latency by percentile`,
        kind: 'spectrum',
        xLabel: 'percentile',
        yLabel: 'ms',
        x: spectrumX(),
        series,
      });
    }
    const first = (profile: string) =>
      completed.find((r) => r.profile === profile)?.operations.find((o) => o.name === op);
    const seriesProfiles = profiles.filter((p) => (first(p)?.series.length ?? 0) > 0);
    if (seriesProfiles.length > 0) {
      const times = [...new Set(seriesProfiles.flatMap((p) => first(p)!.series.map((s) => s.t)))].sort(
        (a, b) => a - b,
      );
      const at = (p: string, t: number, pick: (s: { ops: number; p99Us: number }) => number) => {
        const point = first(p)!.series.find((s) => s.t === t);
        return point ? pick(point) : null;
      };
      figures.push({
        id: `c-${id}-${slug(op)}-throughput`,
        title: `${op}: throughput over time (first repeat)`,
        kind: 'line',
        xLabel: 'seconds',
        yLabel: 'ops per interval',
        x: times,
        series: seriesProfiles.map((p) => ({ label: p, values: times.map((t) => at(p, t, (s) => s.ops)) })),
      });
      figures.push({
        id: `c-${id}-${slug(op)}-p99`,
        title: `${op}: p99 over time (first repeat)`,
        kind: 'line',
        xLabel: 'seconds',
        yLabel: 'ms',
        x: times,
        series: seriesProfiles.map((p) => ({
          label: p,
          values: times.map((t) => at(p, t, (s) => s.p99Us / 1000)),
        })),
      });
    }
    const barProfiles = profiles.filter((p) =>
      completed.some((r) => r.profile === p && r.operations.some((o) => o.name === op)),
    );
    if (barProfiles.length > 0) {
      const stat = (p: string, pick: (h: HistogramSummary) => number) => {
        const h = merged(
          completed.filter((r) => r.profile === p),
          (r) => r.operations.find((o) => o.name === op)?.latency,
        );
        return h ? pick(h) / 1000 : null;
      };
      figures.push({
        id: `c-${id}-${slug(op)}-profiles`,
        title: `${op}: p50 and p99 by profile`,
        kind: 'bars',
        xLabel: 'profile',
        yLabel: 'ms',
        x: barProfiles.map((_, i) => i),
        categories: barProfiles,
        series: [
          { label: 'p50', values: barProfiles.map((p) => stat(p, (h) => h.p50Us)) },
          { label: 'p99', values: barProfiles.map((p) => stat(p, (h) => h.p99Us)) },
        ],
      });
    }
  }
  const hitProfiles = profiles.filter((p) =>
    completed.some((r) => r.profile === p && r.metrics['cacheHitRatio'] !== undefined),
  );
  if (hitProfiles.length > 0) {
    figures.push({
      id: `c-${id}-cache-hit-ratio`,
      title: 'Cache hit ratio by profile (mean of repeats)',
      kind: 'bars',
      xLabel: 'profile',
      yLabel: 'hits / (hits + misses)',
      x: hitProfiles.map((_, i) => i),
      categories: hitProfiles,
      series: [
        {
          label: 'cacheHitRatio',
          values: hitProfiles.map((p) => {
            const v = completed
              .filter((r) => r.profile === p)
              .map((r) => r.metrics['cacheHitRatio'])
              .filter((x): x is number => x !== undefined);
            return v.reduce((a, b) => a + b, 0) / v.length;
          }),
        },
      ],
    });
  }
  figures.push(...resourceFigures(id, completed, profiles));
  const distributions = [...new Set(completed.flatMap((r) => Object.keys(r.distributions)))];
  for (const dist of distributions) {
    const series = profiles.flatMap((p) => {
      const h = merged(
        completed.filter((r) => r.profile === p),
        (r) => r.distributions[dist],
      );
      return h ? [{ label: p, values: spectrumValues(h) }] : [];
    });
    if (series.length > 0)
      figures.push({
        id: `c-${id}-${slug(dist)}-dist`,
        title: `${dist} distribution`,
        kind: 'spectrum',
        xLabel: 'percentile',
        yLabel: 'ms',
        x: spectrumX(),
        series,
      });
  }
  const scalars = [
    ...new Set(completed.flatMap((r) => [...Object.keys(r.metrics), ...Object.keys(r.counters)])),
  ].sort();
  if (scalars.length > 0) {
    const value = (p: string, k: string) => {
      const v = completed
        .filter((r) => r.profile === p)
        .map((r) => r.metrics[k] ?? r.counters[k])
        .filter((x): x is number => x !== undefined);
      return v.length === 0 ? '—' : String(Number((v.reduce((a, b) => a + b, 0) / v.length).toPrecision(4)));
    };
    parts.push(
      `<table class="num scalars"><caption>Metrics and counters (mean of repeats)</caption><thead><tr><th scope="col">name</th>${profiles.map((p) => `<th scope="col">${escapeHtml(p)}</th>`).join('')}</tr></thead><tbody>${scalars.map((k) => `<tr><th scope="row">${escapeHtml(k)}</th>${profiles.map((p) => `<td>${value(p, k)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
    );
  }
  const warnings = [...new Set(runs.flatMap((r) => r.warnings))];
  if (warnings.length > 0)
    parts.push(`<ul class="warnings">${warnings.map((w) => `<li>⚠ ${escapeHtml(w)}</li>`).join('')}</ul>`);
  parts.push(`<div class="charts">${figures.map(chartFigure).join('\n')}</div></section>`);
  charts.push(...figures);
  return parts.join('\n');
}

function metadataSection(results: Results): string {
  const run = results.run;
  const rows: [string, string][] = [
    ['run id', run.id],
    ['status', run.status + (run.incompleteReason ? ` (${run.incompleteReason})` : '')],
    ['started / finished', `${run.startedAt} / ${run.finishedAt}`],
    ['seed', String(run.seed)],
    ['git', `${run.git.revision ?? 'unknown'}${run.git.dirty ? ' (dirty)' : ''}`],
    ['Node.js', run.node],
    ['platform', run.platform],
    ['machine', `${run.cpus} × ${run.cpuModel}, ${(run.memoryBytes / 1024 ** 3).toFixed(1)} GiB`],
    [
      'harness',
      `event-loop delay p99 ${run.harness.eventLoopDelayP99Ms} ms, late starts ${(run.harness.lateStartShare * 100).toFixed(2)}%${run.harness.peakRssMb === undefined ? '' : `, peak RSS ${run.harness.peakRssMb} MiB`}`,
    ],
  ];
  if (run.shard) rows.push(['shard', `${run.shard.index}/${run.shard.count}`]);
  if (run.mergedFrom)
    rows.push(['merged from', run.mergedFrom.map((m) => m.id + (m.shard ? ` (${m.shard})` : '')).join(', ')]);
  const stores = run.stores
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.kind)}</td><td>${escapeHtml(s.mode)}</td><td>${escapeHtml(s.serverVersion)}</td><td><code>${escapeHtml(redactUrl(s.url))}</code></td><td>${s.startMs} ms</td><td>${escapeHtml(s.notes.join('; '))}</td></tr>`,
    )
    .join('');
  const warnings = run.harness.warnings.length
    ? `<ul class="warnings">${run.harness.warnings.map((w) => `<li>⚠ ${escapeHtml(w)}</li>`).join('')}</ul>`
    : '<p>No harness warnings.</p>';
  return `<section id="metadata"><h2>Run metadata</h2>
<table class="meta"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>
<h3>Stores</h3><table class="stores"><thead><tr><th scope="col">store</th><th scope="col">mode</th><th scope="col">server version</th><th scope="col">URL</th><th scope="col">start</th><th scope="col">notes</th></tr></thead><tbody>${stores}</tbody></table>
<h3>Harness self-monitoring</h3>${warnings}
<h3>Resolved configuration (secrets redacted)</h3><pre>${escapeHtml(JSON.stringify(redactConfig(run.config), null, 2))}</pre></section>`;
}

export function renderHtmlReport(
  results: Results,
  assets: ReportAssets,
  options: HtmlReportOptions = {},
): string {
  const verdicts = options.verdicts ?? results.verdicts ?? [];
  const charts: ChartSpec[] = [];
  const names = [...new Set(results.scenarios.map((s) => s.scenario))];
  const sections = names.map((name) =>
    scenarioSection(
      name,
      results.scenarios.filter((s) => s.scenario === name),
      charts,
    ),
  );
  const sweep = sweepOperations(results);
  const body = `<header><h1>dalbench report — ${escapeHtml(results.run.id)}</h1>
<p class="muted">${escapeHtml(results.run.startedAt)} · ${results.run.status === 'complete' ? 'complete run' : '⚠ INCOMPLETE run'} · seed ${results.run.seed} · ${names.length} scenarios</p></header>
<section id="verdict-section"><h2>Verdicts</h2>${verdictTableHtml(verdicts)}${crossoverListHtml(sweep)}${measuredOnHtml(results)}${dalOverheadHtml(results)}</section>
${options.comparison ? `<section id="baseline"><h2>Against baseline: ${escapeHtml(options.comparison.baseLabel)}</h2>${compareTableHtml(options.comparison)}</section>` : ''}
${sweepSectionHtml(sweep, charts)}
<nav><h2>Scenarios</h2><ul>${names.map((n) => `<li><a href="#scenario-${slug(n)}">${escapeHtml(n)}</a></li>`).join('')}</ul></nav>
${sections.join('\n')}
${metadataSection(results)}`;
  return htmlPage(`dalbench report ${results.run.id}`, body, charts, assets);
}
