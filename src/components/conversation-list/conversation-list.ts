import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { ImElement } from '../internal/im-element.js';
import { StoreController } from '../internal/store-controller.js';
import { tokens } from '../internal/theme.js';
import { avatarColor, initials, previewText, safeImageUrl, shortTime, typingLabel } from '../internal/format.js';
import { icon } from '../internal/icons.js';
import type { ChatSession } from '../../core/client/chat-session.js';
import { conversationName, entryOf, selectTypingUsers, type ChatState, type ConversationEntry } from '../../core/store/chat-state.js';
import { styles } from './conversation-list.styles.js';

const selectList = (state: ChatState) => state.conversations;
const selectUsers = (state: ChatState) => state.users;
const selectActive = (state: ChatState) => state.activeKey;

/**
 * The user's conversations, pinned first, then by latest activity.
 *
 * @summary Conversation list with avatars, previews, unread badges; a keyboard-navigable listbox.
 *
 * @event im-conversation-select - A conversation was chosen (click, Enter or Space). Cancelable:
 *   when not prevented, the conversation is opened in the session.
 *
 * @slot empty - Shown when there are no conversations.
 *
 * @csspart list - The listbox.
 * @csspart item - One conversation row.
 * @csspart avatar - The avatar (picture, or initials on a colour of the user's or group's own).
 * @csspart name - The conversation's name.
 * @csspart preview - The last message, as text.
 * @csspart time - Time of the last activity.
 * @csspart badge - The unread count.
 * @csspart loading - Shown until the list has loaded.
 *
 * @cssproperty --im-conversation-list-row-height - Minimum row height (64px).
 * @cssproperty --im-conversation-list-selected-background - Background of the open conversation.
 * @cssproperty --im-avatar-size - Avatar size (40px).
 * @cssproperty --im-color-badge - Unread badge colour.
 */
export class ImConversationList extends ImElement {
  static override styles = [tokens, styles];

  /** The session to show; by default the one provided by an enclosing im-chat or im-provider. */
  @property({ attribute: false }) session?: ChatSession;

  /** Index of the row that holds the tab stop (roving tabindex). */
  @state() private focusIndex = 0;

  private readonly list = new StoreController(this, selectList);
  private readonly users = new StoreController(this, selectUsers);
  private readonly active = new StoreController(this, selectActive);
  private readonly groups = new StoreController(this, (state: ChatState) => state.groups);
  private readonly typing = new StoreController(this, (state: ChatState) => state.typing);

  /** Relative times ("5 min ago") move on by themselves. */
  private clock: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.clock = setInterval(() => this.requestUpdate(), 60_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('session')) {
      for (const controller of [this.list, this.users, this.active, this.groups, this.typing]) controller.attach();
    }
  }

  private entries(): ConversationEntry[] {
    const list = this.list.value;
    return list ? list.keys.map((key) => list.byKey[key]!) : [];
  }

  private nameOf(entry: ConversationEntry): string {
    return conversationName({ users: this.users.value ?? {}, groups: this.groups.value ?? {} }, entry);
  }

  private select(entry: ConversationEntry): void {
    const detail = { conversationType: entry.conversationType, targetId: entry.targetId };
    if (this.emit('im-conversation-select', detail, { cancelable: true })) {
      this.list.current?.open(detail).catch(() => undefined);
    }
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
    }
  };

  override render() {
    const entries = this.entries();
    if (this.list.value?.loaded && entries.length === 0) {
      return html`<slot name="empty"><p class="empty">${this.strings.noConversations}</p></slot>`;
    }
    const strings = this.strings;
    if (!this.list.value?.loaded && entries.length === 0) {
      return html`<p part="loading" class="empty" role="status">${strings.loading}</p>`;
    }
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
              @click=${() => { this.focusIndex = index; this.select(entry); }}>
              <span part="avatar" class="avatar" aria-hidden="true"
                style=${styleMap({ background: portrait ? undefined : avatarColor(entry.targetId) })}>
                ${portrait ? html`<img src=${portrait} alt="" loading="lazy">` : initials(name)}
              </span>
              <span part="name" class="name">${name}</span>
              <span part="time" class="time">${shortTime(entry.updatedTime, this.language, strings)}</span>
              ${typers.length
                ? html`<span part="preview" class="preview typing">${typingLabel(typers.map((userId) =>
                  conversationName({ users: this.users.value ?? {}, groups: {} }, { conversationType: 1, targetId: userId })), entry.conversationType === 3, strings)}</span>`
                : html`<span part="preview" class="preview">${entry.latestMessage?.status === 'failed'
                  ? html`<span class="failed">${strings.failed}:</span> `
                  : nothing}${previewText(entry.latestMessage, strings)}</span>`}
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
