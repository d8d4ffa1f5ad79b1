/** Building DOM without a framework: `h('button', {type: 'button', onclick}, 'Go')`. Text is always text, never HTML. */
export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An HTML element with attributes (`on…` functions become listeners; `true` is a bare attribute) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, built the same way. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.flatMap(toNode));
}

function fill<E extends Element>(el: E, attrs: Attrs, children: readonly Child[]): E {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children.flatMap(toNode));
  return el;
}

function toNode(c: Child): Array<Node | string> {
  if (c === null || c === undefined || c === false) return [];
  return [typeof c === 'number' ? String(c) : c];
}
