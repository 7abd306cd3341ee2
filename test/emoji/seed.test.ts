// The seed's emoji plugin API (seed 004, "Emoji 插件"): its documented examples, every built-in
// entry both ways in zh and en, the extension example, init() and independent instances.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import * as emojiModule from '../../src/emoji/index.js';
import { createEmoji, emojiToHTML, emojiToSymbol, init, symbolToEmoji, symbolToHTML } from '../../src/emoji/index.js';

/** The TSV the built-in table was generated from: [index, key, codepoints, emoji, zh, en, position]. */
const tsv = readFileSync(new URL('../../src/emoji/data/rong-emoji-2.2.6.tsv', import.meta.url), 'utf8')
  .trim().split('\n').slice(1).map((line) => line.split('\t') as [string, string, string, string, string, string, string]);

/** The seed's extension example, verbatim. */
const seedConfig = {
  size: 25,
  url: '//f2e.cn.ronghub.com/sdk/emoji-48.png',
  lang: 'en' as const,
  extension: {
    dataSource: {
      u1F914: { en: 'thinking face', zh: '思考', tag: '🤔', position: '0 0' },
    },
    url: '//cdn.ronghub.com/thinking-face.png',
  },
};

afterEach(() => { init(); });

describe('the seed\'s documented examples', () => {
  it('emojiToSymbol', () => {
    assert.equal(emojiToSymbol('😀😁测试 Emoji'), '[笑嘻嘻][露齿而笑]测试 Emoji');
  });

  it('symbolToEmoji', () => {
    assert.equal(symbolToEmoji('[笑嘻嘻][露齿而笑]测试 Emoji'), '😀😁测试 Emoji');
  });

  it('emojiToHTML wraps the emoji in one span carrying the symbol, the rest unchanged', () => {
    // the seed's input is '\uf600测试 Emoji', its SDK's private-use encoding of 😀, which we don't decode
    assert.equal(emojiToHTML('😀测试 Emoji'),
      '<span class="im-emoji" data-symbol="[笑嘻嘻]" role="img" aria-label="笑嘻嘻">😀</span>测试 Emoji');
  });

  it('symbolToHTML wraps the emoji in one span carrying the symbol, the rest unchanged', () => {
    assert.equal(symbolToHTML('[露齿而笑]测试 Emoji'),
      '<span class="im-emoji" data-symbol="[露齿而笑]" role="img" aria-label="露齿而笑">😁</span>测试 Emoji');
  });

  it('list has the seed\'s shape, in table order', () => {
    assert.equal(emojiModule.list.length, 128);
    assert.deepEqual(
      { unicode: emojiModule.list[0]?.unicode, emoji: emojiModule.list[0]?.emoji, symbol: emojiModule.list[0]?.symbol },
      { unicode: 'u1F600', emoji: '😀', symbol: '[笑嘻嘻]' },
    );
    assert.deepEqual(emojiModule.list.map((e) => e.zh), tsv.map((row) => row[4]));
  });
});

