import { html } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { ImElement } from '../internal/im-element.js';
import { tokens } from '../internal/theme.js';
import { BUILTIN_CATEGORY_ID, createEmoji, RecentEmoji, type Emoji, type PickerCategory, type PickerEmoji, type RecentEmojiStore } from '../../emoji/index.js';
import { builtinCategory, loadPickerCategories } from '../../emoji/picker.js';
import { styles } from './emoji-picker.styles.js';

const COLUMNS = 8;
const RECENT_ID = 'recent';

const emojiByLang = new Map<'zh' | 'en', Emoji>();
const emojiFor = (lang: 'zh' | 'en'): Emoji => {
  let emoji = emojiByLang.get(lang);
  if (!emoji) emojiByLang.set(lang, (emoji = createEmoji({ lang })));
  return emoji;
};

/** Recent emoji live here until a persistent store is given (`recentStore`). */
const memoryStore: RecentEmojiStore = (() => {
  const values = new Map<string, unknown>();
  return { get: async (key) => values.get(key), set: async (key, value) => void values.set(key, value) };
})();

/**
 * Emoji to pick from: recently used, the 128 built-in emoji, then the full Unicode set (loaded
 * when first shown), searchable by zh and en names.
 *
 * @summary Emoji grid with categories, search and recent emoji; arrow keys move, Enter picks,
 *   Escape closes.
 *
 * @event im-emoji-select - An emoji was picked: `{emoji, symbol}` (symbol is `[name]` for built-ins, else '').
 * @event im-emoji-close - The picker asks to close (Escape).
 *
 * @csspart search - The search input.
 * @csspart tabs - The category tabs (a row that scrolls sideways when they do not fit).
 * @csspart grid - The grid of emoji.
 * @csspart emoji - One emoji button.
 *
 * @cssproperty --im-emoji-picker-width - Width (320px).
 * @cssproperty --im-emoji-picker-height - Height of the grid (220px).
 * @cssproperty --im-emoji-picker-emoji-size - Emoji font size (22px).
 */
export class ImEmojiPicker extends ImElement {
  static override styles = [tokens, styles];

  /** Whose recent emoji to show and keep. */
  @property({ attribute: 'user-id' }) userId = 'anonymous';
  /** Where recent emoji are kept (default: memory for this page). */
  @property({ attribute: false }) recentStore: RecentEmojiStore = memoryStore;

  @state() private categories: PickerCategory[] = [];
  @state() private selected: string = BUILTIN_CATEGORY_ID;
  @state() private query = '';
  @state() private recent: string[] = [];
  @state() private focusIndex = 0;

  private get emoji(): Emoji {
    return emojiFor(this.language === 'zh-CN' ? 'zh' : 'en');
  }

  private recentCache: { store: RecentEmojiStore; userId: string; recent: RecentEmoji } | undefined;

  /**
   * One RecentEmoji per store and user: it runs its reads and writes one after another, so
   * quick picks must all go through the same one or an `add` could be lost.
   */
  private get recentEmoji(): RecentEmoji {
    const userId = this.userId || 'anonymous';
    const cached = this.recentCache;
    if (cached?.store === this.recentStore && cached.userId === userId) return cached.recent;
    const recent = new RecentEmoji(this.recentStore, userId);
    this.recentCache = { store: this.recentStore, userId, recent };
    return recent;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.categories = [builtinCategory(this.emoji)];
    void this.recentEmoji.list().then((recent) => {
      this.recent = recent;
    });
    loadPickerCategories(this.emoji).then((all) => {
      this.categories = all;
    }, () => undefined); // The built-ins still work when the full set cannot load.
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
  }

