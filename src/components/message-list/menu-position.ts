/** A rectangle in viewport pixels (a DOMRect fits; a point is a rectangle of no size). */
export interface Box {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface MenuPlacement {
  top: number;
  left: number;
  /** The menu opens above the anchor: there was not room enough below it. */
  above: boolean;
}

export interface PlacementOptions {
  /** `start`: the menu's left edge at the anchor's left; `end`: its right edge at the anchor's right. */
  align: 'start' | 'end';
  /** Space between the anchor and the menu. */
  gap?: number;
  /** Space kept free along the viewport's edges. */
  margin?: number;
}

/**
 * Where a menu of `size` goes for `anchor` in a viewport of `viewport`: below the anchor, or above
 * it when it does not fit below but does above (else on the roomier side, as far in as it goes);
 * aligned with the anchor's start or end, the other way round when that runs out of the viewport,
 * and kept inside the viewport either way.
 */
export function placeMenu(
  anchor: Box,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
  { align, gap = 4, margin = 8 }: PlacementOptions,
): MenuPlacement {
  const below = anchor.bottom + gap;
  const above = anchor.top - gap - size.height;
  const fitsBelow = below + size.height <= viewport.height - margin;
  const fitsAbove = above >= margin;
  const roomBelow = viewport.height - margin - below;
  const roomAbove = anchor.top - gap - margin;
  const goAbove = !fitsBelow && (fitsAbove || roomAbove > roomBelow);
  const top = clamp(goAbove ? above : below, margin, viewport.height - margin - size.height);

  const fromStart = anchor.left;
  const fromEnd = anchor.right - size.width;
  const fitsStart = fromStart + size.width <= viewport.width - margin;
  const fitsEnd = fromEnd >= margin;
  const preferred = align === 'start' ? (fitsStart || !fitsEnd ? fromStart : fromEnd) : (fitsEnd || !fitsStart ? fromEnd : fromStart);
  const left = clamp(preferred, margin, viewport.width - margin - size.width);
  return { top, left, above: goAbove };
}

/** `value` within [min, max]; `min` wins when the range is empty (a menu wider than the viewport starts at its edge). */
function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, max));
}
