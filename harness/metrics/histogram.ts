// Latency histograms: HdrHistogram in microseconds, 3 significant digits, 32-bit buckets (no WASM).
// Summaries carry the compressed base64 encoding, so shards and runs merge without loss.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { HistogramSummary } from '../results/schema.ts';

export type { Histogram };

export function createHistogram(): Histogram {
  // autoResize: a 10-minute stall must still be recorded, not throw.
  return hdr.build({ bitBucketSize: 32, numberOfSignificantValueDigits: 3, autoResize: true });
}

export class HistogramDecodeError extends Error {
  override name = 'HistogramDecodeError';
}

export function decodeHistogram(encoded: string): Histogram {
  if (encoded === '') return createHistogram();
  try {
    return hdr.decodeFromCompressedBase64(encoded, 32, false);
  } catch (error) {
    throw new HistogramDecodeError('not a compressed base64 HdrHistogram', { cause: error });
  }
}

export function encodeHistogram(histogram: Histogram): string {
  return histogram.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(histogram);
}

export function summarizeHistogram(histogram: Histogram): HistogramSummary {
  if (histogram.totalCount === 0) {
    return {
      count: 0,
      minUs: 0,
      meanUs: 0,
      p50Us: 0,
      p90Us: 0,
      p95Us: 0,
      p99Us: 0,
      p999Us: 0,
      maxUs: 0,
      encoded: '',
    };
  }
  return {
    count: histogram.totalCount,
    // Percentiles 0 and 100 (bucket-equivalent values) rather than the raw min/max fields, which
    // hdr-histogram-js tracks exactly on record but by bucket on add: merged and direct summaries must agree.
    minUs: histogram.getValueAtPercentile(0),
    meanUs: histogram.mean,
    p50Us: histogram.getValueAtPercentile(50),
    p90Us: histogram.getValueAtPercentile(90),
    p95Us: histogram.getValueAtPercentile(95),
    p99Us: histogram.getValueAtPercentile(99),
    p999Us: histogram.getValueAtPercentile(99.9),
    maxUs: histogram.getValueAtPercentile(100),
    encoded: encodeHistogram(histogram),
  };
}

/** Decode, add, re-encode: the summary of the union of every input's recorded values. */
export function mergeHistogramSummaries(summaries: readonly HistogramSummary[]): HistogramSummary {
  const total = createHistogram();
  for (const summary of summaries) {
    if (summary.count === 0) continue;
    const decoded = decodeHistogram(summary.encoded);
    if (decoded.totalCount !== summary.count) {
      throw new HistogramDecodeError(
        `encoded histogram holds ${decoded.totalCount} values but its summary says count ${summary.count}`,
      );
    }
    total.add(decoded);
  }
  return summarizeHistogram(total);
}
