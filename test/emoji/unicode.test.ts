// Unicode: every emoji-test.txt string (npm emoji-test-regex-pattern, Emoji 18.0) survives
// emojiToSymbol → symbolToEmoji and is never split; the engine's grapheme-boundary checks agree
// with Intl.Segmenter on those strings in hostile contexts and on random mixtures.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { createEmoji, type Emoji } from '../../src/emoji/index.js';

const require = createRequire(import.meta.url);
const corpus = [...new Set(readFileSync(require.resolve('emoji-test-regex-pattern/dist/latest/index-strings.txt'), 'utf8')
  .split('\n').filter((line) => line !== ''))];
const FE0F = /\uFE0F/g;

const EMOJI_TEXT_DEFAULT = /^(?=\p{Emoji})\P{Emoji_Presentation}$/u;
const MODIFIER = /^\p{Emoji_Modifier}$/u;

/**
 * The strings that emoji-test.txt lists as fully qualified. index-strings.txt lists every status
 * (and the redundant emoji presentation sequences, such as U+2614 U+FE0F) without saying which;
 * UTS #51 says which: a string is fully qualified when every emoji character with text default
 * presentation is followed by U+FE0F (unless an emoji modifier follows it) and no other is.
 */
function isFullyQualified(s: string): boolean {
  const cps = [...s.replace(FE0F, '')];
  let expected = '';
  cps.forEach((cp, i) => {
    expected += cp;
    if (EMOJI_TEXT_DEFAULT.test(cp) && !MODIFIER.test(cps[i + 1] ?? '')) expected += '\uFE0F';
  });
  return s === expected;
}

const zh = createEmoji();
const en = createEmoji({ lang: 'en' });
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const formsOf = new WeakMap<Emoji, Map<string, string>>();

/** emojiToSymbol as specified, the slow way: each grapheme cluster that is a table emoji (any form) becomes its symbol. */
function referenceToSymbol(emoji: Emoji, text: string): string {
  let byForm = formsOf.get(emoji);
  if (byForm === undefined) {
    byForm = new Map();
    for (const e of emoji.list) {
      const bare = e.emoji.replace(FE0F, '');
      for (const form of [e.emoji, bare, [...bare].length === 1 ? `${bare}\uFE0F` : e.emoji]) byForm.set(form, e.symbol);
    }
    formsOf.set(emoji, byForm);
  }
  let out = '';
  for (const { segment } of graphemes.segment(text)) out += byForm.get(segment) ?? segment;
  return out;
}

describe('emoji-test.txt corpus', () => {
  const qualified = new Set(corpus.filter(isFullyQualified));

  it('is the real corpus (Emoji 18.0: over 5000 strings), with one fully-qualified form per emoji', () => {
    assert.ok(corpus.length > 5000, `${corpus.length} strings`);
    assert.ok(qualified.size > 3900, `${qualified.size} fully qualified`);
    const perEmoji = new Map<string, number>();
    for (const s of corpus) perEmoji.set(s.replace(FE0F, ''), (perEmoji.get(s.replace(FE0F, '')) ?? 0) + (qualified.has(s) ? 1 : 0));
    for (const [bare, n] of perEmoji) assert.equal(n, 1, `${bare}: ${n} fully-qualified forms`);
  });

  for (const [lang, emoji] of [['zh', zh], ['en', en]] as const) {
    it(`every fully-qualified string survives emojiToSymbol → symbolToEmoji unchanged (${lang})`, () => {
      let converted = 0;
      for (const s of qualified) {
        const symbol = emoji.emojiToSymbol(s);
        if (symbol !== s) converted++;
        assert.equal(emoji.symbolToEmoji(symbol), s, `${s} (${[...s].map((c) => c.codePointAt(0)?.toString(16)).join(' ')})`);
      }
      assert.equal(converted, 128, 'each built-in is in the corpus once, fully qualified');
    });
  }

  it('no string is ever split: it converts whole, to one symbol, or stays as it is, alone and in context', () => {
    const symbols = new Set(zh.list.map((e) => e.symbol));
    const contexts: [string, string][] = [['', ''], ['a', 'b'], ['测试', ' '], ['[', ']'], ['\n', '\t']];
    for (const s of corpus) {
      const alone = zh.emojiToSymbol(s);
      assert.ok(alone === s || symbols.has(alone), `${s} → ${alone}`);
      for (const [before, after] of contexts) {
        assert.equal(zh.emojiToSymbol(before + s + after), before + alone + after, `${before}${s}${after}`);
      }
      // twice in a row: each occurrence on its own (regional indicators pair up in order)
      assert.equal(zh.emojiToSymbol(s + s), alone + alone, `${s}${s}`);
    }
  });

  it('a non-fully-qualified string either stays or comes back in its fully-qualified form', () => {
    const qualifiedByBare = new Map([...qualified].map((q) => [q.replace(FE0F, ''), q]));
    for (const s of corpus) {
      if (qualified.has(s)) continue;
      const back = zh.symbolToEmoji(zh.emojiToSymbol(s));
      assert.ok(back === s || back === qualifiedByBare.get(s.replace(FE0F, '')), `${s} → ${back}`);
    }
  });

  it('agrees with Intl.Segmenter on every string next to table emoji, joiners, modifiers and marks', () => {
    // every context for the strings that hold a table emoji's code point, a few for the others
    const tableCodePoints = new Set(zh.list.flatMap((e) => [...e.emoji.replace(FE0F, '')]));
    const befores = ['', 'x', '😀', '\u200D', '😀\u200D', '🇨', '\u0600', '\u0915\u094D', '[', '\uFE0F'];
    const afters = ['', 'y', '😀', '\uFE0F', '🏽', '\u200D', '\u200D😀', '\u0301', '🇳', '\u0903', '\u20E3'];
    let texts = 0;
    for (const s of corpus) {
      const all = [...s].some((cp) => tableCodePoints.has(cp));
      for (const before of all ? befores : ['', '😀\u200D']) {
        for (const after of all ? afters : ['', '😀', '🏽']) {
          const text = before + s + after;
          assert.equal(zh.emojiToSymbol(text), referenceToSymbol(zh, text), JSON.stringify(text));
          texts++;
        }
      }
    }
    assert.ok(texts > 40_000, `${texts} texts`);
  });

  it('agrees with Intl.Segmenter on every table emoji form in every context', () => {
    const forms = zh.list.flatMap((e) => [e.emoji, e.emoji.replace(FE0F, ''), `${e.emoji.replace(FE0F, '')}\uFE0F`]);
    const contexts = ['', 'a', '😀', '\u200D', '🐻\u200D', '🐻🏽\uFE0F\u200D', 'a\u200D', '🇨', '🇨🇳🇨', '\u0600', '\u0903',
      '\u0301', '\uFE0E', '🏽', '\u20E3', '\r', '\uD83D', '\uDE00', '\u{E0067}', '[赞]'];
    for (const form of forms) {
      for (const before of contexts) {
        for (const after of contexts) {
          const text = before + form + after;
          assert.equal(zh.emojiToSymbol(text), referenceToSymbol(zh, text), JSON.stringify(text));
        }
      }
    }
  });

  it('agrees with Intl.Segmenter on 20000 random mixtures of emoji parts', () => {
    const parts = ['😀', '👍', '☝', '❄', '🐻', '👨', '🇨', '🇳', '🇦', '\u200D', '\uFE0F', '\uFE0E', '🏻', '🏽', '\u20E3', '#', '1',
      'a', ' ', '[', ']', '\u0301', '\u0903', '\u0600', '\u{E0067}', '\u{E007F}', '🏴', '测', '\uD83D', '\uDC4D', '\r\n'];
    let seed = 0x12345678;
    const random = (n: number): number => { // xorshift32: the same strings on every run
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let k = 0; k < 20000; k++) {
      let text = '';
      for (let length = 1 + random(10); length > 0; length--) text += parts[random(parts.length)];
      assert.equal(zh.emojiToSymbol(text), referenceToSymbol(zh, text), JSON.stringify(text));
    }
  });
});

