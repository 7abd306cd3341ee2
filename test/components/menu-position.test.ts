// placeMenu: below or above its anchor, aligned with it, always inside the viewport.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placeMenu } from '../../src/components/message-list/menu-position.js';

const viewport = { width: 800, height: 600 };
const size = { width: 150, height: 140 };
const box = (left: number, top: number, width = 28, height = 28) => ({ left, top, right: left + width, bottom: top + height });
const point = (x: number, y: number) => box(x, y, 0, 0);

describe('placeMenu', () => {
  it('opens below the anchor, its start at the anchor\'s start', () => {
    assert.deepEqual(placeMenu(box(100, 100), size, viewport, { align: 'start' }), { top: 132, left: 100, above: false });
  });

  it('aligned to the end: its right edge at the anchor\'s right', () => {
    assert.deepEqual(placeMenu(box(400, 100), size, viewport, { align: 'end' }), { top: 132, left: 278, above: false });
  });

  it('flips above when there is no room below, but room above', () => {
    assert.deepEqual(placeMenu(box(100, 500), size, viewport, { align: 'start' }), { top: 356, left: 100, above: true });
  });

  it('stays below when it just fits there', () => {
    // 428 + 4 + 140 = 572 ≤ 600 − 8.
    assert.equal(placeMenu(box(100, 400), size, viewport, { align: 'start' }).above, false);
    assert.equal(placeMenu(box(100, 430), size, viewport, { align: 'start' }).above, true);
  });

  it('with room on neither side: on the roomier one, inside the viewport', () => {
    const small = { width: 800, height: 200 };
    const high = placeMenu(box(10, 60), size, small, { align: 'start' });
    assert.equal(high.above, false);
    assert.equal(high.top, 200 - 8 - 140);
    const low = placeMenu(box(10, 120), size, small, { align: 'start' });
    assert.equal(low.above, true);
    assert.equal(low.top, 8);
  });

  it('turns to the other side horizontally when the preferred one runs out of the viewport', () => {
    assert.equal(placeMenu(box(700, 100), size, viewport, { align: 'start' }).left, 728 - 150);
    assert.equal(placeMenu(box(20, 100), size, viewport, { align: 'end' }).left, 20);
  });

  it('at a point: from the point, or up and to the left of it near the edges', () => {
    assert.deepEqual(placeMenu(point(300, 200), size, viewport, { align: 'start', gap: 0 }), { top: 200, left: 300, above: false });
    assert.deepEqual(placeMenu(point(780, 590), size, viewport, { align: 'start', gap: 0 }), { top: 450, left: 630, above: true });
  });

  it('is kept inside the viewport, and starts at its edge when wider than it', () => {
    // An anchor scrolled partly out of the viewport's top left corner.
    assert.deepEqual(placeMenu(box(-50, -50), size, viewport, { align: 'start' }), { top: 8, left: 8, above: false });
    assert.equal(placeMenu(box(100, 100), { width: 900, height: 140 }, viewport, { align: 'end' }).left, 8);
  });
});
