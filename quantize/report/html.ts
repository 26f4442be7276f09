// The quality report: one self-contained HTML page (inline SVG and CSS, no
// scripts, no network) comparing the float and int8 models.
import type { QuantizeResult } from '../quantize.js';

const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const kb = (n: number) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

function histogramSvg(h: ArrayLike<number>, lo: number, hi: number, clip: [number, number] | undefined, title: string): string {
  const W = 320, H = 90, bins = 64;
  const agg = new Float64Array(bins);
  const per = h.length / bins;
  for (let i = 0; i < h.length; i++) agg[Math.min(bins - 1, Math.floor(i / per))]! += h[i]!;
  const max = Math.max(1, ...agg);
  const bars = [...agg].map((v, i) => {
    const bh = v > 0 ? Math.max(1, (Math.log1p(v) / Math.log1p(max)) * (H - 20)) : 0;
    return `<rect x="${(i * W) / bins}" y="${H - 12 - bh}" width="${W / bins - 0.5}" height="${bh}" fill="#4a7fb5"/>`;
  });
  const xOf = (v: number) => ((v - lo) / (hi - lo || 1)) * W;
  const lines = clip
    ? clip.map((c) => `<line x1="${xOf(c)}" x2="${xOf(c)}" y1="0" y2="${H - 12}" stroke="#d9534f" stroke-width="1.5"/>`).join('')
    : '';
  return `<figure><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${bars.join('')}${lines}
<text x="0" y="${H - 1}" font-size="9">${fmt(lo, 3)}</text><text x="${W}" y="${H - 1}" font-size="9" text-anchor="end">${fmt(hi, 3)}</text></svg>
<figcaption>${esc(title)}</figcaption></figure>`;
}

function confusionSvg(m: number[][] | undefined, title: string): string {
  if (!m) return '';
  const n = m.length, c = 22, W = n * c + 30;
  const max = Math.max(1, ...m.flat());
  const cells = m.flatMap((row, i) =>
    row.map((v, j) => {
      const a = v ? 0.15 + 0.85 * Math.sqrt(v / max) : 0;
      const color = i === j ? `rgba(40,120,60,${a})` : `rgba(200,60,50,${a})`;
      return `<rect x="${30 + j * c}" y="${20 + i * c}" width="${c - 1}" height="${c - 1}" fill="${color}"/><text x="${30 + j * c + c / 2}" y="${20 + i * c + c / 2 + 3}" font-size="7" text-anchor="middle">${v || ''}</text>`;
    }),
  );
  const labels = m.map((_, i) => `<text x="24" y="${20 + i * c + c / 2 + 3}" font-size="8" text-anchor="end">${i}</text><text x="${30 + i * c + c / 2}" y="14" font-size="8" text-anchor="middle">${i}</text>`);
  return `<figure><svg viewBox="0 0 ${W} ${n * c + 24}" width="${W}" height="${n * c + 24}">${cells.join('')}${labels.join('')}</svg><figcaption>${esc(title)} (rows: true class, columns: predicted)</figcaption></figure>`;
}

function sqnrBars(r: QuantizeResult): string {
  const layers = [...r.layers].sort((a, b) => a.sqnrDb - b.sqnrDb);
  const W = 360, rowH = 16;
  const max = Math.max(40, ...layers.map((l) => Math.min(l.sqnrDb, 60)));
  const rows = layers.map((l, i) => {
    const w = (Math.max(0, Math.min(l.sqnrDb, 60)) / max) * (W - 150);
    const color = l.sqnrDb < 15 ? '#d9534f' : l.sqnrDb < 25 ? '#f0ad4e' : '#5cb85c';
    return `<text x="145" y="${i * rowH + 12}" font-size="10" text-anchor="end">${esc(l.name.slice(0, 24))}</text><rect x="150" y="${i * rowH + 3}" width="${w}" height="${rowH - 5}" fill="${color}"/><text x="${153 + w}" y="${i * rowH + 12}" font-size="9">${fmt(l.sqnrDb, 1)} dB</text>`;
  });
  return `<svg viewBox="0 0 ${W + 40} ${layers.length * rowH + 4}" width="${W + 40}" height="${layers.length * rowH + 4}">${rows.join('')}</svg>`;
}

