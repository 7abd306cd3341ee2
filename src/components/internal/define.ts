/**
 * Registers a custom element where custom elements exist (not during server-side rendering),
 * and tolerates a second registration: a page may load the widget twice (two bundles, a
 * hot reload). The same class is fine; a different one keeps the first and warns.
 */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  const registry = (globalThis as { customElements?: CustomElementRegistry }).customElements;
  if (!registry) return;
  const existing = registry.get(tag);
  if (!existing) {
    registry.define(tag, element);
  } else if (existing !== element) {
    console.warn(`<${tag}> is already defined by another copy of im-widget; keeping the first one.`);
  }
}
