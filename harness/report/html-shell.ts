// The page every HTML output shares (report, compare, history): one self-contained file with uPlot's
// IIFE and CSS inlined, chart data as inline JSON, no network request of any kind. Each chart has a data
// table beside it (screen readers, print) and series differ by dash pattern and marker, not colour alone.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
}

export async function loadReportAssets(): Promise<ReportAssets> {
  const require = createRequire(import.meta.url);
  const dist = (file: string) => require.resolve(`uplot/dist/${file}`);
  const [uplotJs, uplotCss] = await Promise.all([
    readFile(dist('uPlot.iife.min.js'), 'utf8'),
    readFile(dist('uPlot.min.css'), 'utf8'),
  ]);
  return { uplotJs, uplotCss };
}

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A bound of the series before it (e.g. its range over repeats): drawn thin in that series' colour. */
  bound?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  /**
   * spectrum: x is −log10(1 − p) (percentile axis); line: x numeric; bars: x are category indices;
   * log-line: x numeric on a log axis, ticks named by `categories` (one per x), e.g. data sizes.
   */
  kind: 'spectrum' | 'line' | 'bars' | 'log-line';
  xLabel: string;
  yLabel: string;
  x: number[];
  /** Category names for bars, one per x (bars take at most 2 series, drawn left/right of the tick). */
  categories?: string[];
  series: ChartSeries[];
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** JSON safe inside <script>: no `</script>`, no HTML comment openers. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function percentileLabel(x: number): string {
  const p = 100 * (1 - 10 ** -x);
  return `${Number(p.toFixed(4))}%`;
}

function cell(value: number | null): string {
  return value === null ? '—' : String(Number(value.toPrecision(4)));
}

