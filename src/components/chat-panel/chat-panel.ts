import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { ImElement } from '../internal/im-element.js';
import { StoreController } from '../internal/store-controller.js';
import { tokens } from '../internal/theme.js';
import type { ChatSession } from '../../core/client/chat-session.js';
import type { ImComposer } from '../composer/composer.js';
import { conversationKey, conversationName, selectTypingUsers, type ChatState } from '../../core/store/chat-state.js';
import { typingLabel } from '../internal/format.js';
import { icon } from '../internal/icons.js';
import { styles } from './chat-panel.styles.js';

/**
 * One conversation: a header with its title, who is typing and the connection status (only
 * while not connected), the messages, and the composer. Shows the conversation given by
 * `conversation-type` and `target-id`, or else the one open in the session.
 *
 * @summary A conversation: header, message list, composer.
 *
 * @event im-back - The back button was pressed (narrow layouts show it; see `show-back`).
 *
 * @slot header - Replaces the header.
 * @slot header-actions - Extra controls at the end of the header.
 * @slot empty - Shown when no conversation is open.
 *
 * @csspart header - The header bar.
 * @csspart title - The conversation's name.
 * @csspart members - A chatroom's member count (conversation type 4), under the title.
 * @csspart typing - Who is typing ("typing…", "Alice is typing…"), under the title while someone is.
 * @csspart status - The connection status (hidden while connected).
 * @csspart back-button - The back button.
 * @csspart message-list - The im-message-list.
 * @csspart composer - The im-composer.
 * @csspart bubble - Forwarded from the message list, as are `row`, `new-messages`, `link`, `menu`,
 *   `menu-item`, `avatar`, `name`, `time`, and its `status` as `message-status`.
 * @csspart input - Forwarded from the composer, as are `send-button` and `emoji-button`.
 *
 * @cssproperty --im-chat-panel-header-height - Header height (52px).
 * @cssproperty --im-chat-panel-header-background - Header background.
 */
export class ImChatPanel extends ImElement {
  static override styles = [tokens, styles];

  @property({ attribute: false }) session?: ChatSession;
  /** Shows this conversation instead of the session's open one. */
  @property({ type: Number, attribute: 'conversation-type' }) conversationType = 0;
  @property({ attribute: 'target-id' }) targetId = '';
  /** Shows a back button in the header (im-chat shows it by itself on narrow layouts). */
  @property({ type: Boolean, attribute: 'show-back', reflect: true }) showBack = false;
  /** Map link template for locations, passed to the message list (`{lat}`, `{lng}`). */
  @property({ attribute: 'map-url' }) mapUrl?: string;
  /** Seconds after sending during which own messages offer "recall", passed to the message list. */
  @property({ type: Number, attribute: 'recall-window' }) recallWindow?: number;

  private readonly status = new StoreController(this, (state: ChatState) => state.status);
  private readonly active = new StoreController(this, (state: ChatState) => state.activeKey);
  private readonly users = new StoreController(this, (state: ChatState) => state.users);
  private readonly groups = new StoreController(this, (state: ChatState) => state.groups);
  private readonly typing = new StoreController(this, (state: ChatState) => state.typing);
  private readonly connection = new StoreController(this, (state: ChatState) => state.connectionError);
  private readonly rooms = new StoreController(this, (state: ChatState) => state.rooms);
  /** Removed from the page while showing a chatroom: put back, it joins again. */
  private leftRoom = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.leftRoom && this.conversationType === 4 && this.targetId) {
      void this.status.current?.open({ conversationType: 4, targetId: this.targetId }).catch(() => undefined);
    }
    this.leftRoom = false;
  }

  /** A chatroom given by `conversation-type="4"` is quit when the panel leaves the page. */
  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.conversationType === 4 && this.targetId && this.status.current) {
      this.leftRoom = true;
      void this.status.current.leaveRoom(this.targetId).catch(() => undefined);
    }
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('session')) for (const controller of [this.status, this.active, this.users, this.groups, this.typing, this.connection, this.rooms]) controller.attach();
    if ((changed.has('targetId') || changed.has('conversationType') || changed.has('session')) && this.targetId) {
      void this.status.current?.open({ conversationType: this.conversationType, targetId: this.targetId }).catch(() => undefined);
    }
  }

  private get shown(): { conversationType: number; targetId: string } | undefined {
    if (this.targetId) return { conversationType: this.conversationType, targetId: this.targetId };
    const key = this.active.value;
    if (!key) return undefined;
    const at = key.indexOf(':');
    return { conversationType: Number(key.slice(0, at)), targetId: key.slice(at + 1) };
  }

  /**
   * Puts text in the composer at its caret (over its selection), as if typed: the draft keeps it,
   * the caret goes after it and the input gets the focus. For tools beside the conversation
   * (canned replies, snippets); nothing happens while no conversation is shown.
   */
  insertText(text: string): void {
    this.renderRoot.querySelector<ImComposer>('im-composer')?.insertText(text);
  }

  /** Puts the caret in the composer of the conversation shown (once it has rendered). */
  override focus(options?: FocusOptions): void {
    const composer = this.renderRoot.querySelector<ImComposer>('im-composer');
    if (composer) void composer.updateComplete.then(() => composer.focus(options));
    else super.focus(options);
  }

  override render() {
    const strings = this.strings;
    const shown = this.shown;
    const status = this.status.value ?? 2;
    const names = { users: this.users.value ?? {}, groups: this.groups.value ?? {} };
    const title = shown ? conversationName(names, shown) : '';
    // Typing signals arrive only while connected, but the store keeps them until they expire:
    // whoever is typing shows, whatever the connection does meanwhile.
    const typers = shown ? selectTypingUsers({ typing: this.typing.value ?? {} }, conversationKey(shown), Date.now()) : [];
    const room = shown?.conversationType === 4 ? this.rooms.value?.[conversationKey(shown)] : undefined;
    const typing = typingLabel(typers.map((userId) => conversationName(names, { conversationType: 1, targetId: userId })), shown?.conversationType === 3, strings);
    return html`
      <slot name="header">
        <header part="header">
          <button part="back-button" class="back" type="button" aria-label=${strings.back} title=${strings.back}
            @click=${() => this.emit('im-back', {})}>${icon('back')}</button>
          <div class="heading">
            <h2 part="title" class="title">${title}</h2>
            <p class="activity" role="status">
              <span part="members" class="members" ?hidden=${!room}>${room ? strings.roomMembers(room.memberCount) : ''}</span>
              <span part="typing" class="typing" ?hidden=${!typing}>${typing}</span>
              <span part="status" class="status" data-status=${status}>${this.connection.value?.fatal && status !== 6
                ? strings.signInFailed(this.connection.value.code) : strings.status[status] ?? ''}</span>
            </p>
          </div>
          <slot name="header-actions"></slot>
        </header>
      </slot>
      ${shown
        ? html`
          <im-message-list part="message-list" exportparts="bubble, row, new-messages, link, menu, menu-item, avatar, name, time, status: message-status" theme=${this.theme} lang=${this.language}
            .session=${this.session} conversation-type=${shown.conversationType} target-id=${shown.targetId}
            map-url=${this.mapUrl ?? nothing} recall-window=${this.recallWindow ?? nothing}></im-message-list>
          <im-composer part="composer" exportparts="input, send-button, emoji-button" theme=${this.theme} lang=${this.language}
            .session=${this.session} conversation-type=${shown.conversationType} target-id=${shown.targetId}></im-composer>`
        : html`<slot name="empty"><p class="placeholder">${strings.selectConversation}</p></slot>`}
    `;
  }
}
