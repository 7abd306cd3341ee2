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
