// What a person sees: an element that is rendered, has a size, lies inside the viewport and is
// what a pointer at its centre would hit — not merely present in the DOM.
import { expect } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';

/** The box of `element`, asserted non-empty and inside the viewport. */
export function boxInViewport(element: Element, what: string): DOMRect {
  const box = element.getBoundingClientRect();
  expect(box.width, `${what}: width`).to.be.above(0);
  expect(box.height, `${what}: height`).to.be.above(0);
  expect(box.left, `${what}: left edge inside the viewport`).to.be.at.least(0);
  expect(box.top, `${what}: top edge inside the viewport`).to.be.at.least(0);
  expect(box.right, `${what}: right edge inside the viewport`).to.be.at.most(innerWidth + 0.5);
  expect(box.bottom, `${what}: bottom edge inside the viewport`).to.be.at.most(innerHeight + 0.5);
  return box;
}

/** True when a pointer at the centre of `element` lands on it (or on something inside it). */
export function hitAtCentre(element: Element): boolean {
  const box = element.getBoundingClientRect();
  const root = element.getRootNode() as Document | ShadowRoot;
  const hit = root.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return hit !== null && (hit === element || element.contains(hit));
}

/** Asserts that `element` is visible: rendered, sized, in the viewport, and on top at its centre. */
export function expectSeen(element: Element | null | undefined, what: string): void {
  expect(element, what).to.be.instanceOf(Element);
  expect(element!.checkVisibility({ opacityProperty: true, visibilityProperty: true }), `${what}: rendered and visible`).to.equal(true);
  boxInViewport(element!, what);
  expect(hitAtCentre(element!), `${what}: on top at its centre`).to.equal(true);
}

/** Whether `element` is rendered and visible at all (false for display: none, hidden, an empty box). */
export function isShown(element: Element | null | undefined): boolean {
  if (!element?.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}

/** Resolves once `check` holds, re-checked after each animation frame (renders land between frames). */
export async function untilShown<T>(check: () => T | undefined | null | false): Promise<T> {
  for (;;) {
    const value = check();
    if (value) return value;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

/** The element a pointer at (x, y) reaches, looking into open shadow roots. */
export function hitAt(x: number, y: number): Element | null {
  let element = document.elementFromPoint(x, y);
  while (element?.shadowRoot) {
    const inner = element.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === element) break;
    element = inner;
  }
  return element;
}

/** Clicks with the mouse at the centre of `element`, as a person would (pointerdown, mousedown, click). */
export async function clickOn(element: Element): Promise<void> {
  const box = element.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)] });
}

/**
 * sRGB channels (0–255) of a computed colour: `rgb()` / `rgba()`, or `color(srgb …)`, which is how
 * getComputedStyle gives a `color-mix()`.
 */
export function channels(color: string): [number, number, number] {
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(color);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const srgb = /^color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(color);
  if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255];
  throw new Error(`not an sRGB colour: ${color}`);
}

/** The first opaque background behind `element`, through shadow roots to their hosts (white, the page's, if none). */
export function backgroundBehind(element: Element): string {
  for (let at: Element | null = element; at; at = at.parentElement ?? ((at.getRootNode() as ShadowRoot).host ?? null)) {
    const background = getComputedStyle(at).backgroundColor;
    if (background !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(background)) return background;
  }
  return 'rgb(255, 255, 255)';
}
/** WCAG 2 contrast ratio of two opaque colours. */
export function contrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, b] = channels(color).map((value) => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
