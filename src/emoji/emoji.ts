/**
 * `createEmoji(config)`: an emoji converter over the 128 built-in entries plus the config's
 * extension, with the seed plugin's options (seed 004, "Emoji 插件") and none of its flaws:
 * escaped HTML, whole emoji sequences only, no decoding of private-use code points.
 */
import { BUILTIN_ROWS } from './builtin-data.js';
import { SPAN_CLOSE, TO_EMOJI, TO_HTML, TO_SYMBOL, buildTable, convert, type Target } from './engine.js';
import { checkSpriteUrl, cssString, escapeHtml } from './html.js';

export type EmojiLang = 'zh' | 'en';

/** One table entry, as in the seed's `RongIMEmoji.list` (without its DOM `node`). */
export interface EmojiEntry {
  /** `'u'` + the code points in hex, `-`-joined, U+FE0F left out: `'u1F600'`. */
  readonly unicode: string;
  /** The emoji, fully qualified (`'☝️'`, with U+FE0F, for the seed's text-default `'☝'`). */
  readonly emoji: string;
  /** `[name]` in the configured language: `'[笑嘻嘻]'`. */
  readonly symbol: string;
  /** The name in the configured language. */
  readonly name: string;
  readonly zh: string;
  readonly en: string;
  /** Position in the sprite, for 24 px emoji (the seed's `position`): `'-25px 0px'`. */
  readonly position: string;
  /** The sprite image, if this entry is drawn from one. */
  readonly background: string | undefined;
}

/** An extension entry, in the seed's shape. */
export interface EmojiExtensionEntry {
  /** Chinese name; defaults to `en`. */
  zh?: string;
  /** English name; defaults to `zh`. */
  en?: string;
  /** The emoji; defaults to the code points of the `dataSource` key (`u1F914` → 🤔). */
  tag?: string;
  /** Position in the extension's sprite, for 24 px emoji: `'0 0'`, `'-25px 0px'`. */
  position?: string;
}

export interface EmojiExtension {
  /** Entries keyed like the seed's: `{ u1F914: { zh: '思考', en: 'thinking face', tag: '🤔', position: '0 0' } }`. */
  dataSource: Readonly<Record<string, EmojiExtensionEntry>>;
  /** Sprite image for these entries; defaults to the config's `url`. */
  url?: string;
}

export interface EmojiConfig {
  /** Size in px of sprite-drawn emoji (default 24). */
  size?: number;
  /**
   * Sprite image (http:, https:, data:image/ or relative). When set, HTML output draws each
   * emoji from the sprite, at its table position, instead of relying on the platform's font.
   */
  url?: string;
  /** Language of symbols and names (default `'zh'`). */
  lang?: EmojiLang;
  /** Entries to add, or to override (an entry whose emoji is already in the table replaces it). */
  extension?: EmojiExtension;
  /** Class of the HTML spans (default `'im-emoji'`). */
  className?: string;
}

export interface Emoji {
  readonly lang: EmojiLang;
  readonly size: number;
  readonly className: string;
  /** Built-in entries in table order, then the extension's new entries. */
  readonly list: readonly EmojiEntry[];
  /** `'😀😁测试 Emoji'` → `'[笑嘻嘻][露齿而笑]测试 Emoji'`. */
  emojiToSymbol(text: string): string;
  /** `'[笑嘻嘻][露齿而笑]测试 Emoji'` → `'😀😁测试 Emoji'`; unknown `[…]` stays; `'[[笑嘻嘻]]'` → `'[😀]'`. */
  symbolToEmoji(text: string): string;
  /** Escaped HTML: each table emoji in a span, every other character escaped. */
  emojiToHTML(text: string): string;
  /** Escaped HTML: each symbol and each table emoji in a span, every other character escaped. */
  symbolToHTML(text: string): string;
}

const DEFAULT_SIZE = 24;
const DEFAULT_CLASS = 'im-emoji';
const FE0F = '\uFE0F';
const MAX_NAME_LENGTH = 64;
const MAX_EMOJI_LENGTH = 64;

