import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// The built widget, as apps and sites get it (npm test builds first).
const esm = new URL('../../dist/im-widget.js', import.meta.url);
const iife = new URL('../../dist/im-widget.iife.js', import.meta.url);

describe('dist/im-widget.js and dist/im-widget.iife.js', () => {
  it('import during server-side rendering (no window, no customElements) does nothing harmful', async () => {
    assert.equal(typeof (globalThis as { customElements?: unknown }).customElements, 'undefined');
    assert.equal(typeof (globalThis as { window?: unknown }).window, 'undefined');
    const widget = await import(esm.href);
    assert.equal(typeof widget.ImChat, 'function');
    assert.equal(typeof widget.defineElements, 'function');
    assert.equal(typeof widget.IMClient, 'function');
    assert.doesNotThrow(() => widget.defineElements());
  });

  it('the script-tag build defines one global and never touches AMD or CommonJS globals', () => {
    const source = readFileSync(iife, 'utf8');
    assert.match(source, /^var IMWidget=function/);
    assert.doesNotMatch(source, /\bdefine\.amd\b/);
    assert.doesNotMatch(source, /typeof module\b|typeof exports\b|module\.exports/);
    assert.doesNotMatch(source, /\beval\s*\(|\bnew\s+Function\s*\(/);
  });
});
