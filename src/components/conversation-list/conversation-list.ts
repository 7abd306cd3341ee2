import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { actionsChunk } from '../internal/actions.js';
import { ImElement } from '../internal/im-element.js';
import { lazy } from '../internal/lazy.js';
import { StoreController } from '../internal/store-controller.js';
import { tokens } from '../internal/theme.js';
import { avatarColor, initials, previewText, safeImageUrl, shortTime, typingLabel } from '../internal/format.js';
import { icon } from '../internal/icons.js';
import type { Strings } from '../internal/strings.js';
import type { ChatSession } from '../../core/client/chat-session.js';
import type { ConversationSearchResult } from '../../core/client/conversation-tools.js';
import { conversationName, entryOf, selectTypingUsers, type ChatState, type ConversationEntry, type ConversationRef } from '../../core/store/chat-state.js';
import { styles } from './conversation-list.styles.js';
import { presenceDot, presenceStyles } from '../internal/presence.js';

const selectList = (state: ChatState) => state.conversations;
const selectUsers = (state: ChatState) => state.users;
const selectActive = (state: ChatState) => state.activeKey;
/** Intent (pointer over, focus on what opens them): the results, the form and the menu's chunk. */
const prefetchActions = () => actionsChunk.prefetch();

/**
 * The user's conversations, pinned first, then by latest activity. A "New conversation" button
 * above them opens a small form: the user id of the person to write to, then Start (Enter);
 * Escape or Cancel closes it. Attribute `no-new-conversation` hides the button.
 *
 * @summary Conversation list with avatars, previews, unread badges; a keyboard-navigable listbox.
 *
 * @event im-conversation-select - A conversation was chosen (click, Enter or Space), or started
 *   with the form. Cancelable: when not prevented, the conversation is opened in the session.
 * @event im-conversation-start - A private conversation is to be started from the form:
 *   `{conversationType: 1, targetId}`. Cancelable: when not prevented, the form closes and the
 *   conversation is selected (`im-conversation-select`) and opened, messages or none;
 *   preventDefault() leaves the form open with what was typed.
 *
 * A right click on a row, or the context-menu key (or Shift+F10) on the focused row, opens its
 * menu: pin to top or unpin, mute or unmute. Both are kept on the server for the user and follow
 * on their other devices (`session.setPinned`, `session.setMuted`); a muted conversation's
 * unread count shows grey and is left out of the total. In the menu, the arrow keys, Home and End
 * move; Escape or Tab closes it and gives the focus back to the row.
 *
 * The search box above the list finds the user's conversations with messages containing what is
 * typed (on the server: any case, Chinese of one character too); the list then shows those, each
 * with how many messages match and the newest of them, and choosing one opens it. Escape or
 * clearing the box shows the list again. Attribute `no-search` hides the box.
 *
 * The results, the form and the row menu come with the widget's actions chunk, fetched when
 * idle after the first render or when the user reaches for them; one opened before it came shows
 * when it comes, and a failed fetch shows a retry where the part would be.
 *
 * @slot empty - Shown when there are no conversations.
 *
 * @csspart header - The bar above the list holding the "New conversation" button.
 * @csspart new-conversation-button - The "New conversation" button.
 * @csspart new-conversation-form - The form asking for the user id (input, Start, Cancel, a message when the id is refused).
 * @csspart list - The listbox.
 * @csspart item - One conversation row.
 * @csspart presence - A private chat's user's online status on the avatar (online, away, busy, offline: shape, colour, name).
 * @csspart avatar - The avatar (picture, or initials on a colour of the user's or group's own).
 * @csspart name - The conversation's name.
 * @csspart preview - The last message, as text.
 * @csspart time - Time of the last activity.
 * @csspart badge - The unread count.
 * @csspart conversation-menu - A row's menu (pin, mute).
 * @csspart search - The search box.
 * @csspart search-results - The conversations found, in place of the list while searching.
 * @csspart loading - Shown until the list has loaded.
 * @csspart error - Shown instead of `loading` when the session cannot connect: a refused token
 *   (with the seed's code), an unreachable server (with the time of the next attempt), a kick.
 * @csspart retry-button - In `error`, while retrying: tries to connect now.
 *
 * @cssproperty --im-conversation-list-row-height - Minimum row height (64px).
 * @cssproperty --im-conversation-list-selected-background - Background of the open conversation.
 * @cssproperty --im-avatar-size - Avatar size (40px).
 * @cssproperty --im-color-primary - Accent colour (the "New conversation" button).
 * @cssproperty --im-color-primary-text - Accent as text ("typing…"); in the dark theme the accent lightened by half.
 * @cssproperty --im-color-badge - Unread badge colour.
 */
