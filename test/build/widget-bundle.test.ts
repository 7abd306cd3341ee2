import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

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

  it('the script tag\'s lazy parts are sibling modules that share its Lit and core instead of bundling them', () => {
    const source = readFileSync(iife, 'utf8');
    const imported = [...source.matchAll(/\bimport\(\w+\?new URL\("\.\/([\w-]+\.js)",\w+\)\.href:"\.\/([\w-]+\.js)"\)/g)].map((match) => match[1]);
    assert.deepEqual(imported.sort(), ['im-widget-actions.js', 'im-widget-chatroom.js', 'im-widget-composer-media.js', 'im-widget-emoji-picker.js', 'im-widget-long-poll.js', 'im-widget-media.js', 'im-widget-send-files.js'], 'siblings by URL from the script');
    const key = /Symbol\.for\("(im-widget\.shared\/[^"]+)"\)/.exec(source)?.[1];
    assert.ok(key, 'the IIFE fills a registry');
    for (const sibling of ['im-widget-media.js', 'im-widget-composer-media.js', 'im-widget-send-files.js', 'im-widget-long-poll.js', 'im-widget-chatroom.js', 'im-widget-emoji-picker.js', 'im-widget-actions.js']) {
      const code = readFileSync(new URL(`../../dist/${sibling}`, import.meta.url), 'utf8');
      assert.ok(!/^\s*import\b|\bimport\s*["'{*]|\bfrom\s*["']/m.test(code), `${sibling}: no static imports`);
      assert.ok(!/litElementVersions|reactiveElementVersions|litHtmlVersions/.test(code), `${sibling}: no Lit of its own`);
      assert.ok(!/protobuf|IMClient/.test(code), `${sibling}: no core of its own`);
      for (const match of code.matchAll(/Symbol\.for\("([^"]+)"\)/g)) assert.equal(match[1], key, `${sibling}: the registry of the same build`);
    }
  });

  it('loads the core\'s long-polling and chatrooms as sibling modules, through the same loaders as the ES modules', () => {
    const { sources } = JSON.parse(readFileSync(new URL('../../dist/im-widget.iife.js.map', import.meta.url), 'utf8')) as { sources: string[] };
    for (const module of ['/long-poll-transport.ts', '/chatroom.ts', '/long-poll-static.ts', '/chatroom-static.ts']) {
      assert.ok(!sources.some((source) => source.endsWith(module)), `${module} not in the script tag`);
    }
    for (const loader of ['/long-poll-lazy.ts', '/chatroom-lazy.ts']) assert.ok(sources.some((source) => source.endsWith(loader)), `${loader} in the script tag`);
    assert.ok(readFileSync(new URL('../../dist/im-widget-long-poll.js', import.meta.url), 'utf8').includes('X-IM-Poll-Session'));
    assert.ok(readFileSync(new URL('../../dist/im-widget-chatroom.js', import.meta.url), 'utf8').includes('"room.join"'));
  });

  it('what the user opens is not in the script tag: its actions sibling module draws it (a message\'s menu and readers, the list\'s results, form and row menu, the composer\'s extras)', () => {
    const sourcesOf = (file: string) => (JSON.parse(readFileSync(new URL(`../../dist/${file}.map`, import.meta.url), 'utf8')) as { sources: string[] }).sources;
    for (const module of ['/message-list/message-menu.ts', '/message-list/menu-position.ts', '/conversation-list/list-actions.ts',
      '/composer/composer-extras.ts', '/internal/adopt-styles.ts']) {
      assert.ok(!sourcesOf('im-widget.iife.js').some((source) => source.endsWith(module)), `${module} not in the script tag`);
      assert.ok(sourcesOf('im-widget-actions.js').some((source) => source.endsWith(module)), `${module} in im-widget-actions.js`);
    }
    assert.ok(!readFileSync(iife, 'utf8').includes(':popover-open'), 'nor the menu\'s styles');
    assert.ok(!readFileSync(iife, 'utf8').includes('.start-error'), 'nor the form\'s');
    assert.ok(sourcesOf('im-widget.iife.js').some((source) => source.endsWith('/message-list/message-list.ts')));
  });

  it('the emoji module is not in the script tag: the picker\'s sibling module holds what it needs, and loads the full set beside it', () => {
    const { sources } = JSON.parse(readFileSync(new URL('../../dist/im-widget.iife.js.map', import.meta.url), 'utf8')) as { sources: string[] };
    assert.deepEqual(sources.filter((source) => source.includes('/src/emoji/')), []);
    const picker = readFileSync(new URL('../../dist/im-widget-emoji-picker.js', import.meta.url), 'utf8');
    assert.deepEqual([...picker.matchAll(/\bimport\(([^)]*)\)/g)].map((match) => match[1]), ['"./im-emoji-data.js"']);
    assert.ok(picker.includes('"1F600","笑嘻嘻"'), 'the built-in emoji');
  });
});

describe('dist/im-emoji.iife.js', () => {
  it('defines one global, IMEmoji, with the emoji module\'s functions, and touches nothing else', () => {
    const code = readFileSync(new URL('../../dist/im-emoji.iife.js', import.meta.url), 'utf8');
    const sandbox: Record<string, unknown> = {
      document: { currentScript: { src: 'https://cdn.example/im-widget/dist/im-emoji.iife.js' } },
      define: Object.assign(() => assert.fail('AMD define called'), { amd: {} }),
      module: { exports: {} },
      exports: {},
    };
    const context = vm.createContext(sandbox);
    const before = new Set(Object.getOwnPropertyNames(vm.runInContext('globalThis', context)));
    vm.runInContext(code, context, { filename: 'im-emoji.iife.js' });
    const global = vm.runInContext('globalThis', context) as Record<string, unknown>;
    assert.deepEqual(Object.getOwnPropertyNames(global).filter((name) => !before.has(name)), ['IMEmoji']);
    const emoji = global.IMEmoji as { emojiToSymbol(text: string): string; symbolToEmoji(text: string): string; symbolToHTML(text: string): string };
    assert.equal(emoji.emojiToSymbol('😀😁测试 Emoji'), '[笑嘻嘻][露齿而笑]测试 Emoji');
    assert.equal(emoji.symbolToEmoji('[笑嘻嘻]'), '😀');
    assert.match(emoji.symbolToHTML('<b>[笑嘻嘻]'), /^&lt;b&gt;<span class="im-emoji"/);
    assert.deepEqual([sandbox.module, sandbox.exports], [{ exports: {} }, {}], 'CommonJS globals untouched');
  });
});
