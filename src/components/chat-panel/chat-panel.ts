import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ImElement } from '../internal/im-element.js';
import { StoreController } from '../internal/store-controller.js';
import { tokens } from '../internal/theme.js';
import type { ChatSession } from '../../core/client/chat-session.js';
import type { ImComposer } from '../composer/composer.js';
import { conversationKey, conversationName, selectTypingUsers, type ChatState } from '../../core/store/chat-state.js';
import { typingLabel } from '../internal/format.js';
import { icon } from '../internal/icons.js';
import { styles } from './chat-panel.styles.js';
import { mediaChunk } from '../message-list/message-content.js';
import { presenceDot, presenceStyles } from '../internal/presence.js';

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
 * @csspart presence - A private chat's user's online status beside the title (shape, colour and name).
 * @csspart menu-button - Opens the conversation's menu (private chats: Block / Unblock, a block asks to confirm).
 * @csspart blocked-notice - Says that the private chat's user is blocked, with Unblock.
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
  static override styles = [tokens, styles, presenceStyles];

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
  private readonly presence = new StoreController(this, (state: ChatState) => state.presence);
  private readonly blocked = new StoreController(this, (state: ChatState) => state.blocked);
  private readonly rooms = new StoreController(this, (state: ChatState) => state.rooms);
  /** The header's menu: closed, open, or asking to confirm a block. */
  @state() private menu: 'closed' | 'open' | 'confirm' = 'closed';
  /** The private chat's user whose presence is watched, and how to stop. */
  private watching = { userId: '', stop: () => {} };
  /** Removed from the page while showing a chatroom: put back, it joins again. */
  private leftRoom = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.leftRoom && this.conversationType === 4 && this.targetId) {
      void this.status.current?.open({ conversationType: 4, targetId: this.targetId }).catch(() => undefined);
    }
    this.leftRoom = false;
  }

  /** Stops watching the peer's presence; a chatroom given by `conversation-type="4"` is quit when the panel leaves the page. */
  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.watching.stop();
    this.watching = { userId: '', stop: () => {} };
    if (this.conversationType === 4 && this.targetId && this.status.current) {
      this.leftRoom = true;
      void this.status.current.leaveRoom(this.targetId).catch(() => undefined);
    }
  }

  /** The other user of the private chat shown (not a chat with oneself), or ''. */
  private get peer(): string {
    const shown = this.shown;
    return shown?.conversationType === 1 && shown.targetId !== this.status.current?.state.userId ? shown.targetId : '';
  }

  /** After the first render, when the browser is idle: the media bubbles' chunk, so that the first picture shows at once. */
  override firstUpdated(): void {
    mediaChunk.prefetchWhenIdle();
  }

  // Before the render: what these change in the store (and the menu) is drawn by this update, not
  // by a second one right after it.
  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('session')) {
      for (const controller of [this.status, this.active, this.users, this.groups, this.typing, this.connection, this.presence, this.blocked, this.rooms]) {
        controller.attach();
      }
    }
    this.followPeer();
    if ((changed.has('targetId') || changed.has('conversationType') || changed.has('session')) && this.targetId) {
      void this.status.current?.open({ conversationType: this.conversationType, targetId: this.targetId }).catch(() => undefined);
    }
  }

  /** Watches the shown private chat's user, and learns whether they are blocked (once connected). */
  private followPeer(): void {
    const session = this.status.current;
    const peer = session ? this.peer : '';
    if (peer !== this.watching.userId) {
      this.watching.stop();
      if (this.menu !== 'closed') this.menu = 'closed';
      this.watching = { userId: peer, stop: peer && session ? session.social.watch([peer]) : () => {} };
      if (peer && session && this.status.value === 0) void session.social.loadBlocked(peer).catch(() => undefined);
    } else if (peer && session && this.status.value === 0 && this.blocked.value?.[peer] === undefined) {
      void session.social.loadBlocked(peer).catch(() => undefined);
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

  /** Opens the menu or the confirmation with the keyboard focus in it (Cancel first: nothing happens by accident), or closes it back to its button. */
  private showMenu(menu: 'closed' | 'open' | 'confirm'): void {
    const focused = this.renderRoot.querySelector('.menu-anchor')?.contains(this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null);
    this.menu = menu;
    void this.updateComplete.then(() => {
      const target = menu === 'open' ? '[role="menuitem"]' : menu === 'confirm' ? '.menu .cancel' : focused ? '.menu-button' : '';
      if (target) this.renderRoot.querySelector<HTMLElement>(target)?.focus();
    });
  }

  private async setBlocked(blocked: boolean): Promise<void> {
    const peer = this.peer;
    this.menu = 'closed';
    if (peer) await this.status.current?.social.setBlocked(peer, blocked).catch(() => undefined);
  }

  private renderMenu(peer: string, name: string) {
    if (!peer) return nothing;
    const blocked = this.blocked.value?.[peer] === true;
    const strings = this.strings;
    return html`
      <div class="menu-anchor" @keydown=${(event: KeyboardEvent) => {
        if (event.key !== 'Escape' || this.menu === 'closed') return;
        event.stopPropagation();
        this.showMenu('closed');
      }}>
        <button part="menu-button" class="menu-button" type="button" aria-label=${strings.conversationMenu} title=${strings.conversationMenu}
          aria-haspopup="true" aria-expanded=${this.menu === 'closed' ? 'false' : 'true'}
          @click=${() => this.showMenu(this.menu === 'closed' ? 'open' : 'closed')}>${icon('more')}</button>
        ${this.menu === 'open'
          ? html`<div part="menu" class="menu" role="menu">
              <button part="menu-item" role="menuitem" type="button" @click=${() => { if (blocked) void this.setBlocked(false); else this.showMenu('confirm'); }}>
                ${blocked ? strings.unblock : strings.block}</button>
            </div>`
          : this.menu === 'confirm'
            ? html`<div part="menu confirm" class="menu" role="alertdialog" aria-label=${strings.block}>
                <p>${strings.blockConfirm(name)}</p>
                <div class="confirm-actions">
                  <button type="button" class="cancel" @click=${() => this.showMenu('closed')}>${strings.cancel}</button>
                  <button type="button" class="danger" @click=${() => this.setBlocked(true)}>${strings.block}</button>
                </div>
              </div>`
            : nothing}
      </div>`;
  }

  override render() {
    const strings = this.strings;
    const shown = this.shown;
    const status = this.status.value ?? 2;
    const names = { users: this.users.value ?? {}, groups: this.groups.value ?? {} };
    const title = shown ? conversationName(names, shown) : '';
    const peer = this.peer;
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
            <h2 part="title" class="title">${title}${peer ? presenceDot(this.presence.value?.[peer], strings) : nothing}</h2>
            <p class="activity" role="status">
              <span part="members" class="members" ?hidden=${!room}>${room ? strings.roomMembers(room.memberCount) : ''}</span>
              <span part="typing" class="typing" ?hidden=${!typing}>${typing}</span>
              <span part="status" class="status" data-status=${status}>${this.connection.value?.fatal && status !== 6
                ? strings.signInFailed(this.connection.value.code) : strings.status[status] ?? ''}</span>
            </p>
          </div>
          <slot name="header-actions"></slot>
          ${this.renderMenu(peer, title)}
        </header>
      </slot>
      ${peer && this.blocked.value?.[peer]
        ? html`<div part="blocked-notice" class="blocked-notice" role="status">
            <span>${strings.blockedNotice(title)}</span>
            <button type="button" @click=${() => this.setBlocked(false)}>${strings.unblock}</button>
          </div>`
        : nothing}
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
