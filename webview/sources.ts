// Source references as text plus an Open Source button. The path is shown, never turned into a link.
import type { SourceRef } from '../src/protocol/messages';
import { el } from './dom';

const KIND_TITLE: Record<SourceRef['kind'], string> = {
  nginx: 'nginx source',
  app: 'App source',
  'ingress-yaml': 'Ingress YAML',
  'nginx-conf': 'nginx config',
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

/** The path on one line: when it does not fit, it is cut at the start (CSS, right-to-left box), so the
 *  file name and line stay in view; the full text stays in the DOM and in the tooltip. */
function sourcePath(ref: SourceRef): HTMLElement {
  const full = refText(ref);
  return el('span', { class: 'kt-source-path', title: full }, el('code', { class: 'kt-source-path-text', text: full }));
}

/** A vscode-button labelled "Open Source"; `label` lets a list say which place it opens. */
export function openButton(onOpen: () => void, label = 'Open Source', secondary = false): HTMLElement {
  const b = el('vscode-button', { class: 'kt-open', text: label });
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
    openButton(() => onOpen(ref), 'Open Source', !main),
  );
}