describe('sequences', () => {
  const cases: [string, string, string][] = [
    ['skin tone', '👍🏽', '👍🏽'],
    ['skin tone after FE0F', '☝️🏽', '☝️🏽'],
    ['bare table emoji', '👍', '[赞]'],
    ['text-default without FE0F (the seed table\'s form)', '☝', '[第一]'],
    ['text-default with FE0F', '☝️', '[第一]'],
    ['text presentation (FE0E) is not an emoji', '☝︎', '☝︎'],
    ['ZWJ sequence ending in a table emoji', '🐻‍❄️', '🐻‍❄️'],
    ['ZWJ sequence starting with a table emoji', '😶‍🌫️', '😶‍🌫️'],
    ['family', '👨‍👩‍👧‍👦', '👨‍👩‍👧‍👦'],
    ['keycap', '1️⃣', '1️⃣'],
    ['flags', '🇨🇳🇺🇸', '🇨🇳🇺🇸'],
    ['tag sequence', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['combining mark after', '😀\u0301', '😀\u0301'],
    ['prepend before', '\u0600😀', '\u0600😀'],
    ['lone ZWJ before a non-pictographic start is no join', 'a\u200D😀', 'a\u200D[笑嘻嘻]'],
    ['lone surrogates around', '\uD83D😀\uDE00', '\uD83D[笑嘻嘻]\uDE00'],
    ['CJK compatibility ideograph U+F914 (the seed decodes it into 🤔)', '\uF914', '\uF914'],
    ['private use U+F600 (the seed decodes it into 😀)', '\uF600测试 Emoji', '\uF600测试 Emoji'],
    ['adjacent', '😀😁😂', '[笑嘻嘻][露齿而笑][喜极而泣]'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(zh.emojiToSymbol(input), expected));
  }

  it('text without emoji comes back as the same string', () => {
    for (const text of ['', 'plain', '测试 Emoji', '\uF914\uF900\uFA0A', '[笑嘻嘻', 'a'.repeat(10000)]) {
      assert.equal(zh.emojiToSymbol(text), text);
      assert.equal(zh.symbolToEmoji(text.replace('[笑嘻嘻', '[x')), text.replace('[笑嘻嘻', '[x'));
    }
  });
});

describe('regional indicators', () => {
  const flags = createEmoji({ extension: { dataSource: { cn: { zh: '中国', en: 'China', tag: '🇨🇳' }, us: { zh: '美国', en: 'USA', tag: '🇺🇸' } } } });

  it('pair up from the start of a run, however long', () => {
    for (const run of [1, 2, 3, 1001, 4000]) {
      for (const before of ['', 'x', '🇺']) {
        const text = before + '🇨🇳'.repeat(run) + '🇨';
        assert.equal(flags.emojiToSymbol(text), referenceToSymbol(flags, text), `${JSON.stringify(before)} + ${run} flags`);
      }
    }
    assert.equal(flags.emojiToSymbol('🇺🇸🇨🇳🇺'), '[美国][中国]🇺');
    assert.equal(flags.emojiToSymbol('🇺🇨🇳🇺🇸'), '🇺🇨🇳🇺🇸', 'shifted by one: 🇺🇨 🇳🇺 🇸');
  });
});
