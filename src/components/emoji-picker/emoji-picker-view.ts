import { html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Lang, Strings } from '../internal/strings.js';
import type { ImEventDetails } from '../internal/im-element.js';
import { BUILTIN_CATEGORY_ID, createEmoji, RecentEmoji, type Emoji, type PickerCategory, type PickerEmoji, type RecentEmojiStore } from '../../emoji/index.js';
import { builtinCategory, loadPickerCategories } from '../../emoji/picker.js';

/**
 * What `<im-emoji-picker>` does once opened: its grid, tabs, search and recent emoji, loaded on
 * first use (the element itself, defined with the others, only stands in until then; see
 * emoji-picker.ts). A chunk of the ES module build, a sibling module of the script tag.
 */

/** The element, as the view sees it. */
export interface PickerHost {
  readonly userId: string;
  readonly recentStore: RecentEmojiStore;
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly updateComplete: Promise<boolean>;
  requestUpdate(): void;
}

/** The element's protected members the view uses. */
export interface PickerAccess {
  language(): Lang;
  strings(): Strings;
  emit<K extends keyof ImEventDetails>(name: K, detail: ImEventDetails[K]): void;
}

const COLUMNS = 8;
const RECENT_ID = 'recent';

const emojiByLang = new Map<'zh' | 'en', Emoji>();
const emojiFor = (lang: 'zh' | 'en'): Emoji => {
  let emoji = emojiByLang.get(lang);
  if (!emoji) emojiByLang.set(lang, (emoji = createEmoji({ lang })));
  return emoji;
};

export class EmojiPickerView {
  private categories: PickerCategory[] = [];
  private selected: string = BUILTIN_CATEGORY_ID;
  private query = '';
  private recent: string[] = [];
  private focusIndex = 0;
  private recentCache: { store: RecentEmojiStore; userId: string; recent: RecentEmoji } | undefined;

  constructor(private readonly host: PickerHost, private readonly access: PickerAccess) {
    this.connected(false);
  }

  private get emoji(): Emoji {
    return emojiFor(this.access.language() === 'zh-CN' ? 'zh' : 'en');
  }

  /** Sets state and renders the element again (the element's own @state() did this before). */
  private set(patch: Partial<{ categories: PickerCategory[]; selected: string; query: string; recent: string[]; focusIndex: number }>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }

  /**
   * One RecentEmoji per store and user: it runs its reads and writes one after another, so
   * quick picks must all go through the same one or an `add` could be lost.
   */
  private get recentEmoji(): RecentEmoji {
    const userId = this.host.userId || 'anonymous';
    const cached = this.recentCache;
    if (cached?.store === this.host.recentStore && cached.userId === userId) return cached.recent;
    const recent = new RecentEmoji(this.host.recentStore, userId);
    this.recentCache = { store: this.host.recentStore, userId, recent };
    return recent;
  }

  /** The element was connected: the view is made when it first renders, and told when it comes back. */
  connected(update = true): void {
    this.categories = [builtinCategory(this.emoji)];
    if (update) this.host.requestUpdate();
    void this.recentEmoji.list().then((recent) => this.set({ recent }));
    loadPickerCategories(this.emoji).then((all) => this.set({ categories: all }), () => undefined); // The built-ins still work when the full set cannot load.
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
    this.access.emit('im-emoji-select', { emoji: entry.emoji, symbol: entry.symbol ?? '' });
    void this.recentEmoji.add(entry.emoji).then((recent) => this.set({ recent }));
  }

  private selectTab(id: string, tab: HTMLElement): void {
    this.set({ selected: id, query: '', focusIndex: 0 });
    // A tab half outside the scrolled row comes wholly into view.
    tab.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  private focusCell(index: number): void {
    this.set({ focusIndex: index });
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>(`.grid button[data-index="${index}"]`)?.focus());
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
      this.access.emit('im-emoji-close', {});
    } else if (event.key === 'ArrowDown' && event.target instanceof HTMLInputElement) {
      event.preventDefault();
      this.focusCell(0);
    }
  };

  render() {
    const strings = this.access.strings();
    const zh = this.access.language() === 'zh-CN';
    const shown = this.shown();
    const focusIndex = Math.min(this.focusIndex, Math.max(0, shown.length - 1));
    const tabs = [
      { id: RECENT_ID, name: strings.recentEmoji },
      ...this.categories.map((category) => ({ id: category.id, name: category.id === 'builtin' ? strings.builtinEmoji : zh ? category.zh : category.en })),
    ];
    return html`
      <div @keydown=${this.onKeyDown}>
        <input part="search" type="search" aria-label=${strings.searchEmoji} placeholder=${strings.searchEmoji}
          .value=${this.query} @input=${(event: Event) => this.set({ query: (event.target as HTMLInputElement).value, focusIndex: 0 })}>
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
                @click=${() => this.pick(entry)} @focus=${() => this.set({ focusIndex: index })}>${entry.emoji}</button>`)}
        </div>
      </div>`;
  }
}
