// DOM helpers. Data only ever becomes text (textContent) or a checked attribute value; there is no
// innerHTML anywhere in the webview, so names or attributes holding markup stay literal text.

type Child = Node | string | null | undefined | false;

// Control characters in names and attributes (an escape sequence a hostile backend put in a span name) are shown
// as visible escapes, e.g. "\x1b[2J", rather than passed on invisibly or dropped: the user sees what was sent.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const escapeOf = (c: string) => {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16)}`;
};

/** The text with control characters (C0 but tab and newline, DEL, C1, bidi overrides) as visible escapes. */
export const visible = (s: string): string => (HAS_CONTROL.test(s) ? s.replace(CONTROLS, escapeOf) : s);

export interface Props {
  class?: string;
  text?: string;
  title?: string;
  id?: string;
  role?: string;
  tabIndex?: number;
  attrs?: Record<string, string>;
}

/** Attributes a caller may set from data: anything that could run or navigate is refused. */
const SAFE_ATTR = new RegExp(
  '^(aria-[a-z-]+|data-[a-z-]+|role|type|value|label|heading|description|placeholder|disabled|' +
    'checked|open|secondary|name|for|colspan|scope|hidden|tabindex|slot|id|title|panel|max|' +
    'indeterminate|variant)$',
);

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function el(tag: string, props?: Props, ...children: Child[]): HTMLElement;
export function el(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.text !== undefined) e.textContent = visible(props.text);
  if (props.title !== undefined) e.title = visible(props.title);
  if (props.id) e.id = props.id;
  if (props.role) e.setAttribute('role', props.role);
  if (props.tabIndex !== undefined) e.tabIndex = props.tabIndex;
  for (const [k, v] of Object.entries(props.attrs ?? {})) setAttr(e, k, v);
  append(e, ...children);
  return e;
}

export function setAttr(e: Element, name: string, value: string): void {
  if (!SAFE_ATTR.test(name)) throw new Error(`refusing attribute ${name}`);
  e.setAttribute(name, visible(value));
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(visible(c)) : c);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export function replaceChildren(node: Element, ...children: Child[]): void {
  clear(node);
  append(node, ...children);
}

/** A plain button; the label is text. */
export function button(label: string, onClick: (ev: MouseEvent) => void, props: Props = {}): HTMLButtonElement {
  const b = el('button', { ...props, text: label });
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
