#!/usr/bin/env node
/**
 * bench:emoji — the emoji module's four conversions on a 10 KB mixed message, against baselines
 * measured in the same run.
 *
 *   npm run bench:emoji                 # node --import tsx bench/emoji.mjs (imports the TS source; builds nothing)
 *   node --import tsx bench/emoji.mjs --time 2000
 *
 * The message: Chinese and English chat text with built-in emoji (some in the seed table's
 * text-default form without U+FE0F), emoji outside the table (skin tones, ZWJ sequences, flags,
 * keycaps), `[symbols]`, unknown `[…]` and HTML-special characters; 10,240 UTF-16 code units.
 * The symbol-side conversions take emojiToSymbol(message) as input.
 *
 * Baselines (same input, same run; none of them is correct, they only show the cost):
 *   seed-style regex   what the seed plugin does, with the regex built per call: an alternation
 *                      of the 128 emoji (and for HTML an escaping regex), `String.replace` with a
 *                      Map lookup. It splits sequences (👍🏽 → [赞]🏽).
 *   replaceAll × 128   `String.prototype.replaceAll` once per table entry (and escaping first for
 *                      HTML). Splits sequences too.
 *   Intl.Segmenter     emojiToSymbol done the obvious correct way: walk the grapheme clusters
 *                      with one segmenter created once, look each up in a Map.
 * Then emojiToHTML on 1 KB, 10 KB and 100 KB messages: time per KB stays flat (linear).
 *
 * A benchmark, not a test: it asserts nothing about timing. It exits non-zero only if a
 * conversion's output is not what the module's tests say it is (a broken build, not a slow one).
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { createEmoji } from '../src/emoji/index.ts';

const { values: args } = parseArgs({ options: { time: { type: 'string', default: '800' } } });
const TIME_MS = Number(args.time);

const emoji = createEmoji();
const table = emoji.list;

function makeMessage(length) {
  const parts = [
    '早上好😀！今天的会议改到下午三点了，记得带上电脑💻。', 'Sounds good 👍 see you there [赞] ',
    '<b>note</b> & "quotes" \'single\' ', '这个方案我觉得可以👍🏽，但是预算要再看一下🤔 ', '[不存在的表情] ',
    '👨‍👩‍👧‍👦 family photo 📷 ', '☀ 晴朗 ☁ 多云 ❄️ 雪花 ', '🇨🇳🇺🇸 flags, 1️⃣ keycap ', '[笑嘻嘻][露齿而笑] 哈哈哈😂😂 ',
    'plain ASCII text that goes on for a while without anything special in it. ', '🎉🎂🎁 生日快乐！',
  ];
  let text = '';
  for (let i = 0; text.length < length; i++) text += parts[i % parts.length];
  return text.slice(0, length).replace(/[\uD800-\uDBFF]$/, ' ');
}

const message = makeMessage(10 * 1024);
const symbolMessage = emoji.emojiToSymbol(message);

// --- baselines --------------------------------------------------------------------------------
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byEmoji = new Map(table.flatMap((e) => [[e.emoji, e], [e.emoji.replace(/\uFE0F/g, ''), e]]));
const bySymbol = new Map(table.map((e) => [e.symbol, e]));
const tags = [...byEmoji.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const span = (e, text) => `<span class="im-emoji" data-symbol="${e.symbol}" role="img" aria-label="${e.name}">${text}</span>`;

const seedRegex = {
  emojiToSymbol: (text) => text.replace(new RegExp(tags, 'g'), (m) => byEmoji.get(m)?.symbol ?? m),
  symbolToEmoji: (text) => text.replace(/\[([^[\]]+?)\]/g, (m) => bySymbol.get(m)?.emoji ?? m),
  emojiToHTML: (text) => text.replace(/[&<>"']/g, (c) => ESC[c]).replace(new RegExp(tags, 'g'), (m) => span(byEmoji.get(m), m)),
  symbolToHTML: (text) => seedRegex.emojiToHTML(seedRegex.symbolToEmoji(text)),
};
const replaceAllForms = table.flatMap((e) => [[e.emoji, e], ...(e.emoji.includes('\uFE0F') ? [[e.emoji.replace(/\uFE0F/g, ''), e]] : [])]);
const escapeAll = (text) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
const replaceAll = {
  emojiToSymbol: (text) => { for (const [form, e] of replaceAllForms) text = text.replaceAll(form, e.symbol); return text; },
  symbolToEmoji: (text) => { for (const e of table) text = text.replaceAll(e.symbol, e.emoji); return text; },
  emojiToHTML: (text) => { text = escapeAll(text); for (const [form, e] of replaceAllForms) text = text.replaceAll(form, span(e, form)); return text; },
  symbolToHTML: (text) => replaceAll.emojiToHTML(replaceAll.symbolToEmoji(text)),
};
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const segmenterToSymbol = (text) => {
  let out = '';
  for (const { segment } of segmenter.segment(text)) out += byEmoji.get(segment)?.symbol ?? segment;
  return out;
};

// --- sanity: the module's outputs are what its tests say --------------------------------------
const check = (ok, what) => { if (!ok) { console.error(`bench:emoji: unexpected output: ${what}`); process.exit(1); } };
check(emoji.symbolToEmoji(symbolMessage).length > 0 && !symbolMessage.includes('😀'), 'emojiToSymbol converts 😀');
check(symbolMessage.includes('👍🏽') && seedRegex.emojiToSymbol('👍🏽') === '[赞]🏽', 'only the baseline splits 👍🏽');
check(segmenterToSymbol(message) === symbolMessage, 'Intl.Segmenter reference agrees with emojiToSymbol');
check(!emoji.emojiToHTML(message).includes('<b>'), 'emojiToHTML escapes');

// --- timing ------------------------------------------------------------------------------------
let sink = 0;
/** Median µs per call over batches of ≥ 5 ms, for TIME_MS after a warm-up. */
function measure(fn, input) {
  let n = 1;
  for (;;) { // calibrate (and warm up)
    const t = performance.now();
    for (let i = 0; i < n; i++) sink += fn(input).length;
    if (performance.now() - t >= 5) break;
    n *= 2;
  }
  const samples = [];
  const end = performance.now() + TIME_MS;
  while (performance.now() < end) {
    const t = performance.now();
    for (let i = 0; i < n; i++) sink += fn(input).length;
    samples.push(((performance.now() - t) * 1000) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const fmt = (us) => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0));
const ops = (us) => Math.round(1e6 / us).toLocaleString('en-US');
const pad = (s, n) => String(s).padEnd(n);
const padL = (s, n) => String(s).padStart(n);

console.log(`bench:emoji — node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), ${TIME_MS} ms per case`);
console.log(`message: ${message.length} UTF-16 units, ${[...message].length} code points, `
  + `${(symbolMessage.match(/\[[^[\]]+\]/g) ?? []).length} symbols after emojiToSymbol\n`);

console.log(`${pad('conversion (10 KB)', 16)} ${padL('µs/call', 9)} ${padL('ops/s', 9)} │ ${padL('seed-style regex', 18)} ${padL('ratio', 7)} │ ${padL('replaceAll × 128', 18)} ${padL('ratio', 7)}`);
const rows = [];
for (const [name, input] of [['emojiToSymbol', message], ['symbolToEmoji', symbolMessage], ['emojiToHTML', message], ['symbolToHTML', symbolMessage]]) {
  const ours = measure(emoji[name], input);
  const seed = measure(seedRegex[name], input);
  const all = measure(replaceAll[name], input);
  rows.push({ name, ours, seed, all });
  console.log(`${pad(name, 16)} ${padL(fmt(ours), 9)} ${padL(ops(ours), 9)} │ ${padL(`${fmt(seed)} µs`, 18)} ${padL(`${(seed / ours).toFixed(1)}×`, 7)} │ ${padL(`${fmt(all)} µs`, 18)} ${padL(`${(all / ours).toFixed(1)}×`, 7)}`);
}
const seg = measure(segmenterToSymbol, message);
console.log(`\nemojiToSymbol vs Intl.Segmenter (correct, one segmenter): ${fmt(seg)} µs/call, ${(seg / rows[0].ours).toFixed(0)}× the module's ${fmt(rows[0].ours)} µs`);
const plain = makeMessage(10 * 1024).replace(/[^\x20-\x7e\u4e00-\u9fff]/g, 'x').replace(/[[\]<>&"']/g, 'x');
console.log(`10 KB without emoji, symbols or specials: emojiToSymbol ${fmt(measure(emoji.emojiToSymbol, plain))} µs, `
  + `emojiToHTML ${fmt(measure(emoji.emojiToHTML, plain))} µs (returned as is)`);

console.log('\nscaling (emojiToHTML): ');
for (const kb of [1, 10, 100]) {
  const input = makeMessage(kb * 1024);
  const us = measure(emoji.emojiToHTML, input);
  console.log(`  ${padL(kb, 3)} KB  ${padL(fmt(us), 8)} µs/call  ${padL((us / kb).toFixed(2), 6)} µs/KB`);
}
if (sink === 0) console.log('');
