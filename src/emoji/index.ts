/**
 * The emoji module: what the seed's emoji plugin (seed 004, "Emoji 插件") gave RongCloud users,
 * as an npm module with no dependencies that works in browsers and Node and touches no DOM.
 *
 * Seed-style module functions use one default instance (`init(config)` replaces it);
 * `createEmoji(config)` gives an independent instance, e.g. one per widget on a page.
 *
 *   import { emojiToSymbol, symbolToHTML, init } from './emoji/index.js';
 *   emojiToSymbol('😀😁测试 Emoji');   // '[笑嘻嘻][露齿而笑]测试 Emoji'
 *   symbolToHTML('<b>[笑嘻嘻]');       // '&lt;b&gt;<span class="im-emoji" data-symbol="[笑嘻嘻]" role="img" aria-label="笑嘻嘻">😀</span>'
 */
import { createEmoji, type Emoji, type EmojiConfig, type EmojiEntry } from './emoji.js';
import { builtinCategory as categoryOf, loadPickerCategories as loadCategoriesOf, type PickerCategory } from './picker.js';

export { createEmoji } from './emoji.js';
export type { Emoji, EmojiConfig, EmojiEntry, EmojiExtension, EmojiExtensionEntry, EmojiLang } from './emoji.js';
export { BUILTIN_CATEGORY_ID } from './picker.js';
export type { PickerCategory, PickerEmoji } from './picker.js';
export { DEFAULT_RECENT_LIMIT, RecentEmoji } from './recent.js';
export type { RecentEmojiOptions, RecentEmojiStore } from './recent.js';
export { checkSpriteUrl, escapeHtml } from './html.js';

let instance: Emoji | undefined;

function current(): Emoji {
  if (instance === undefined) {
    instance = createEmoji();
    list = instance.list;
  }
  return instance;
}

/**
 * The default instance's entries (the seed's `RongIMEmoji.list`), in table order: a live
 * binding that `init()` replaces.
 */
export let list: readonly EmojiEntry[] = /* @__PURE__ */ defaultList();

function defaultList(): readonly EmojiEntry[] {
  return (instance ??= createEmoji()).list;
}

/** Configures the default instance (the seed's `RongIMEmoji.init(config)`); returns it. */
export function init(config?: EmojiConfig): Emoji {
  instance = createEmoji(config);
  list = instance.list;
  return instance;
}

/** `'😀😁测试 Emoji'` → `'[笑嘻嘻][露齿而笑]测试 Emoji'` (default instance). */
export function emojiToSymbol(text: string): string {
  return current().emojiToSymbol(text);
}

/** `'[笑嘻嘻][露齿而笑]测试 Emoji'` → `'😀😁测试 Emoji'` (default instance). */
export function symbolToEmoji(text: string): string {
  return current().symbolToEmoji(text);
}

/** Escaped HTML with each table emoji in a span (default instance). */
export function emojiToHTML(text: string): string {
  return current().emojiToHTML(text);
}

/** Escaped HTML with each symbol and table emoji in a span (default instance). */
export function symbolToHTML(text: string): string {
  return current().symbolToHTML(text);
}

/** The picker's first category, synchronously: the table of `emoji` (default: the default instance). */
export function builtinCategory(emoji: Emoji = current()): PickerCategory {
  return categoryOf(emoji);
}

/** Every picker category: the table, then the full Unicode set, loaded lazily as its own chunk. */
export function loadPickerCategories(emoji: Emoji = current()): Promise<PickerCategory[]> {
  return loadCategoriesOf(emoji);
}