/** A single code point that defaults to text presentation (needs U+FE0F to be fully qualified). */
const TEXT_DEFAULT = /^\P{Emoji_Presentation}$/u;
/** What an extension emoji may be made of, what it may start with, and what makes it an emoji. */
const EMOJI_CHARS = /^[\p{Emoji}\p{Emoji_Component}\u200D\uFE0F\u20E3\u{E0020}-\u{E007F}]+$/u;
const EMOJI_LEAD = /^(?!\p{Emoji_Modifier})\p{Emoji}/u;
const EMOJI_MARK = /[\p{Extended_Pictographic}\p{Emoji_Presentation}\p{Regional_Indicator}\u20E3\uFE0F]/u;
const NAME = /^[^[\]<>&"'\u0000-\u001f\u007f-\u009f]+$/u;
const POSITION = /^\s*(-?\d+(?:\.\d+)?)(?:px)?\s+(-?\d+(?:\.\d+)?)(?:px)?\s*$/;
const UNICODE_KEY = /^u([0-9a-f]{1,6}(?:[-_][0-9a-f]{1,6})*)$/i;

/** The fully-qualified form: a lone text-default code point gets U+FE0F. */
function qualify(emoji: string): string {
  return TEXT_DEFAULT.test(emoji) ? emoji + FE0F : emoji;
}

const stripFE0F = (emoji: string): string => emoji.replaceAll(FE0F, '');

/** The forms of `emoji` found in text: as given, without U+FE0F, and a lone code point with U+FE0F. */
function aliases(emoji: string): string[] {
  const bare = stripFE0F(emoji);
  const forms = new Set([emoji, bare]);
  if ([...bare].length === 1) forms.add(bare + FE0F);
  return [...forms];
}

const unicodeName = (emoji: string): string =>
  `u${[...stripFE0F(emoji)].map((c) => (c.codePointAt(0) ?? 0).toString(16).toUpperCase()).join('-')}`;

const px = (n: number): string => `${Math.round(n * 1000) / 1000}px`;

interface Row {
  emoji: string;
  zh: string;
  en: string;
  x: number;
  y: number;
  background: string | undefined;
}

function fail(message: string): never {
  throw new TypeError(`emoji: ${message}`);
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH || !NAME.test(name) || name.trim() !== name) {
    fail(`${what} must be 1–${MAX_NAME_LENGTH} characters without brackets, <>&"', controls or outer spaces, not ${JSON.stringify(name)}`);
  }
  return name;
}

let graphemes: Intl.Segmenter | undefined;

/** Checks an extension emoji: made of emoji characters, one grapheme cluster (where Intl.Segmenter exists). */
function checkEmoji(emoji: unknown, what: string): string {
  if (typeof emoji !== 'string' || emoji.length > MAX_EMOJI_LENGTH || !EMOJI_CHARS.test(emoji)
    || !EMOJI_LEAD.test(emoji) || !EMOJI_MARK.test(emoji) || emoji.endsWith('\u200D')) {
    fail(`${what} must be an emoji, not ${JSON.stringify(emoji)}`);
  }
  if (typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function') {
    graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    let count = 0;
    for (const _ of graphemes.segment(emoji)) count++;
    if (count !== 1) fail(`${what} must be a single emoji (one grapheme cluster), not ${JSON.stringify(emoji)}`);
  }
  return emoji;
}

function extensionRows(extension: EmojiExtension, url: string | undefined): Row[] {
  if (typeof extension !== 'object' || extension === null || typeof extension.dataSource !== 'object' || extension.dataSource === null) {
    fail('extension must be { dataSource, url? }');
  }
  const background = extension.url === undefined ? url : checkSpriteUrl(extension.url, 'extension.url');
  return Object.entries(extension.dataSource).map(([key, value]) => {
    const what = `extension.dataSource.${key}`;
    if (typeof value !== 'object' || value === null) fail(`${what} must be an object`);
    let tag: unknown = value.tag;
    if (tag === undefined) {
      const m = UNICODE_KEY.exec(key);
      if (!m?.[1]) fail(`${what} needs a tag, or a key like u1F914`);
      tag = String.fromCodePoint(...m[1].split(/[-_]/).map((h) => parseInt(h, 16)));
    }
    const emoji = qualify(checkEmoji(tag, `${what}.tag`));
    const zh = checkName(value.zh ?? value.en, `${what}.zh`);
    const en = checkName(value.en ?? value.zh, `${what}.en`);
    const m = POSITION.exec(value.position ?? '0 0');
    if (!m) fail(`${what}.position must be like '-25px 0px', not ${JSON.stringify(value.position)}`);
    return { emoji, zh, en, x: Number(m[1]), y: Number(m[2]), background };
  });
}

