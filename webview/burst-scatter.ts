// Requests over time: x = start, y = duration (log scale on request), one point per request on a canvas, so
// thousands of points cost one draw. A click opens the nearest request's trace; the list beside it holds the same
// requests slowest first for the keyboard (Enter opens), and the active one is ringed on the canvas.
import type { BurstReport, RequestSummary } from '../src/protocol/messages';
import { el } from './dom';
import { formatDuration, formatTick, niceStep, ticks } from './format';
import { VirtualTable } from './burst-table';
import { baseMs, bySlowest, isError, msFrom } from './burst-model';
import { cssColour, logTicks, onWidth } from './burst-svg';

const H = 230;
const PAD = { left: 56, right: 14, top: 12, bottom: 28 };
const HIT_PX = 10;

export interface ScatterEvents {
  open(traceId: string): void;
}

export function describeRequest(p: RequestSummary): string {
  const status = p.status === undefined ? 'no response' : String(p.status);
  return `${formatDuration(p.durationMs)} · ${status} · ${p.method ?? ''} ${p.path ?? ''}`.replace(/\s+/g, ' ').trim();
}

export class Scatter {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly list: VirtualTable<number>;
  private report: BurstReport | undefined;
  private xs = new Float64Array(0);
  private ys = new Float64Array(0);
  private base = 0;
  private width = 600;
  private logY = false;
  private ring = -1;
  private extent = { maxX: 1, maxY: 1, minY: 1e-3 };

  constructor(private readonly ev: ScatterEvents) {
    this.canvas = el('canvas', {
      class: 'kt-scatter-canvas',
      role: 'img',
      attrs: {
        'aria-label': 'Requests over time: start on the x axis, duration on the y axis. Click a point to open it.',
      },
    });
    const logBox = el('input', { attrs: { type: 'checkbox', id: 'kt-scatter-log' } });
    logBox.addEventListener('change', () => {
      this.logY = logBox.checked;
      this.draw();
    });
    const controls = el(
      'div',
      { class: 'kt-scatter-controls' },
      el('label', { attrs: { for: 'kt-scatter-log' } }, logBox, ' Log scale (duration)'),
    );
    this.list = new VirtualTable<number>({
      label: 'Requests, slowest first',
      visibleRows: 8,
      columns: [
        { title: 'Duration', width: '92px', num: true, text: (i) => formatDuration(this.req(i).durationMs) },
        {
          title: 'Status',
          width: '64px',
          text: (i) => String(this.req(i).status ?? '—'),
          cls: (i) => (isError(this.req(i)) ? 'is-error' : ''),
        },
        {
          title: 'Request',
          width: 'minmax(0, 1fr)',
          text: (i) => `${this.req(i).method ?? ''} ${this.req(i).path ?? ''}`.trim(),
        },
        { title: 'Pod', width: 'minmax(0, 0.8fr)', text: (i) => this.req(i).pod ?? '' },
      ],
      enter: (i) => this.ev.open(this.req(i).traceId),
      active: (i) => {
        this.ring = i ?? -1;
        this.draw();
      },
      rowTitle: (i) => `${describeRequest(this.req(i))} — Enter opens its trace`,
    });
    const plot = el('div', { class: 'kt-scatter-plot' }, this.canvas);
    this.root = el('div', { class: 'kt-scatter' }, controls, plot, this.list.root);
    this.canvas.addEventListener('click', (e) => {
      const i = this.hit(e);
      if (i >= 0) this.ev.open(this.req(i).traceId);
    });
    this.canvas.addEventListener('mousemove', (e) => {
      const i = this.hit(e);
      this.canvas.title = i >= 0 ? `${describeRequest(this.req(i))} — click to open its trace` : '';
      this.canvas.classList.toggle('is-pointing', i >= 0);
    });
    onWidth(plot, (w) => {
      this.width = w;
      this.draw();
    });
  }

  private req(i: number): RequestSummary {
    return this.report!.probes[i];
  }