  /** The emoji shown: the search result, or the selected category. */
  private shown(): PickerEmoji[] {
    const query = this.query.trim().toLowerCase();
    if (query) {
      const seen = new Set<string>();
      const found: PickerEmoji[] = [];
      for (const category of this.categories) {
        for (const entry of category.emoji) {
          if (seen.has(entry.emoji)) continue;
          // zh names match anywhere; en names at the start of a word ("cat" is not "identification").
          if (entry.zh.includes(query) || ` ${entry.en.toLowerCase()}`.includes(` ${query}`)) {
            seen.add(entry.emoji);
            found.push(entry);
          }
        }
      }
      return found.slice(0, 200);
    }
    if (this.selected === RECENT_ID) {
      const byEmoji = new Map(this.categories.flatMap((category) => category.emoji.map((entry) => [entry.emoji, entry] as const)));
      return this.recent.map((emoji) => byEmoji.get(emoji) ?? { emoji, name: emoji, zh: emoji, en: emoji, symbol: undefined, version: undefined });
    }
    return [...(this.categories.find((category) => category.id === this.selected)?.emoji ?? [])];
  }

  private pick(entry: PickerEmoji): void {
    this.emit('im-emoji-select', { emoji: entry.emoji, symbol: entry.symbol ?? '' });
    void this.recentEmoji.add(entry.emoji).then((recent) => {
      this.recent = recent;
    });
  }

  private selectTab(id: string, tab: HTMLElement): void {
    this.selected = id;
    this.query = '';
    this.focusIndex = 0;
    // A tab half outside the scrolled row comes wholly into view.
    tab.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  private focusCell(index: number): void {
    this.focusIndex = index;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`.grid button[data-index="${index}"]`)?.focus());
  }

  // Arrow functions: stable listeners.
  private readonly onGridKeyDown = (event: KeyboardEvent) => {
    const count = this.shown().length;
    if (count === 0) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    if (event.key in moves) {
      event.preventDefault();
      this.focusCell(Math.max(0, Math.min(count - 1, this.focusIndex + moves[event.key]!)));
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      this.focusCell(event.key === 'Home' ? 0 : count - 1);
    }
  };

  private readonly onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.emit('im-emoji-close', {});
    } else if (event.key === 'ArrowDown' && event.target instanceof HTMLInputElement) {
      event.preventDefault();
      this.focusCell(0);
    }
  };

  override render() {
    const strings = this.strings;
    const zh = this.language === 'zh-CN';
    const shown = this.shown();
    const focusIndex = Math.min(this.focusIndex, Math.max(0, shown.length - 1));
    const tabs = [
      { id: RECENT_ID, name: strings.recentEmoji },
      ...this.categories.map((category) => ({ id: category.id, name: category.id === 'builtin' ? strings.builtinEmoji : zh ? category.zh : category.en })),
    ];
    return html`
      <div @keydown=${this.onKeyDown}>
        <input part="search" type="search" aria-label=${strings.searchEmoji} placeholder=${strings.searchEmoji}
          .value=${this.query} @input=${(event: Event) => { this.query = (event.target as HTMLInputElement).value; this.focusIndex = 0; }}>
        <div part="tabs" class="tabs" role="tablist" aria-label=${strings.emoji}>
          ${tabs.map((tab) => html`
            <button type="button" role="tab" aria-selected=${!this.query && tab.id === this.selected ? 'true' : 'false'}
              @click=${(event: Event) => this.selectTab(tab.id, event.currentTarget as HTMLElement)}>${tab.name}</button>`)}
        </div>
        <div part="grid" class="grid" role="group" aria-label=${this.query ? strings.searchEmoji : tabs.find((t) => t.id === this.selected)?.name ?? ''}
          style="--_columns: ${COLUMNS}" @keydown=${this.onGridKeyDown}>
          ${shown.length === 0
            ? html`<p class="empty">${strings.noEmojiFound}</p>`
            : repeat(shown, (entry) => entry.emoji, (entry, index) => html`
              <button part="emoji" type="button" data-index=${index} tabindex=${index === focusIndex ? 0 : -1}
                aria-label=${zh ? entry.zh : entry.en} title=${zh ? entry.zh : entry.en}
                @click=${() => this.pick(entry)} @focus=${() => { this.focusIndex = index; }}>${entry.emoji}</button>`)}
        </div>
      </div>`;
  }
}
