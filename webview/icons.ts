// Small inline SVG icons built through the DOM (no icon font, no markup strings), so they need no
// font-src and look the same in every theme: they draw in currentColor.
const NS = 'http://www.w3.org/2000/svg';

const PATHS = {
  chevronRight: 'M6 4l4 4-4 4',
  chevronDown: 'M4 6l4 4 4-4',
  error: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM5.5 5.5l5 5M10.5 5.5l-5 5',
  warning: 'M8 1.8L15 14H1L8 1.8zM8 6v4M8 11.6v.4',
  info: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM8 7v4.5M8 4.6v.4',
  file: 'M4 1.5h5l3 3v10H4zM9 1.5v3h3',
  flame: 'M8 1.5c1 2.5 4 4 4 7.5a4 4 0 0 1-8 0c0-1.6.8-2.6 1.6-3.4.2 1.2.8 1.9 1.4 2.2C7 6 7.2 3.8 8 1.5z',
  search: 'M6.5 2a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9zM10 10l4 4',
  check: 'M3 8.5l3 3 7-7',
  history: 'M2.5 8a5.5 5.5 0 1 0 1.6-3.9M2.5 2v3h3M8 5v3.3l2.2 1.4',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, cls = ''): SVGSVGElement {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `kt-icon kt-icon-${name}${cls ? ` ${cls}` : ''}`);
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', PATHS[name]);
  svg.appendChild(path);
  return svg;
}
