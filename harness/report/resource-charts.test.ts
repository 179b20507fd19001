import { describe, expect, it } from 'vitest';
import { syntheticResults } from './fixtures/synthetic-results.ts';
import { loadReportAssets } from './html-shell.ts';
import { renderHtmlReport } from './report-html.ts';
import { MIN_SLOPE_SAMPLES } from '../metrics/resource-sampler.ts';
import type { Results } from '../results/schema.ts';

function withResources(samples: number): Results {
  const results = syntheticResults({ seed: 3, profiles: ['polyglot', 'single-postgres'] });
  const resources = Array.from({ length: samples }, (_, t) => ({
    t,
    heapUsedMb: 40 + t,
    rssMb: 120 + 2 * t,
    sockets: 6,
  }));
  return { ...results, scenarios: results.scenarios.map((s) => ({ ...s, resources })) };
}

describe('report.html resource charts (soak)', () => {
  it('charts RSS, heap and sockets per profile once a run has enough samples, with their values in the table', async () => {
    const html = renderHtmlReport(withResources(MIN_SLOPE_SAMPLES + 2), await loadReportAssets());
    for (const chart of ['rss', 'heap', 'sockets']) expect(html).toContain(`-resources-${chart}`);
    expect(html).toContain('harness RSS over time');
    // The last RSS sample (120 + 2 × 11) is in the chart's table.
    expect(html).toContain('>142<');
  });

  it('shows none for short runs', async () => {
    const html = renderHtmlReport(withResources(MIN_SLOPE_SAMPLES - 1), await loadReportAssets());
    expect(html).not.toContain('-resources-');
  });
});
