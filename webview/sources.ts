// Source references as text plus an Open Source button. The path is shown, never turned into a link.
import type { SourceRef } from '../src/protocol/messages';
import { el } from './dom';

const KIND_TITLE: Record<SourceRef['kind'], string> = {
  nginx: 'nginx source',
  app: 'App source',
  'ingress-yaml': 'Ingress YAML',
  'nginx-conf': 'nginx config',
  haproxy: 'HAProxy source',
};

export function refText(ref: SourceRef): string {
  const file = ref.path;
  const lines =
    ref.line === undefined
      ? ''
      : ref.endLine !== undefined && ref.endLine !== ref.line
        ? `:${ref.line}-${ref.endLine}`
        : `:${ref.line}`;
  return `${file}${lines}`;
}

export function shortRefText(ref: SourceRef): string {
  const base = ref.path.split(/[\\/]/).pop() || ref.path;
  return `${base}${ref.line === undefined ? '' : `:${ref.line}`}`;
}

/** A place split for display: the file name and line first, then the folder it is in. */
export function splitRef(ref: SourceRef): { file: string; dir: string } {
  const full = refText(ref);
  const cut = Math.max(ref.path.lastIndexOf('/'), ref.path.lastIndexOf('\\'));
  return { file: full.slice(cut + 1), dir: cut > 0 ? ref.path.slice(0, cut + 1) : '' };
}

/** "server.js:21 — services/orders/src/": the file name and line never shrink, the folder is cut at its end
 *  when the line is short, so two files of the same name in different folders still read differently from the
 *  left. The full path stays in the tooltip. */
function sourcePath(ref: SourceRef): HTMLElement {
  const { file, dir } = splitRef(ref);
  return el(
    'span',
    { class: 'kt-source-path', title: refText(ref) },
    el('code', { class: 'kt-source-file', text: file }),
    // A no-break space: a flex item's leading space would collapse.
    dir ? el('span', { class: 'kt-source-dir', text: `\u00a0— ${dir}` }) : null,
  );
}

/** A vscode-button labelled "Open Source"; `label` lets a list say which place it opens. */
export function openButton(onOpen: () => void, label = 'Open Source', secondary = false, title?: string): HTMLElement {
  const b = el('vscode-button', { class: 'kt-open', text: label, title });
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onOpen();
  });
  return b;
}

export function sourceItem(ref: SourceRef, main: boolean, onOpen: (ref: SourceRef) => void): HTMLElement {
  return el(
    'li',
    { class: 'kt-source' },
    el(
      'div',
      { class: 'kt-source-text' },
      el('span', { class: 'kt-source-kind', text: `${main ? 'Main · ' : ''}${KIND_TITLE[ref.kind]}` }),
      sourcePath(ref),
      ref.function ? el('span', { class: 'kt-source-fn', text: ref.function }) : null,
    ),
    openButton(() => onOpen(ref), 'Open Source', !main, `Open ${refText(ref)}`),
  );
}
