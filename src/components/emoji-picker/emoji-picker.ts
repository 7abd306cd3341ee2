import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ImElement } from '../internal/im-element.js';
import { LazyChunk } from '../internal/lazy.js';
import { tokens } from '../internal/theme.js';
import type { RecentEmojiStore } from '../../emoji/index.js';
import type { EmojiPickerView } from './emoji-picker-view.js';
import { styles } from './emoji-picker.styles.js';

/**
 * The picker's grid, tabs, search and recent emoji (./emoji-picker-view.ts) are loaded the first
 * time a picker is shown, or on intent (the composer's emoji button, pointer over or focus): a
 * chunk of the ES module build, a sibling module of the script tag (rollup.config.mjs). Until
 * then the element shows the same frame (search box, tabs, grid) without emoji, so nothing moves
 * when they come; a failed load shows Retry there.
 */
export const pickerView = new LazyChunk(() => import('./emoji-picker-view.js'));

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
 * @csspart retry - Retry, shown in the grid when the picker's emoji could not be loaded (offline).
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

  /** The view's module could not be loaded (offline): Retry. */
  @state() private loadFailed = false;
  private view: EmojiPickerView | undefined;
  /** Settles once the view's module is loaded or has failed to (`updateComplete` waits for it). */
  private loading: Promise<void> | undefined;
  private focused = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.view) this.view.connected();
    else this.load();
  }

  private load(): void {
    if (pickerView.module) return;
    this.loadFailed = false;
    this.loading = pickerView.load().then(() => this.requestUpdate(), () => {
      this.loadFailed = true;
    });
  }

  protected override async getUpdateComplete(): Promise<boolean> {
    await this.loading;
    return super.getUpdateComplete();
  }

  override updated(): void {
    // The search box takes the focus when the picker first shows its emoji, as it opens.
    if (this.view && !this.focused) {
      this.focused = true;
      this.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
    }
  }

  override render() {
    const module = pickerView.module;
    if (module) {
      this.view ??= new module.EmojiPickerView(this, {
        language: () => this.language,
        strings: () => this.strings,
        emit: (name, detail) => void this.emit(name, detail),
      });
      return this.view.render();
    }
    // The same frame as the view's first render, without emoji.
    const strings = this.strings;
    return html`
      <div aria-busy=${this.loadFailed ? 'false' : 'true'}>
        <input part="search" type="search" aria-label=${strings.searchEmoji} placeholder=${strings.searchEmoji} disabled>
        <div part="tabs" class="tabs">
          <button type="button" disabled>${strings.recentEmoji}</button><button type="button" disabled aria-selected="true">${strings.builtinEmoji}</button>
        </div>
        <div part="grid" class="grid">
          ${this.loadFailed ? html`<p class="empty"><button type="button" part="retry" @click=${() => this.load()}>${strings.partFailed}</button></p>` : nothing}
        </div>
      </div>`;
  }
}