export class ImConversationList extends ImElement {
  static override styles = [tokens, styles, presenceStyles];

  /** The session to show; by default the one provided by an enclosing im-chat or im-provider. */
  @property({ attribute: false }) session?: ChatSession;

  /** Hides the "New conversation" button and form. */
  @property({ type: Boolean, attribute: 'no-new-conversation', reflect: true }) noNewConversation = false;

  /** Hides the message search box. */
  @property({ type: Boolean, attribute: 'no-search', reflect: true }) noSearch = false;

  /** What the search box holds, and what was found for it (undefined while asking, or with an empty box). */
  @state() private searchText = '';
  @state() private found: { text: string; results: ConversationSearchResult[] } | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  /** Index of the row that holds the tab stop (roving tabindex). */
  @state() private focusIndex = 0;
  /** The "New conversation" form is open. */
  @state() private starting = false;
  /** @internal Why the id in the form was refused, shown under it. */
  @state() startError = '';
  /** The row whose menu is open, and where (viewport coordinates). */
  @state() private menu: { key: string; x: number; y: number } | undefined;
  @query('#new-conversation-id') private startInput?: HTMLInputElement;
  @query('[part="new-conversation-button"]') private startButton?: HTMLButtonElement;

  // The members marked @internal are for ./list-actions.ts (search results, the form, a row's
  // menu, in the actions chunk): not public API, left out of the published
  // declarations (stripInternal); the chunk's functions check the element's shape where they take it.

  /** @internal */
  readonly list = new StoreController(this, selectList);
  private readonly users = new StoreController(this, selectUsers);
  private readonly active = new StoreController(this, selectActive);
  private readonly groups = new StoreController(this, (state: ChatState) => state.groups);
  private readonly typing = new StoreController(this, (state: ChatState) => state.typing);
  private readonly connection = new StoreController(this, (state: ChatState) => state.connectionError);
  private readonly status = new StoreController(this, (state: ChatState) => state.status);
  private readonly presence = new StoreController(this, (state: ChatState) => state.presence);
  /** The private chats' users whose presence is watched, and how to stop. */
  private watching = { ids: '', stop: () => {} };
  /** Counts down to the next connection attempt while a connection error is shown. */
  private countdown: ReturnType<typeof setInterval> | undefined;

