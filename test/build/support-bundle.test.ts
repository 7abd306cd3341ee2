import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import vm from 'node:vm';

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

describe('dist/im-support.iife.js and dist/im-support-panel.js (the script tag)', () => {
  const script = () => readFileSync(new URL('im-support.iife.js', dist), 'utf8');

  it('the launcher is a classic script with no imports but the panel, and holds neither Lit nor the core', () => {
    const code = script();
    // A static import or export would not compile as a classic script.
    assert.doesNotThrow(() => new vm.Script(code, { filename: 'im-support.iife.js' }), 'a classic script');
    const imported = [...code.matchAll(/\bimport\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)].map((match) => match[1]);
    assert.equal(imported.length, 1, `one dynamic import: ${imported.join(' | ')}`);
    assert.match(imported[0]!, /^\w+\?new URL\("\.\/im-support-panel\.js",\w+\)\.href:"\.\/im-support-panel\.js"$/, 'the panel, beside the script');
    // (assert.ok, not doesNotMatch: a failure would print the whole file.)
    assert.ok(!/LitElement|ReactiveElement|\$lit\$|lit\$\d|litElementVersions|reactiveElementVersions|litHtmlVersions|lit-html/.test(code), 'no Lit code bundled in');
    assert.ok(!/customerServiceQuery|getCustomerServiceInfo/.test(code), 'no client code');
  });

  it('defines one global, IMSupport (the launcher\'s class), registers <im-support> and touches nothing else', () => {
    const defined: Array<[string, unknown]> = [];
    class HTMLElement {}
    const sandbox: Record<string, unknown> = {
      HTMLElement,
      customElements: { get: () => undefined, define: (tag: string, element: unknown) => void defined.push([tag, element]) },
      document: { currentScript: { src: 'https://cdn.example/im-widget/dist/im-support.iife.js' } },
      define: Object.assign(() => assert.fail('AMD define called'), { amd: {} }),
      module: { exports: {} },
      exports: {},
    };
    const context = vm.createContext(sandbox);
    const before = new Set(Object.getOwnPropertyNames(vm.runInContext('globalThis', context)));
    vm.runInContext(script(), context, { filename: 'im-support.iife.js' });
    const global = vm.runInContext('globalThis', context) as Record<string, unknown>;
    const added = Object.getOwnPropertyNames(global).filter((name) => !before.has(name));
    assert.deepEqual(added, ['IMSupport']);
    const exported = global.IMSupport as Record<string, unknown>;
    assert.deepEqual(Object.keys(exported), ['ImSupport']);
    assert.deepEqual(defined, [['im-support', exported.ImSupport]]);
    assert.deepEqual([sandbox.module, sandbox.exports], [{ exports: {} }, {}], 'CommonJS globals untouched');
  });

  it('the panel module is self-contained: no bare imports, only sibling files that exist; its emoji data is one of them', () => {
    const graph = [...staticGraph('im-support-panel.js')];
    assert.deepEqual(graph.filter((file) => !file.endsWith('.js') || file.includes('/')), [], 'no bare or nested imports');
    assert.deepEqual(graph, ['im-support-panel.js'], 'one file');
    const code = readFileSync(new URL('im-support-panel.js', dist), 'utf8');
    assert.ok(/litElementVersions|reactiveElementVersions/.test(code), 'Lit bundled in');
    const imported = [...code.matchAll(/\bimport\(\s*([^)]*)\)/g)].map((match) => match[1]);
    assert.deepEqual(imported, ['"./im-emoji-data.js"'], 'the picker\'s full set, beside it');
    assert.ok(existsSync(new URL('im-emoji-data.js', dist)));
    assert.ok(/\bexport\s*\{\s*[\w$]+ as ImSupportPanel\s*\}/.test(code), 'the panel class, as the launcher takes it');
  });
});
