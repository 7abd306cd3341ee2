// Symbols: `[name]` of the configured language only; unknown `[…]` stays; `[[笑嘻嘻]]` → `[😀]`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEmoji } from '../../src/emoji/index.js';

const zh = createEmoji();
const en = createEmoji({ lang: 'en' });

describe('symbolToEmoji', () => {
  const cases: [string, string, string][] = [
    ['nested brackets', '[[笑嘻嘻]]', '[😀]'],
    ['unknown name', '[不存在][笑嘻嘻]', '[不存在]😀'],
    ['empty brackets', '[]', '[]'],
    ['unclosed', '[笑嘻嘻', '[笑嘻嘻'],
    ['unopened', '笑嘻嘻]', '笑嘻嘻]'],
    ['spaces inside are part of the name', '[ 笑嘻嘻 ]', '[ 笑嘻嘻 ]'],
    ['an opening bracket inside', '[a[笑嘻嘻]', '[a😀'],
    ['extra closing brackets', '[笑嘻嘻]]]', '😀]]'],
    ['back to back', '[笑嘻嘻][笑嘻嘻][露齿而笑]', '😀😀😁'],
    ['the other language stays', '[Grinning Face]', '[Grinning Face]'],
    ['emoji in the text stay', '😀[笑嘻嘻]', '😀😀'],
    ['names are case-sensitive', '[zzz][ZZZ]', '[zzz]💤'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(zh.symbolToEmoji(input), expected));
  }

  it('converts the configured language\'s symbols only', () => {
    assert.equal(en.symbolToEmoji('[Grinning Face][笑嘻嘻]'), '😀[笑嘻嘻]');
    assert.equal(en.symbolToEmoji('[Pile Of Poo] [Drescent Moon]'), '💩 🌙', 'the seed\'s names, typos included');
  });

  it('stays linear on hostile bracket runs', () => {
    const opens = '['.repeat(100_000);
    const closes = ']'.repeat(100_000);
    assert.equal(zh.symbolToEmoji(opens + closes), opens + closes);
    assert.equal(zh.symbolToEmoji(`${opens}笑嘻嘻${closes}`), `${'['.repeat(99_999)}😀${']'.repeat(99_999)}`);
    const long = `[${'笑'.repeat(100_000)}]`;
    assert.equal(zh.symbolToEmoji(long), long);
  });
});

describe('emojiToSymbol and symbols', () => {
  it('leaves symbols in the text as they are', () => {
    assert.equal(zh.emojiToSymbol('[笑嘻嘻]😀'), '[笑嘻嘻][笑嘻嘻]');
  });

  it('round-trips text mixing both', () => {
    const text = '早上好😀[不存在]，[[笑嘻嘻]] 👍🏽 ☀️ ok';
    assert.equal(zh.symbolToEmoji(zh.emojiToSymbol(text)), '早上好😀[不存在]，[😀] 👍🏽 ☀️ ok');
  });
});