  /** Relative times ("5 min ago") move on by themselves. */
  private clock: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.clock = setInterval(() => this.requestUpdate(), 60_000);
  }

  /** After the first render, when the browser is idle: the chunk with the search results, the form and the menus. */
  override firstUpdated(): void {
    actionsChunk.prefetchWhenIdle();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.watching.stop();
    this.watching = { ids: '', stop: () => {} };
    clearInterval(this.clock);
    clearInterval(this.countdown);
    clearTimeout(this.searchTimer);
    this.countdown = undefined;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('session')) {
      for (const controller of [this.list, this.users, this.active, this.groups, this.typing, this.connection, this.status, this.presence]) controller.attach();
    }
    this.watchPresence();
    const retrying = this.connection.value?.retryAt !== undefined && this.isConnected;
    if (retrying && !this.countdown) this.countdown = setInterval(() => this.requestUpdate(), 1000);
    else if (!retrying && this.countdown) {
      clearInterval(this.countdown);
      this.countdown = undefined;
    }
  }

  /** Watches the presence of the private chats' users listed (the first 190: a connection subscribes to 200 at most, the panel needs one). */
  private watchPresence(): void {
    const session = this.list.current;
    const ids = session ? this.entries().filter((entry) => entry.conversationType === 1 && entry.targetId !== session.state.userId)
      .slice(0, 190).map((entry) => entry.targetId) : [];
    const key = ids.join(' ');
    if (key === this.watching.ids) return;
    const stop = this.watching.stop;
    this.watching = { ids: key, stop: session && ids.length ? session.social.watch(ids) : () => {} };
    stop();
  }

  private entries(): ConversationEntry[] {
    const list = this.list.value;
    return list ? list.keys.map((key) => list.byKey[key]!) : [];
  }

  /** @internal */
  nameOf(conversation: ConversationRef): string {
    return conversationName({ users: this.users.value ?? {}, groups: this.groups.value ?? {} }, conversation);
  }

  /** @internal */
  select(conversation: ConversationRef): void {
    const detail = { conversationType: conversation.conversationType, targetId: conversation.targetId };
    if (this.emit('im-conversation-select', detail, { cancelable: true })) {
      this.list.current?.open(detail).catch(() => undefined);
    }
  }

  /** Opens the form, its input focused once it shows (with the actions chunk, when that comes later). */
  private openStartForm(): void {
    this.starting = true;
    this.startError = '';
    this.focusStartInput();
  }

  /** Once the form shows (with the actions chunk): its button says so, and its input has the focus. */
  private focusStartInput(): void {
    this.focusWhenDrawn(() => this.startInput?.focus(), false);
  }

  /**
   * `focus` once a part drawn by the actions chunk is there: the chunk loaded and this list
   * updated (what depends on the chunk being here, such as `aria-expanded`, with it); with
   * `orRetry`, also when it could not be fetched and the part's retry stands in its place (by
   * the end of the update waited for, the lazy part has heard of the failure and drawn it).
   */
  private focusWhenDrawn(focus: () => void, orRetry: boolean): void {
    const drawn = () => {
      this.requestUpdate();
      return this.updateComplete.then(focus);
    };
    actionsChunk.load().then(drawn, () => (orRetry ? drawn() : undefined));
  }

  /** @internal */
  closeStartForm(): void {
    this.starting = false;
    this.startError = '';
    void this.updateComplete.then(() => this.startButton?.focus());
  }

  /** @internal */
  startFromForm(targetId: string): void {
    const detail = { conversationType: 1, targetId };
    if (!this.emit('im-conversation-start', detail, { cancelable: true })) return;
    this.starting = false;
    this.select(detail);
  }

  private readonly onSearchInput = (event: InputEvent) => {
    this.searchText = (event.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    const text = this.searchText.trim();
    if (!text) {
      this.found = undefined;
      return;
    }
    // Asked once typing pauses; an answer for an older text is dropped.
    this.searchTimer = setTimeout(() => {
      const session = this.list.current;
      session?.searchConversations(text).then(
        (results) => { if (this.searchText.trim() === text) this.found = { text, results }; },
        () => { if (this.searchText.trim() === text) this.found = { text, results: [] }; },
      );
    }, 250);
  };

  private readonly onSearchKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !this.searchText) return;
    event.preventDefault();
    event.stopPropagation();
    this.clearSearch();
  };

  /** @internal */
  clearSearch(): void {
    clearTimeout(this.searchTimer);
    this.searchText = '';
    this.found = undefined;
  }

  private renderSearch() {
    if (this.noSearch) return nothing;
    const strings = this.strings;
    return html`<div part="search" class="search" role="search">
        <input type="search" aria-label=${strings.searchMessages} placeholder=${strings.searchMessages} autocomplete="off"
          .value=${this.searchText} @input=${this.onSearchInput} @keydown=${this.onSearchKeyDown} @focus=${prefetchActions}>
      </div>`;
  }

  /** The conversations found, drawn by the actions chunk ("Searching…" until it is here). */
  private renderResults() {
    const strings = this.strings;
    const found = this.found;
    const searching = html`<p class="empty" role="status">${strings.searching}</p>`;
    if (!found || found.text !== this.searchText.trim()) return searching;
    return lazy(actionsChunk, ({ listActions }) => listActions.renderResults(this, found.results, strings), (failed, retry) => (failed
      ? html`<p class="empty" role="status"><button type="button" class="retry" @click=${retry}>${strings.partFailed}</button></p>`
      : searching));
  }

  private renderHeader() {
    if (this.noNewConversation) return nothing;
    const strings = this.strings;
    // Expanded once the form is there: while the actions chunk comes, it controls nothing yet.
    const formShown = this.starting && actionsChunk.module !== undefined;
    return html`
      <div part="header" class="header">
        <button part="new-conversation-button" class="new" type="button" aria-expanded=${formShown ? 'true' : 'false'}
          aria-controls=${formShown ? 'new-conversation' : nothing} @click=${() => (this.starting ? this.closeStartForm() : this.openStartForm())}
          @pointerenter=${prefetchActions} @focus=${prefetchActions}>
          ${icon('plus')}<span>${strings.newConversation}</span>
        </button>
        ${this.starting
          ? lazy(actionsChunk, ({ listActions }) => listActions.renderStartForm(this, strings), (failed, retry) => (failed
            ? html`<p class="start"><button type="button" class="retry" @click=${() => { retry(); this.focusStartInput(); }}>${strings.partFailed}</button></p>`
            : html``))
          : nothing}
      </div>`;
  }

  // Arrow function: a stable listener for every row.
  private readonly onKeyDown = (event: KeyboardEvent) => {
    const entries = this.entries();
    if (entries.length === 0) return;
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, Home: -Infinity, End: Infinity };
    if (event.key in moves) {
      event.preventDefault();
      const move = moves[event.key]!;
      const next = Number.isFinite(move) ? this.focusIndex + move : move < 0 ? 0 : entries.length - 1;
      this.focusIndex = Math.max(0, Math.min(entries.length - 1, next));
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`li[data-index="${this.focusIndex}"]`)?.focus());
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const entry = entries[this.focusIndex];
      if (entry) this.select(entry);
    } else if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
      event.preventDefault();
      const entry = entries[this.focusIndex];
      const row = this.renderRoot.querySelector<HTMLElement>(`li[data-index="${this.focusIndex}"]`);
      if (entry && row) {
        const box = row.getBoundingClientRect();
        this.openMenu(entry.key, box.left + box.width / 2, box.top + box.height / 2);
      }
    }
  };

  /** Opens a row's menu, its first item focused once it shows (with the actions chunk, when that comes later). */
  private openMenu(key: string, x: number, y: number): void {
    this.menu = { key, x, y };
    this.focusMenu();
  }

  /** Focus on the menu's first item once it shows: its first action, or its retry when the chunk could not be fetched. */
  private focusMenu(): void {
    this.focusWhenDrawn(() => this.renderRoot.querySelector<HTMLElement>('[part="conversation-menu"] [role="menuitem"]')?.focus(), true);
  }

  /** @internal */
  closeMenu(refocus: boolean): void {
    const key = this.menu?.key;
    this.menu = undefined;
    if (refocus && key) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`li[data-key="${CSS.escape(key)}"]`)?.focus());
  }

  /** A row's menu, drawn by the actions chunk; when that could not be loaded, a menu of one item: retry. */
  private renderMenu() {
    const entry = this.menu && this.list.value?.byKey[this.menu.key];
    if (!this.menu || !entry) return nothing;
    const strings = this.strings;
    const place = {
      left: `${Math.max(8, Math.min(this.menu.x, window.innerWidth - 200))}px`,
      top: `${Math.max(8, Math.min(this.menu.y, window.innerHeight - 100))}px`,
    };
    return lazy(actionsChunk, ({ listActions }) => listActions.renderMenu(this, entry, place, strings), (failed, retry) => (failed
      ? html`<div part="conversation-menu" class="menu" role="menu" style=${styleMap(place)}
          @keydown=${(event: KeyboardEvent) => { if (event.key === 'Escape') this.closeMenu(true); }}
          @focusout=${(event: FocusEvent) => {
            // Focus gone elsewhere closes it (not the retry's own removal: no related target then).
            const to = event.relatedTarget as Node | null;
            if (to && !(event.currentTarget as HTMLElement).contains(to)) this.closeMenu(false);
          }}>
          <button type="button" role="menuitem" @click=${() => { retry(); this.focusMenu(); }}>${strings.partFailed}</button>
        </div>`
      : html``));
  }

  override render() {
    return html`${this.renderSearch()}${this.renderHeader()}${this.searchText.trim() ? this.renderResults() : this.renderList()}${this.renderMenu()}`;
  }

  /**
   * Nothing to list yet: why, when the session cannot connect (a refused token, an unreachable
   * server, a kick), so that the reader never waits on "Loading…" for something that will not come.
   */
  private renderNotLoaded(strings: Strings) {
    const error = this.connection.value;
    if (error?.fatal) {
      return html`<p part="error" class="empty error" role="alert">${this.status.value === 6 ? strings.status[6] : strings.signInFailed(error.code)}</p>`;
    }
    if (error) {
      const seconds = Math.max(0, Math.ceil(((error.retryAt ?? 0) - Date.now()) / 1000));
      return html`<div part="error" class="empty error" role="status">
          <p>${strings.unreachable(error.code)} ${strings.retryingIn(seconds)}</p>
          <button part="retry-button" type="button" class="retry" @click=${() => this.list.current?.retryNow()}>${strings.retryNow}</button>
        </div>`;
    }
    if (this.status.value === 6) return html`<p part="error" class="empty error" role="alert">${strings.status[6]}</p>`;
    return html`<p part="loading" class="empty" role="status">${strings.loading}</p>`;
  }

  private renderList() {
    const entries = this.entries();
    if (this.list.value?.loaded && entries.length === 0) {
      return html`<slot name="empty"><p class="empty">${this.strings.noConversations}</p></slot>`;
    }
    const strings = this.strings;
    if (!this.list.value?.loaded && entries.length === 0) return this.renderNotLoaded(strings);
    const focusIndex = Math.min(this.focusIndex, Math.max(0, entries.length - 1));
    return html`
      <ul part="list" role="listbox" aria-label=${strings.conversations} @keydown=${this.onKeyDown}>
        ${repeat(entries, (entry) => entry.key, (entry, index) => {
          const name = this.nameOf(entry);
          const typers = selectTypingUsers({ typing: this.typing.value ?? {} }, entry.key, Date.now());
          const portrait = entry.conversationType === 1 ? safeImageUrl(entryOf(this.users.value, entry.targetId)?.portraitUri) : undefined;
          const unread = entry.unreadCount > 0 ? strings.unread(entry.unreadCount) : '';
          return html`
            <li part="item" role="option" data-index=${index} data-key=${entry.key}
              tabindex=${index === focusIndex ? 0 : -1}
              aria-selected=${entry.key === this.active.value ? 'true' : 'false'}
              @click=${() => { this.focusIndex = index; this.select(entry); }}
              @contextmenu=${(event: MouseEvent) => {
                event.preventDefault();
                this.focusIndex = index;
                this.openMenu(entry.key, event.clientX, event.clientY);
              }}>
              <span part="avatar" class="avatar" aria-hidden="true"
                style=${styleMap({ background: portrait ? undefined : avatarColor(entry.targetId) })}>
                ${portrait ? html`<img src=${portrait} alt="" loading="lazy">` : initials(name)}
              </span>
              ${entry.conversationType === 1 ? presenceDot(this.presence.value?.[entry.targetId], strings) : nothing}
              <span part="name" class="name">${name}</span>
              <span part="time" class="time">${shortTime(entry.updatedTime, this.language, strings)}</span>
              ${typers.length
                ? html`<span part="preview" class="preview typing">${typingLabel(typers.map((userId) =>
                  conversationName({ users: this.users.value ?? {}, groups: {} }, { conversationType: 1, targetId: userId })), entry.conversationType === 3, strings)}</span>`
                : html`<span part="preview" class="preview">${entry.latestMessage?.status === 'failed'
                  ? html`<span class="failed">${strings.failed}:</span> `
                  : nothing}${previewText(entry.latestMessage, strings, (userId) =>
                  conversationName({ users: this.users.value ?? {}, groups: {} }, { conversationType: 1, targetId: userId }))}</span>`}
              <span class="marks">
                ${entry.pinned ? html`<span class="mark" title=${strings.pinned}>${icon('pin')}<span class="visually-hidden">${strings.pinned}</span></span>` : nothing}
                ${entry.muted ? html`<span class="mark" title=${strings.muted}>${icon('bell-off')}<span class="visually-hidden">${strings.muted}</span></span>` : nothing}
                ${entry.unreadCount > 0
                  ? html`<span part="badge" class="badge ${entry.muted ? 'muted' : ''}" aria-hidden="true">${entry.unreadCount > 99 ? '99+' : entry.unreadCount}</span>
                    <span class="visually-hidden">${unread}</span>`
                  : nothing}
              </span>
            </li>`;
        })}
      </ul>`;
  }
}