function arenaSvg(r: QuantizeResult): string {
  const W = 600, H = 120;
  const ops = Math.max(1, r.ops.length);
  const total = Math.max(1, r.arenaBytes);
  const rects = r.arena.map((b, i) => {
    const x = (b.first / (ops + 1)) * W;
    const w = Math.max(2, ((b.last - b.first + 1) / (ops + 1)) * W);
    const y = (b.offset / total) * H;
    const h = Math.max(1, (b.bytes / total) * H);
    return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="hsl(${(i * 47) % 360},55%,60%)" stroke="#333" stroke-width="0.3"><title>${esc(b.tensors.join(', '))}: ${b.bytes} bytes at ${b.offset}, ops ${b.first}–${b.last}</title></rect>`;
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" style="border:1px solid #ccc">${rects.join('')}</svg><p class="small">Arena layout: x = op index (lifetime), y = byte offset (0 at top, ${r.arenaBytes} bytes at the bottom).</p>`;
}

export function writeReport(r: QuantizeResult): string {
  const d = r.details;
  const worst = [...r.layers].sort((a, b) => a.sqnrDb - b.sqnrDb);
  const layerRows = worst
    .map((l) => `<tr><td>${esc(l.name)}</td><td>${esc(l.op)}</td><td>${esc(l.dtype)}</td><td class="num">${fmt(l.sqnrDb, 1)}</td><td class="num">${fmt(l.cosine, 5)}</td><td class="num">${l.scale.toPrecision(4)} / ${l.zeroPoint}</td><td>${esc(l.suggestion ?? '')}</td></tr>`)
    .join('\n');
  const actHists = [...d.calibration.observers.entries()]
    .filter(([, o]) => o.hist)
    .map(([name, o]) => {
      const [lo, hi] = o.span();
      return histogramSvg(o.hist!, lo, hi, d.ranges.get(name), `activation ${name}: observed [${fmt(o.min, 3)}, ${fmt(o.max, 3)}], int8 range [${d.ranges.get(name)!.map((v) => fmt(v, 3)).join(', ')}]`);
    })
    .join('\n');
  const wHists = [...d.lowered.weightScales.entries()]
    .map(([name, scales]) => {
      const w = d.graph.tensors.get(name)?.data;
      if (!w) return '';
      let lo = Infinity, hi = -Infinity;
      for (const v of w) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const h = new Float64Array(256);
      for (const v of w) h[Math.min(255, Math.floor(((v - lo) / (hi - lo || 1)) * 256))]!++;
      const m = Math.max(...scales) * 127;
      return histogramSvg(h, lo, hi, [-m, m], `weights ${name}: ${w.length} values, ${scales.length} channel scale(s), widest range ±${fmt(m, 4)}`);
    })
    .join('\n');
  const metricName = r.float.metric;
  const pct = (v: number) => (metricName === 'mse' ? v.toPrecision(4) : `${(v * 100).toFixed(2)}%`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>minnow quantize report: ${esc(r.model)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.num{text-align:right;font-variant-numeric:tabular-nums}figure{display:inline-block;margin:.4em}figcaption{font-size:11px;max-width:340px}
.small{font-size:12px;color:#555}h2{border-bottom:1px solid #ddd;margin-top:1.6em}
</style></head><body>
<h1>Quantization report</h1>
<p>Model <code>${esc(r.model)}</code> → ${r.out ? `<code>${esc(r.out)}</code>` : 'in memory'}; calibration: ${r.calib.samples} samples of <code>${esc(r.calib.spec)}</code>, method <b>${esc(r.method)}</b>${r.perTensor ? ', per-tensor weights' : ', per-channel weights'}${r.int16.length ? `, int16 layers: ${esc(r.int16.join(', '))}` : ''}.</p>
<h2>Float against int8</h2>
<table><tr><th></th><th>float</th><th>int8</th></tr>
<tr><td>${esc(metricName)} (${r.eval.samples} samples of <code>${esc(r.eval.spec)}</code>)</td><td class="num">${pct(r.float.value)}</td><td class="num">${pct(r.int8.value)}</td></tr>
${r.int8.agreement !== undefined ? `<tr><td>top-1 agreement with float</td><td></td><td class="num">${(r.int8.agreement * 100).toFixed(2)}%</td></tr>` : ''}
<tr><td>size</td><td class="num">${kb(r.floatBytes)} (float32 weights)</td><td class="num">${kb(r.fileBytes)} (.mnw, ${((100 * r.fileBytes) / r.floatBytes).toFixed(1)}%)</td></tr>
<tr><td>arena (activations)</td><td></td><td class="num">${kb(r.arenaBytes)}</td></tr>
<tr><td>MACs per inference</td><td class="num" colspan="2">${r.macs.toLocaleString('en-US')}</td></tr>
<tr><td>latency (median, ${esc(r.build)})</td><td></td><td class="num">${fmt(r.latencyMs, 3)} ms</td></tr>
</table>
${r.eval.note ? `<p class="small">Note: ${esc(r.eval.note)}</p>` : ''}
${confusionSvg(r.float.confusion, 'float confusion matrix')}${confusionSvg(r.int8.confusion, 'int8 confusion matrix')}
<h2>Per layer, worst first</h2>
${sqnrBars(r)}
<table><tr><th>layer</th><th>op</th><th>type</th><th>SQNR dB</th><th>cosine</th><th>scale / zero point</th><th>suggested fix</th></tr>
${layerRows}</table>
<p class="small">SQNR = 10·log10(Σ float² / Σ (float − int8)²) of each layer's output over the comparison samples; the int8 model runs in the reference interpreter (bit-identical to the runtime). Folded: ${esc(r.passes.folded.join('; ') || 'none')}. Fused: ${esc(r.passes.fused.join('; ') || 'none')}.</p>
<h2>Memory</h2>
${arenaSvg(r)}
<h2>Activation histograms and chosen ranges</h2>
<p class="small">Log-scaled counts over the calibration data; red lines: the int8 range.</p>
${actHists || '<p class="small">(no histograms collected)</p>'}
<h2>Weight histograms</h2>
<p class="small">Red lines: ±127 × the largest channel scale.</p>
${wHists}
<h2>Ops</h2>
<table><tr><th>#</th><th>op</th><th>layer</th></tr>${r.ops.map((o, i) => `<tr><td>${i}</td><td>${esc(o.op)}</td><td>${esc(o.name)}</td></tr>`).join('')}</table>
</body></html>
`;
}
