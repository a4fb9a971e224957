// SVG and canvas helpers for the request-set charts. SVG is built through the DOM with numeric geometry and class
// names only (colours come from the stylesheet's theme variables); text goes in as textContent.
import { visible } from './dom';

const NS = 'http://www.w3.org/2000/svg';
const SVG_ATTR = /^(x|y|x1|x2|y1|y2|width|height|viewBox|class|role|aria-label|aria-hidden|text-anchor|r|cx|cy)$/;

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (!SVG_ATTR.test(k)) throw new Error(`refusing SVG attribute ${k}`);
    e.setAttribute(k, typeof v === 'number' ? String(Math.round(v * 100) / 100) : visible(v));
  }
  if (text !== undefined) e.textContent = visible(text);
  return e;
}

/** A tooltip on an SVG shape. */
export function tip(e: SVGElement, text: string): void {
  e.appendChild(svg('title', {}, text));
}

/** Ticks for a log axis between lo and hi (> 0): 1, 2, 5 × 10^n, thinned to about `target`. */
export function logTicks(lo: number, hi: number, target = 8): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  if (out.length <= target) return out;
  const decades = out.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
  return decades.length >= 2 ? decades : out.filter((_, i) => i % Math.ceil(out.length / target) === 0);
}

/** A colour the stylesheet gives `--name` on `e` (theme variables resolved), for drawing on a canvas. */
export function cssColour(e: Element, name: string, fallback: string): string {
  return getComputedStyle(e).getPropertyValue(name).trim() || fallback;
}

/** Calls `draw(width)` now and whenever the element's width changes. */
export function onWidth(e: HTMLElement, draw: (width: number) => void): ResizeObserver {
  let last = -1;
  const ro = new ResizeObserver(() => {
    const w = Math.floor(e.clientWidth);
    if (w > 0 && w !== last) {
      last = w;
      draw(w);
    }
  });
  ro.observe(e);
  return ro;
}
