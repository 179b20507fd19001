// Writing outputs: each file via temp file + rename, so a crash or a bad input never leaves a partial
// report that looks complete; everything is rendered before the first file is written.
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Comparison } from './compare.ts';
import { loadReportAssets } from './html-shell.ts';
import { renderJunit } from './junit.ts';
import { renderHtmlReport } from './report-html.ts';
import type { Results, Verdict } from '../results/schema.ts';
import { renderSummaryMarkdown } from './summary-markdown.ts';

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, content, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export interface WriteReportsOptions {
  verdicts?: readonly Verdict[];
  comparison?: Comparison;
  /** Appends summary.md to $GITHUB_STEP_SUMMARY when set there. */
  env?: NodeJS.ProcessEnv;
}

export interface WrittenReports {
  html: string;
  summary: string;
  junit: string;
  htmlBytes: number;
}

export async function writeReports(
  results: Results,
  dir: string,
  options: WriteReportsOptions = {},
): Promise<WrittenReports> {
  const assets = await loadReportAssets();
  const render = {
    ...(options.verdicts ? { verdicts: options.verdicts } : {}),
    ...(options.comparison ? { comparison: options.comparison } : {}),
  };
  const html = renderHtmlReport(results, assets, render);
  const summary = renderSummaryMarkdown(results, render);
  const junit = renderJunit(results, render);
  await mkdir(dir, { recursive: true });
  const paths = {
    html: join(dir, 'report.html'),
    summary: join(dir, 'summary.md'),
    junit: join(dir, 'junit.xml'),
  };
  await writeFileAtomic(paths.summary, summary);
  await writeFileAtomic(paths.junit, junit);
  await writeFileAtomic(paths.html, html);
  const stepSummary = options.env?.['GITHUB_STEP_SUMMARY'];
  if (stepSummary) await appendFile(stepSummary, `${summary}\n`, 'utf8');
  return { ...paths, htmlBytes: Buffer.byteLength(html) };
}
