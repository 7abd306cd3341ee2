import type { MessageItem } from '../../core/store/chat-state.js';

/** Height assumed for a row never rendered, until some rows were measured. */
const DEFAULT_ROW_HEIGHT = 52;

/**
 * Vertical positions of a list of rows of varying height, for virtualization: row i spans
 * `offsets[i]`–`offsets[i + 1]`, prefix sums over `heights` kept in typed arrays, so that a
 * window of 100,000 items costs two Float64Arrays and O(log n) to find the row at a pixel.
 * Heights measured once are remembered by item id; rows never measured take the average of
 * those measured so far.
 */
export class RowLayout {
  items: readonly MessageItem[] = [];
  private heights = new Float64Array(0);
  private offsets = new Float64Array(1);
  private readonly measured = new Map<string, number>();
  private measuredTotal = 0;

  get count(): number {
    return this.items.length;
  }

  /** Height of all rows. */
  get total(): number {
    return this.offsets[this.items.length]!;
  }

  /** Top of row `index` (the total for `index === count`). */
  top(index: number): number {
    return this.offsets[index] ?? 0;
  }

  height(index: number): number {
    return this.heights[index] ?? 0;
  }

  /**
   * Lays out `items`: O(n). An item object already laid out (the store keeps unchanged items
   * as they are) keeps its height without a lookup, at its old index shifted by a page inserted
   * above; other items take their measured height, or the estimate.
   */
  setItems(items: readonly MessageItem[]): void {
    const n = items.length;
    const old = this.items;
    const oldHeights = this.heights;
    const estimate = this.measured.size > 0 ? this.measuredTotal / this.measured.size : DEFAULT_ROW_HEIGHT;
    const heights = new Float64Array(n);
    const offsets = new Float64Array(n + 1);
    // Where the old first item is now: 0 after an append, the page's length after a prepend.
    let shift = 0;
    if (old.length > 0 && items[0] !== old[0]) {
      const limit = Math.min(n, n - old.length + 64);
      for (let i = 1; i < limit; i++) {
        if (items[i] === old[0]) {
          shift = i;
          break;
        }
      }
    }
    let top = 0;
    for (let i = 0; i < n; i++) {
      const item = items[i]!;
      const j = i - shift;
      const height = j >= 0 && old[j] === item ? oldHeights[j]! : this.measured.get(item.id) ?? estimate;
      heights[i] = height;
      offsets[i] = top;
      top += height;
    }
    offsets[n] = top;
    this.items = items;
    this.heights = heights;
    this.offsets = offsets;
  }

  /** Takes measured heights (`[index, height]`) and re-sums offsets from the first one changed. */
  measure(entries: ReadonlyArray<readonly [number, number]>): void {
    let from = this.items.length;
    for (const [index, height] of entries) {
      const item = this.items[index];
      if (!item) continue;
      this.measuredTotal += height - (this.measured.get(item.id) ?? 0);
      this.measured.set(item.id, height);
      this.heights[index] = height;
      from = Math.min(from, index);
    }
    const { heights, offsets } = this;
    for (let i = from; i < this.items.length; i++) offsets[i + 1] = offsets[i]! + heights[i]!;
  }

  /** The first row whose bottom is below `y`; `count` when none. Binary search. */
  indexAt(y: number): number {
    const offsets = this.offsets;
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (offsets[mid + 1]! > y) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