  setReport(r: BurstReport): void {
    this.report = r;
    this.base = baseMs(r.probes);
    this.xs = Float64Array.from(r.probes, (p) => msFrom(p.startUnixNano, this.base));
    this.ys = Float64Array.from(r.probes, (p) => p.durationMs);
    this.ring = -1;
    // Loops, not Math.max(...list): a spread of 200,000 arguments overflows the stack.
    let maxX = 1,
      maxY = 1e-3,
      minPos = Infinity;
    for (let i = 0; i < this.xs.length; i++) {
      maxX = Math.max(maxX, this.xs[i]);
      maxY = Math.max(maxY, this.ys[i]);
      if (this.ys[i] > 0) minPos = Math.min(minPos, this.ys[i]);
    }
    this.extent = { maxX, maxY, minY: Math.max(1e-3, Math.min(maxY / 10, minPos)) };
    const shown =
      r.probes.length < r.requests
        ? `${r.probes.length.toLocaleString('en-US')} of ${r.requests.toLocaleString('en-US')} requests are listed.`
        : '';
    this.list.setRows(bySlowest(r.probes), shown);
    this.draw();
  }

  /** The point (request index) under a mouse event, within HIT_PX. */
  private hit(e: MouseEvent): number {
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    const { x, y } = this.scales();
    let best = -1;
    let bestD = HIT_PX * HIT_PX;
    for (let i = 0; i < this.xs.length; i++) {
      const dx = x(this.xs[i]) - mx;
      const dy = y(this.ys[i]) - my;
      const d = dx * dx + dy * dy;
      // Ties go to the slower request: the one a user aiming at the top of a cluster means.
      if (d < bestD || (d === bestD && best >= 0 && this.ys[i] > this.ys[best])) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  private scales() {
    const { maxX, maxY, minY } = this.extent;
    const plotW = Math.max(40, this.width - PAD.left - PAD.right);
    const plotH = H - PAD.top - PAD.bottom;
    const x = (ms: number) => PAD.left + (ms / maxX) * plotW;
    const y = this.logY
      ? (ms: number) =>
          PAD.top + plotH - ((Math.log10(Math.max(ms, minY)) - Math.log10(minY)) / Math.log10(maxY / minY)) * plotH
      : (ms: number) => PAD.top + plotH - (ms / maxY) * plotH;
    return { x, y, maxX, maxY, minY, plotW, plotH };
  }

  draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    c.width = Math.round(this.width * dpr);
    c.height = Math.round(H * dpr);
    c.style.width = `${this.width}px`;
    c.style.height = `${H}px`;
    const g = c.getContext('2d');
    if (!g || !this.report) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const s = this.scales();
    const fg = cssColour(c, '--kt-chart-text', '#9d9d9d');
    const grid = cssColour(c, '--kt-chart-grid', 'rgba(128,128,128,0.25)');
    g.font = `11px ${getComputedStyle(c).fontFamily}`;
    g.fillStyle = fg;
    g.strokeStyle = grid;
    g.lineWidth = 1;
    g.textAlign = 'right';
    const yt = this.logY ? logTicks(s.minY, s.maxY, 6) : ticks(0, s.maxY, 5);
    const ystep = this.logY ? 1 : niceStep(s.maxY, 5);
    for (const t of yt) {
      const py = Math.round(s.y(t)) + 0.5;
      g.beginPath();
      g.moveTo(PAD.left, py);
      g.lineTo(PAD.left + s.plotW, py);
      g.stroke();
      g.fillText(formatTick(t, this.logY ? t : ystep), PAD.left - 6, py + 4);
    }
    g.textAlign = 'center';
    const xstep = niceStep(s.maxX, 6);
    for (const t of ticks(0, s.maxX, 6)) g.fillText(formatTick(t, xstep), s.x(t), H - 8);
    const ok = cssColour(c, '--kt-point', '#3794ff');
    const bad = cssColour(c, '--kt-point-error', '#f85149');
    for (const [colour, want] of [
      [ok, false],
      [bad, true],
    ] as const) {
      g.fillStyle = colour;
      this.report.probes.forEach((p, i) => {
        if (isError(p) === want) g.fillRect(s.x(this.xs[i]) - 2, s.y(this.ys[i]) - 2, 4, 4);
      });
    }
    if (this.ring >= 0 && this.ring < this.xs.length) {
      g.strokeStyle = cssColour(c, '--kt-point-ring', '#ffffff');
      g.lineWidth = 2;
      g.beginPath();
      g.arc(s.x(this.xs[this.ring]), s.y(this.ys[this.ring]), 7, 0, Math.PI * 2);
      g.stroke();
    }
  }
}
