import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// The built launcher, as sites get it (npm test builds first).
const dist = new URL('../../dist/', import.meta.url);

/** The files loading `file` fetches before it runs: it and its static imports, transitively. */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(new URL(file, dist), 'utf8');
  for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+)["']/g)) {
    if (match[1]!.startsWith('./')) staticGraph(match[1]!.slice(2), seen);
    else seen.add(match[1]!);
  }
  return seen;
}

describe('dist/im-support.js', () => {
  it('import during server-side rendering (no window, no customElements) does nothing harmful', async () => {
    assert.equal(typeof (globalThis as { customElements?: unknown }).customElements, 'undefined');
    const support = await import(new URL('im-support.js', dist).href);
    assert.equal(typeof support.ImSupport, 'function');
  });

  it('the launcher loads neither Lit nor the core: the panel is a dynamic import', () => {
    const graph = [...staticGraph('im-support.js')];
    assert.deepEqual(graph.filter((file) => /^(lit|@lit\/|lit-html|lit-element)/.test(file)), [], 'no Lit');
    const code = graph.filter((file) => file.endsWith('.js') && !file.includes('/')).map((file) => readFileSync(new URL(file, dist), 'utf8')).join('\n');
    assert.doesNotMatch(code, /LitElement|ReactiveElement/, 'no Lit code bundled in');
    assert.doesNotMatch(code, /customerServiceQuery|getCustomerServiceInfo/, 'no client code');
    assert.match(code, /\bimport\(\s*["']\.\/im-shared-[\w-]+\.js["']\s*\)/, 'the panel, on demand');
  });
});
