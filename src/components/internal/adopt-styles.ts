import type { CSSResult } from 'lit';

const adopted = new WeakMap<ShadowRoot, Set<CSSResult>>();

/**
 * Adds `styles` to an element's shadow root, once: the styles of a part drawn by a lazy chunk,
 * which the element's own static styles do not hold. A constructed sheet beside the element's
 * (a `<style>` first in the root where those are missing, with Lit's nonce).
 */
export function adoptStyles(root: ShadowRoot, styles: CSSResult): void {
  let done = adopted.get(root);
  if (!done) adopted.set(root, (done = new Set()));
  if (done.has(styles)) return;
  done.add(styles);
  const sheet = styles.styleSheet;
  if (sheet && root.adoptedStyleSheets) {
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement('style');
  const nonce = (globalThis as { litNonce?: string }).litNonce;
  if (nonce) style.setAttribute('nonce', nonce);
  style.textContent = styles.cssText;
  // Before what Lit renders: nothing it clears.
  root.prepend(style);
}
