// The waterfall's input: keyboard navigation over rows, the time-axis brush (zoom), and the name-column splitter.
// Kept apart from rendering; the Waterfall passes in what each needs.

export interface KeyTarget {
  count: number;
  /** The active row. */
  at: number;
  /** Rows per page. */
  page: number;
  activate(row: number): void;
  isExpanded(row: number): boolean | undefined;
  toggle(row: number, want?: boolean): void;
  parentRow(row: number): number;
  enter(row: number): void;
  zoomBy(factor: number): void;
  resetZoom(): void;
}

/** Tree-view keys (arrows, Home/End, PageUp/Down, Enter) plus zoom (+, -, 0). Returns whether the key was used. */
export function handleKey(key: string, t: KeyTarget): boolean {
  const p = t.at;
  switch (key) {
    case 'ArrowDown':
      t.activate(Math.min(t.count - 1, p + 1));
      return true;
    case 'ArrowUp':
      t.activate(Math.max(0, p - 1));
      return true;
    case 'PageDown':
      t.activate(Math.min(t.count - 1, p + t.page));
      return true;
    case 'PageUp':
      t.activate(Math.max(0, p - t.page));
      return true;
    case 'Home':
      t.activate(0);
      return true;
    case 'End':
      t.activate(t.count - 1);
      return true;
    case 'ArrowRight': {
      const open = t.isExpanded(p);
      if (open === false) t.toggle(p, true);
      else if (open && p + 1 < t.count) t.activate(p + 1);
      return true;
    }
    case 'ArrowLeft': {
      if (t.isExpanded(p)) t.toggle(p, false);
      else {
        const q = t.parentRow(p);
        if (q >= 0) t.activate(q);
      }
      return true;
    }
    case 'Enter':
      t.enter(p);
      return true;
    case ' ':
      t.activate(p);
      return true;
    case '+':
    case '=':
      t.zoomBy(0.5);
      return true;
    case '-':
      t.zoomBy(2);
      return true;
    case '0':
      t.resetZoom();
      return true;
    default:
      return false;
  }
}

/** Dragging across the time axis selects a range to zoom into. */
export function attachBrush(
  axis: HTMLDivElement,
  brush: HTMLDivElement,
  w: { trackW(): number; range(): [number, number]; setZoom(z: [number, number]): void },
): void {
  let x0 = -1;
  const pos = (e: PointerEvent) => Math.max(0, Math.min(w.trackW(), e.clientX - axis.getBoundingClientRect().left));
  axis.addEventListener('pointerdown', (e) => {
    x0 = pos(e);
    axis.setPointerCapture(e.pointerId);
    brush.hidden = false;
    brush.style.left = `${x0}px`;
    brush.style.width = '0px';
  });
  axis.addEventListener('pointermove', (e) => {
    if (x0 < 0) return;
    const x = pos(e);
    brush.style.left = `${Math.min(x, x0)}px`;
    brush.style.width = `${Math.abs(x - x0)}px`;
  });
  const finish = (e: PointerEvent) => {
    if (x0 < 0) return;
    const x = pos(e);
    brush.hidden = true;
    const [a, b] = w.range();
    if (Math.abs(x - x0) > 4) {
      const ms = (px: number) => a + (px / w.trackW()) * (b - a);
      w.setZoom([ms(Math.min(x, x0)), ms(Math.max(x, x0))]);
    }
    x0 = -1;
  };
  axis.addEventListener('pointerup', finish);
  axis.addEventListener('pointercancel', () => {
    x0 = -1;
    brush.hidden = true;
  });
}

/** The splitter between span names and the time axis: drag, arrow keys (Shift for bigger steps), Home/Esc/double-click reset. */
export function attachSplitter(
  s: HTMLDivElement,
  w: { labelW(): number; setLabelWidth(px: number | undefined): void; changed(): void },
): void {
  let x0 = -1;
  let w0 = 0;
  s.addEventListener('pointerdown', (e) => {
    x0 = e.clientX;
    w0 = w.labelW();
    s.setPointerCapture(e.pointerId);
    s.classList.add('is-dragging');
    e.preventDefault();
  });
  s.addEventListener('pointermove', (e) => {
    if (x0 >= 0) w.setLabelWidth(w0 + e.clientX - x0);
  });
  const end = () => {
    if (x0 < 0) return;
    x0 = -1;
    s.classList.remove('is-dragging');
    w.changed();
  };
  s.addEventListener('pointerup', end);
  s.addEventListener('pointercancel', end);
  s.addEventListener('dblclick', () => {
    w.setLabelWidth(undefined);
    w.changed();
  });
  s.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 64 : 16;
    if (e.key === 'ArrowLeft') w.setLabelWidth(w.labelW() - step);
    else if (e.key === 'ArrowRight') w.setLabelWidth(w.labelW() + step);
    else if (e.key === 'Home' || e.key === 'Escape') w.setLabelWidth(undefined);
    else return;
    e.preventDefault();
    w.changed();
  });
}