describe('every built-in entry', () => {
  for (const lang of ['zh', 'en'] as const) {
    it(`converts both ways in ${lang}, from the TSV's form and from the fully-qualified one`, () => {
      const emoji = createEmoji({ lang });
      assert.equal(emoji.list.length, tsv.length);
      tsv.forEach((row, i) => {
        const [, , , tsvEmoji, zh, en, position] = row;
        const entry = emoji.list[i];
        assert.ok(entry);
        const name = lang === 'zh' ? zh : en;
        assert.equal(entry.symbol, `[${name}]`);
        assert.equal(entry.name, name);
        assert.equal(entry.zh, zh);
        assert.equal(entry.en, en);
        assert.equal(entry.position, position);
        assert.equal(entry.emoji.replace('\uFE0F', ''), tsvEmoji, 'keyed by its emoji');
        assert.equal(entry.unicode, `u${tsvEmoji.codePointAt(0)?.toString(16).toUpperCase()}`);
        assert.equal(emoji.emojiToSymbol(tsvEmoji), entry.symbol);
        assert.equal(emoji.emojiToSymbol(entry.emoji), entry.symbol);
        assert.equal(emoji.symbolToEmoji(entry.symbol), entry.emoji);
        assert.equal(emoji.emojiToSymbol(`a${entry.emoji}b`), `a${entry.symbol}b`);
        assert.equal(emoji.symbolToEmoji(`a${entry.symbol}b`), `a${entry.emoji}b`);
      });
    });
  }

  it('keys the four mislabelled TSV rows by their emoji, not their seed key', () => {
    const emoji = createEmoji();
    const mislabelled = tsv.filter((row) => row[1] !== `u${row[2]}`);
    assert.deepEqual(mislabelled.map((row) => [row[1], row[3]]), [['u1F622', '😭'], ['u270A', '👊'], ['u1F62D', '😢'], ['u1F44A', '✊']]);
    assert.equal(emoji.emojiToSymbol('😭😢👊✊'), '[哭泣][伤心][击拳][举起拳头]');
    assert.equal(emoji.symbolToEmoji('[哭泣][伤心][击拳][举起拳头]'), '😭😢👊✊');
    assert.deepEqual(['😭', '😢', '👊', '✊'].map((e) => emoji.list.find((x) => x.emoji === e)?.unicode), ['u1F62D', 'u1F622', 'u1F44A', 'u270A']);
  });

  it('gives the seven text-default emoji in their fully-qualified form (with U+FE0F)', () => {
    const qualified = createEmoji().list.filter((e) => e.emoji.endsWith('\uFE0F')).map((e) => e.emoji);
    assert.deepEqual(qualified, ['☝️', '☺️', '✌️', '✏️', '☀️', '☁️', '❄️']);
  });
});

describe('the seed\'s extension example', () => {
  it('adds 🤔 with its own sprite; symbols are in English', () => {
    const emoji = createEmoji(seedConfig);
    assert.equal(emoji.list.length, 129);
    const thinking = emoji.list[128];
    assert.deepEqual(thinking, {
      unicode: 'u1F914', emoji: '🤔', symbol: '[thinking face]', name: 'thinking face', zh: '思考', en: 'thinking face',
      position: '0px 0px', background: '//cdn.ronghub.com/thinking-face.png',
    });
    assert.equal(emoji.emojiToSymbol('🤔😀测试 Emoji'), '[thinking face][Grinning Face]测试 Emoji');
    assert.equal(emoji.symbolToEmoji('[thinking face][Grinning Face][思考]'), '🤔😀[思考]');
    const html = emoji.symbolToHTML('[thinking face]');
    assert.match(html, /^<span class="im-emoji" data-symbol="\[thinking face\]" role="img" aria-label="thinking face" style="[^"]*">🤔<\/span>$/);
    assert.ok(html.includes('background-image:url(&quot;//cdn.ronghub.com/thinking-face.png&quot;)'), html);
    assert.ok(html.includes('width:25px;height:25px'), html);
    assert.ok(html.includes('background-position:0px 0px'), html);
    const grinning = emoji.emojiToHTML('😁');
    assert.ok(grinning.includes('background-image:url(&quot;//f2e.cn.ronghub.com/sdk/emoji-48.png&quot;)'), grinning);
    assert.ok(grinning.includes('background-position:-26.042px 0px'), 'the seed scales positions by size / 24');
  });

  it('leaves U+F914 (a CJK compatibility ideograph) alone, which the seed turned into 🤔', () => {
    const emoji = createEmoji(seedConfig);
    assert.equal(emoji.emojiToSymbol('\uF914'), '\uF914');
    assert.equal(emoji.emojiToHTML('\uF914'), '\uF914');
    assert.equal(emoji.symbolToHTML('\uF914'), '\uF914');
  });

  it('works through init() and the module functions', () => {
    init(seedConfig);
    assert.equal(emojiModule.list.length, 129);
    assert.equal(emojiToSymbol('🤔'), '[thinking face]');
    assert.equal(symbolToEmoji('[thinking face]'), '🤔');
    init();
    assert.equal(emojiModule.list.length, 128);
    assert.equal(emojiToSymbol('🤔'), '🤔');
  });

  it('overrides a built-in entry with the same emoji, in place', () => {
    const emoji = createEmoji({ extension: { dataSource: { u1F600: { zh: '开心', en: 'Happy' } } } });
    assert.equal(emoji.list.length, 128);
    assert.equal(emoji.list[0]?.symbol, '[开心]');
    assert.equal(emoji.emojiToSymbol('😀'), '[开心]');
    assert.equal(emoji.symbolToEmoji('[笑嘻嘻][开心]'), '[笑嘻嘻]😀');
  });

  it('takes the emoji from the key when there is no tag, and sequences as tags', () => {
    const emoji = createEmoji({ extension: { dataSource: { u1F914: { zh: '思考' }, flag: { zh: '中国', en: 'China', tag: '🇨🇳' }, family: { zh: '一家', tag: '👨‍👩‍👧' } } } });
    assert.equal(emoji.emojiToSymbol('🤔🇨🇳👨‍👩‍👧👨‍👩‍👧‍👦'), '[思考][中国][一家]👨‍👩‍👧‍👦');
    assert.equal(emoji.symbolToEmoji('[思考][中国][一家]'), '🤔🇨🇳👨‍👩‍👧');
    assert.equal(createEmoji({ lang: 'en', extension: { dataSource: { u1F914: { zh: '思考' } } } }).emojiToSymbol('🤔'), '[思考]', 'en falls back to zh');
  });
});