/** The table: built-ins in order, each extension entry replacing the built-in with its emoji or appended. */
function tableRows(url: string | undefined, extension: EmojiExtension | undefined): Row[] {
  const rows: Row[] = BUILTIN_ROWS.map(([codepoints, zh, en, x, y]) => ({
    emoji: qualify(String.fromCodePoint(...codepoints.split('-').map((h) => parseInt(h, 16)))),
    zh, en, x, y, background: url,
  }));
  if (extension !== undefined) {
    const index = new Map(rows.map((row, i) => [stripFE0F(row.emoji), i]));
    for (const row of extensionRows(extension, url)) {
      const at = index.get(stripFE0F(row.emoji));
      if (at === undefined) {
        index.set(stripFE0F(row.emoji), rows.length);
        rows.push(row);
      } else {
        rows[at] = row;
      }
    }
  }
  for (const lang of ['zh', 'en'] as const) {
    const seen = new Map<string, string>();
    for (const row of rows) {
      const other = seen.get(row[lang]);
      if (other !== undefined) fail(`the ${lang} name ${JSON.stringify(row[lang])} is used by both ${other} and ${row.emoji}`);
      seen.set(row[lang], row.emoji);
    }
  }
  return rows;
}

function spanOpen(entry: EmojiEntry, className: string, size: number, x: number, y: number): string {
  let attributes = `class="${escapeHtml(className)}" data-symbol="${escapeHtml(entry.symbol)}" role="img" aria-label="${escapeHtml(entry.name)}"`;
  if (entry.background !== undefined) {
    // Drawn from the sprite (the seed's geometry: positions scale with size / 24, the sprite's
    // height is fitted to the size). The emoji stays in the span, for copy and paste, but is
    // pushed out of its box.
    const scale = size / DEFAULT_SIZE;
    const style = `display:inline-block;width:${size}px;height:${size}px;overflow:hidden;vertical-align:middle;`
      + 'text-indent:100%;white-space:nowrap;color:transparent;'
      + `background-image:url(${cssString(entry.background)});background-repeat:no-repeat;`
      + `background-size:auto ${size}px;background-position:${px(x * scale)} ${px(y * scale)}`;
    attributes += ` style="${escapeHtml(style)}"`;
  }
  return `<span ${attributes}>`;
}

function checkText(text: unknown): string {
  if (typeof text !== 'string') throw new TypeError(`emoji: expected a string, got ${typeof text}`);
  return text;
}

/** A converter with its own table and options: two widgets on one page don't share state. */
export function createEmoji(config: EmojiConfig = {}): Emoji {
  if (typeof config !== 'object' || config === null) fail('config must be an object');
  const lang = config.lang ?? 'zh';
  if (lang !== 'zh' && lang !== 'en') fail(`lang must be 'zh' or 'en', not ${JSON.stringify(lang)}`);
  const size = config.size ?? DEFAULT_SIZE;
  if (typeof size !== 'number' || !(size > 0 && size <= 1024)) fail(`size must be a number of px in (0, 1024], not ${JSON.stringify(size)}`);
  const className = config.className ?? DEFAULT_CLASS;
  if (typeof className !== 'string' || className.trim() === '') fail('className must be a non-empty string');
  const url = config.url === undefined ? undefined : checkSpriteUrl(config.url);

  const rows = tableRows(url, config.extension);
  const list: EmojiEntry[] = [];
  const keys: [string, Target][] = [];
  const names: [string, Target][] = [];
  for (const row of rows) {
    const name = row[lang];
    const entry: EmojiEntry = Object.freeze({
      unicode: unicodeName(row.emoji), emoji: row.emoji, symbol: `[${name}]`, name, zh: row.zh, en: row.en,
      position: `${px(row.x)} ${px(row.y)}`, background: row.background,
    });
    const open = spanOpen(entry, className, size, row.x, row.y);
    const target: Target = { symbol: entry.symbol, emoji: entry.emoji, spanOpen: open, html: open + entry.emoji + SPAN_CLOSE };
    list.push(entry);
    for (const key of aliases(entry.emoji)) keys.push([key, target]);
    names.push([name, target]);
  }
  const table = buildTable(keys, names);

  return Object.freeze({
    lang,
    size,
    className,
    list: Object.freeze(list),
    emojiToSymbol: (text: string) => convert(checkText(text), table, true, false, TO_SYMBOL),
    symbolToEmoji: (text: string) => convert(checkText(text), table, false, true, TO_EMOJI),
    emojiToHTML: (text: string) => convert(checkText(text), table, true, false, TO_HTML),
    symbolToHTML: (text: string) => convert(checkText(text), table, true, true, TO_HTML),
  });
}

