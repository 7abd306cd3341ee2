/** Resolves after the next animation frame. */
export const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/** Lets an element render, measure and re-render: a few frames with their updates. */
export async function settle(element: { updateComplete: Promise<unknown> }, frames = 4): Promise<void> {
  for (let i = 0; i < frames; i++) {
    await element.updateComplete;
    await nextFrame();
  }
  await element.updateComplete;
}
