// The filter row above the waterfall: search box, layer toggles (which double as the colour legend),
// the critical-path/error legend, and zoom buttons.
import type { Layer } from '../src/protocol/messages';
import { el } from './dom';
import { icon } from './icons';
import { LAYER_ORDER, LAYER_TITLE } from './model';

export interface ToolbarEvents {
  query(text: string): void;
  toggleLayer(layer: Layer): void;
  zoom(kind: 'in' | 'out' | 'reset'): void;
}

export class Toolbar {
  readonly root: HTMLElement;
  /** Zoom buttons and range; the waterfall shows them in its header, above the span names. */
  readonly zoomGroup: HTMLElement;
  readonly input: HTMLElement & { value: string };
  private readonly count: HTMLElement;
  private readonly zoomText: HTMLElement;
  private readonly toggles = new Map<Layer, HTMLButtonElement>();
  private debounce: ReturnType<typeof setTimeout> | undefined;

  constructor(ev: ToolbarEvents) {
    this.input = el('vscode-textfield', {
      class: 'kt-filter',
      attrs: {
        placeholder: 'Filter spans',
        'aria-label': 'Filter spans by name, service or attribute',
        type: 'search',
      },
      title: 'Filter by name, service or attribute (press / to focus)',
    }) as HTMLElement & { value: string };
    this.input.appendChild(el('span', { class: 'kt-filter-icon', attrs: { slot: 'content-before' } }, icon('search')));
    this.input.addEventListener('input', () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => ev.query(this.input.value ?? ''), 120);
    });
    this.count = el('span', { class: 'kt-count', attrs: { 'aria-live': 'polite' } });
    const layers = el('div', {
      class: 'kt-layer-toggles',
      role: 'group',
      attrs: { 'aria-label': 'Layers shown (colour legend)' },
    });
    for (const layer of LAYER_ORDER) {
      const b = el(
        'button',
        { class: `kt-chip layer-${layer}`, title: `Show or hide the ${LAYER_TITLE[layer]} layer` },
        el('span', { class: 'wf-swatch' }),
        el('span', { text: LAYER_TITLE[layer] }),
      );
      b.type = 'button';
      b.setAttribute('aria-pressed', 'true');
      b.addEventListener('click', () => ev.toggleLayer(layer));
      this.toggles.set(layer, b);
      layers.appendChild(b);
    }
    const legend = el(
      'div',
      { class: 'kt-legend', attrs: { 'aria-label': 'Legend' } },
      el('span', { class: 'kt-legend-item' }, icon('flame', 'wf-flag-critical'), el('span', { text: 'critical path' })),
      el('span', { class: 'kt-legend-item' }, icon('error', 'wf-flag-error'), el('span', { text: 'error' })),
    );
    const zb = (label: string, aria: string, kind: 'in' | 'out' | 'reset') => {
      const b = el('button', { class: 'kt-tool', text: label, title: aria, attrs: { 'aria-label': aria } });
      b.type = 'button';
      b.addEventListener('click', () => ev.zoom(kind));
      return b;
    };
    this.zoomText = el('span', { class: 'kt-zoom-text' });
    this.zoomGroup = el(
      'div',
      { class: 'kt-zoom', role: 'group', attrs: { 'aria-label': 'Zoom' } },
      this.zoomText,
      zb('−', 'Zoom out (-)', 'out'),
      zb('+', 'Zoom in (+)', 'in'),
      zb('Reset', 'Reset zoom (0)', 'reset'),
    );
    this.root = el('div', { class: 'kt-toolbar' }, this.input, this.count, layers, legend);
  }

  setQuery(q: string): void {
    this.input.value = q;
  }

  update(o: {
    matches: number;
    total: number;
    query: string;
    hidden: ReadonlySet<Layer>;
    present: ReadonlySet<Layer>;
    zoomText: string;
  }): void {
    this.count.textContent =
      o.query.trim() || o.hidden.size
        ? `${o.matches.toLocaleString('en-US')} of ${o.total.toLocaleString('en-US')} spans`
        : `${o.total.toLocaleString('en-US')} spans`;
    for (const [layer, b] of this.toggles) {
      b.setAttribute('aria-pressed', String(!o.hidden.has(layer)));
      b.hidden = !o.present.has(layer);
    }
    this.zoomText.textContent = o.zoomText;
  }
}