describe('instances', () => {
  it('two instances don\'t share state', () => {
    const a = createEmoji({ lang: 'en', className: 'a' });
    const b = createEmoji();
    assert.equal(a.emojiToSymbol('😀'), '[Grinning Face]');
    assert.equal(b.emojiToSymbol('😀'), '[笑嘻嘻]');
    init({ lang: 'en' });
    assert.equal(b.emojiToSymbol('😀'), '[笑嘻嘻]');
    assert.match(a.emojiToHTML('😀'), /^<span class="a" /);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.list) && Object.isFrozen(a.list[0]));
  });

  it('methods work detached from their instance', () => {
    const { emojiToSymbol: toSymbol } = createEmoji();
    assert.equal(['😀'].map(toSymbol)[0], '[笑嘻嘻]');
  });

  it('refuses bad configuration with a clear TypeError', () => {
    const bad: [unknown, RegExp][] = [
      [{ lang: 'fr' }, /lang must be 'zh' or 'en'/],
      [{ size: 0 }, /size must be/],
      [{ size: Number.NaN }, /size must be/],
      [{ url: 'javascript:alert(1)' }, /url must be an http\(s\), data:image\/ or relative URL/],
      [{ extension: { dataSource: { x: { zh: 'x' } } } }, /needs a tag, or a key like u1F914/],
      [{ extension: { dataSource: { u1F914: { zh: '[思考]' } } } }, /zh must be/],
      [{ extension: { dataSource: { u1F914: { zh: '<b>' } } } }, /zh must be/],
      [{ extension: { dataSource: { u1F914: {} } } }, /zh must be/],
      [{ extension: { dataSource: { x: { zh: 'x', tag: 'abc' } } } }, /must be an emoji/],
      [{ extension: { dataSource: { x: { zh: 'x', tag: '1' } } } }, /must be an emoji/],
      [{ extension: { dataSource: { x: { zh: 'x', tag: '😀😁' } } } }, /single emoji/],
      [{ extension: { dataSource: { x: { zh: 'x', tag: '😀\u200D' } } } }, /must be an emoji/],
      [{ extension: { dataSource: { u1F914: { zh: '笑嘻嘻' } } } }, /zh name "笑嘻嘻" is used by both/],
      [{ extension: { dataSource: { u1F914: { zh: 'x', position: 'left' } } } }, /position must be/],
      [{ extension: { dataSource: { u1F914: { zh: 'x' } }, url: 'vbscript:x' } }, /extension.url must be/],
    ];
    for (const [config, message] of bad) {
      assert.throws(() => createEmoji(config as emojiModule.EmojiConfig), (error: unknown) => error instanceof TypeError && message.test(error.message), JSON.stringify(config));
    }
  });

  it('refuses non-string input', () => {
    assert.throws(() => emojiToSymbol(undefined as unknown as string), TypeError);
    assert.throws(() => symbolToHTML(42 as unknown as string), TypeError);
  });
});
