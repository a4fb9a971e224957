// One stacked bar per percentile (p50, p90, p99, max) of the whole request, split by layer: each layer's part is its
// own time at that percentile (LayerStats), so the colours show which layer grows in the tail. Bars are divs sized
// through CSSOM, coloured by the layer classes the waterfall uses.
import type { BurstReport } from '../src/protocol/messages';
import { el } from './dom';
import { formatDuration } from './format';
import { LAYER_TITLE } from './model';
import { PERCENTILES, layerAt, wholePercentiles } from './burst-model';

export function renderBars(r: BurstReport): HTMLElement {
  const whole = wholePercentiles(r);
  const longest = Math.max(1e-9, ...PERCENTILES.map((p) => whole[p]));
  const rows = PERCENTILES.map((p) => {
    const parts = layerAt(r.layers, p).filter((x) => x.ms > 0);
    const sum = parts.reduce((a, x) => a + x.ms, 0);
    const track = el('div', { class: 'kt-pbar-track' });
    const bar = el('div', { class: 'kt-pbar' });
    bar.style.width = `${Math.max(0.5, (whole[p] / longest) * 100)}%`;
    // No layer breakdown in the report: the whole request as one neutral bar.
    if (!parts.length)
      bar.appendChild(el('div', { class: 'kt-pbar-seg kt-pbar-whole', title: `${p} of the whole request` }));
    for (const x of parts) {
      const seg = el('div', {
        class: `kt-pbar-seg layer-${x.layer}`,
        title: `${LAYER_TITLE[x.layer]}: ${formatDuration(x.ms)} own time at ${p}`,
      });
      seg.style.width = `${(x.ms / sum) * 100}%`;
      bar.appendChild(seg);
    }
    track.appendChild(bar);
    const text = parts.map((x) => `${LAYER_TITLE[x.layer]} ${formatDuration(x.ms)}`).join(', ');
    return el(
      'div',
      { class: 'kt-pbar-row', role: 'listitem', attrs: { 'aria-label': `${p} ${formatDuration(whole[p])}: ${text}` } },
      el('span', { class: 'kt-pbar-label', text: p }),
      track,
      el('span', { class: 'kt-pbar-value', text: formatDuration(whole[p]) }),
    );
  });
  const legend = el(
    'div',
    { class: 'kt-pbar-legend', attrs: { 'aria-hidden': 'true' } },
    ...r.layers.map((l) =>
      el(
        'span',
        { class: `kt-legend-item layer-${l.layer}` },
        el('span', { class: 'wf-swatch' }),
        el('span', { text: `${LAYER_TITLE[l.layer]} ${Math.round(l.share * 100)}%` }),
      ),
    ),
  );
  return el(
    'div',
    { class: 'kt-pbars' },
    el('div', { role: 'list', attrs: { 'aria-label': 'Percentiles by layer' } }, ...rows),
    legend,
  );
}