/** A chart placeholder plus the table of the same numbers. */
export function chartFigure(spec: ChartSpec): string {
  const xHeader = escapeHtml(spec.xLabel);
  const head = `<tr><th scope="col">${xHeader}</th>${spec.series.map((s) => `<th scope="col">${escapeHtml(s.label)}</th>`).join('')}</tr>`;
  const body = spec.x
    .map((x, i) => {
      const label =
        spec.kind === 'bars' || spec.kind === 'log-line'
          ? (spec.categories?.[i] ?? String(x))
          : spec.kind === 'spectrum'
            ? percentileLabel(x)
            : cell(x);
      return `<tr><th scope="row">${escapeHtml(label)}</th>${spec.series.map((s) => `<td>${cell(s.values[i] ?? null)}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<figure class="chart">
<figcaption>${escapeHtml(spec.title)} <span class="unit">(${escapeHtml(spec.yLabel)})</span></figcaption>
<div class="plot" id="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(`${spec.title}; data in the table below`)}"></div>
<details class="data"><summary>Data table</summary><table class="num"><thead>${head}</thead><tbody>${body}</tbody></table></details>
</figure>`;
}

const STYLE = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--pass:#1a7f37;--fail:#cf222e;--skip:#9a6700}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:28px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
table.num td{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600;white-space:nowrap}.status.pass{color:var(--pass)}.status.fail{color:var(--fail)}.status.not-evaluated,.status.inconclusive{color:var(--skip)}
ul.dal-overhead li.over{color:var(--fail)}
.muted,.unit{color:var(--muted)}.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:12px}
figure.chart{margin:0;border:1px solid var(--line);padding:8px;break-inside:avoid}figcaption{font-weight:600}
details.data summary{cursor:pointer;color:var(--muted)}pre{white-space:pre-wrap;background:#f6f8fa;padding:8px;border:1px solid var(--line)}
@media print{body{max-width:none}details.data>table{display:table}.charts{display:block}figure.chart{margin-bottom:8px}a{color:inherit}}
`;

// Runs in the page: builds one uPlot per spec; marks each rendered chart for tests and people alike.
const INIT = `
(function(){
  var specs = JSON.parse(document.getElementById('dalbench-charts').textContent);
  var colours = ['#0969da','#cf222e','#1a7f37','#8250df','#bc4c00','#116329','#a40e26','#0550ae'];
  var dashes = [[], [6,4], [2,3], [10,3,2,3], [1,2], [8,2]];
  var markers = ['circle','square','triangle','diamond'];
  var pct = function(x){ var p = 100*(1-Math.pow(10,-x)); return (Math.round(p*10000)/10000)+'%'; };
  var rendered = [];
  specs.forEach(function(spec){
    var el = document.getElementById(spec.id); if(!el) return;
    var width = Math.max(320, Math.min(el.clientWidth || 560, 700));
    var series = [{ label: spec.xLabel, value: function(u,v){ return v==null?'—':(spec.kind==='spectrum'?pct(v):spec.kind==='bars'?(spec.categories[v]||v):spec.kind==='log-line'?(spec.categories[spec.x.indexOf(v)]||v):v); } }];
    var own = -1;
    spec.series.forEach(function(s,i){
      if (!s.bound || own < 0) own++;
      var colour = colours[own%colours.length];
      var o = s.bound
        ? { label: s.label, stroke: colour + '88', width: 1, dash: [2,3], points: { show: true, size: 4, fill: '#fff' } }
        : { label: s.label, stroke: colour, width: 2, dash: dashes[own%dashes.length],
            points: { show: spec.kind!=='bars', size: 6, fill: own%2 ? '#fff' : colour } };
      if (spec.kind==='bars') { o.fill = colours[i%colours.length] + (i%2 ? '55' : 'cc'); o.paths = uPlot.paths.bars({ size: [spec.series.length > 1 ? 0.35 : 0.6, 80], align: spec.series.length > 1 ? (i===0 ? -1 : 1) : 0 }); o.points = { show: false }; }
      series.push(o);
    });
    var axes = [{ label: spec.xLabel }, { label: spec.yLabel }];
    if (spec.kind==='spectrum') axes[0].values = function(u, splits){ return splits.map(pct); };
    // Every size gets its tick (uPlot's log axis would keep only 1-2-5 values), named by the nearest x.
    var nearest = function(v){ var best = -1, gap = Infinity; spec.x.forEach(function(x,i){ var d = Math.abs(Math.log(v) - Math.log(x)); if (d < gap) { gap = d; best = i; } }); return gap < 1e-3 ? best : -1; };
    if (spec.kind==='log-line') { axes[0].values = function(u, splits){ var names = splits.map(function(v){ var i = nearest(v); return i >= 0 ? spec.categories[i] : ''; }); el.setAttribute('data-x-ticks', names.filter(Boolean).join('|')); return names; }; axes[0].splits = function(){ return spec.x; }; axes[0].filter = function(u, splits){ return splits; }; }
    if (spec.kind==='bars') { axes[0].values = function(u, splits){ return splits.map(function(v){ return Number.isInteger(v) ? (spec.categories[v]||'') : ''; }); }; axes[0].splits = function(){ return spec.x; }; }
    var opts = { width: width, height: 260, series: series, axes: axes, legend: { live: true },
      scales: { x: spec.kind==='bars' ? { time:false, range:[-0.6, spec.x.length-0.4] } : spec.kind==='log-line' ? { time:false, distr:3, log:10, range: function(){ return [Math.min.apply(null, spec.x)/1.6, Math.max.apply(null, spec.x)*1.6]; } } : { time:false }, y: { range: function(u,min,max){ return [Math.min(0,min), max>0?max*1.1:1]; } } } };
    var data = [spec.x].concat(spec.series.map(function(s){ return s.values; }));
    var chart = new uPlot(opts, data, el);
    var points = spec.series.reduce(function(n,s){ return n + s.values.filter(function(v){ return v!=null; }).length; }, 0);
    el.setAttribute('data-rendered', String(points));
    rendered.push({ id: spec.id, series: chart.series.length - 1, points: points });
  });
  window.__dalbenchCharts = rendered;
  document.body.setAttribute('data-charts-rendered', String(rendered.length));
})();`;

export function htmlPage(title: string, body: string, charts: ChartSpec[], assets: ReportAssets): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${assets.uplotCss}</style><style>${STYLE}</style>
</head><body>
${body}
<script id="dalbench-charts" type="application/json">${inlineJson(charts)}</script>
<script>${assets.uplotJs}</script>
<script>${INIT}</script>
</body></html>
`;
}
