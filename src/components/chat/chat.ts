import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { tokens } from '../internal/theme.js';
import { conversationKey } from '../../core/store/chat-state.js';
import type { ImChatPanel } from '../chat-panel/chat-panel.js';
import { ImProvider } from '../provider/provider.js';
import { styles } from './chat.styles.js';

/**
 * The whole chat in one element: the conversation list and the open conversation side by side,
 * one pane at a time when the element is narrow (under 600px). Paste it with a script tag:
 *
 * ```html
 * <script src="im-widget.iife.js"></script>
 * <im-chat server="wss://chat.example.com/im" token="…"></im-chat>
 * ```
 *
 * @summary List + conversation, connected to the server by two attributes.
 *
 * @event im-conversation-select - A conversation was chosen in the list (cancelable).
 * @event im-conversation-start - A private conversation is to be started from the list's
 *   "New conversation" form: `{conversationType: 1, targetId}` (cancelable). When not prevented
 *   it opens (messages or none) and the caret goes to its composer.
 * @event im-status-change - The connection status changed: `{status}`.
 * @event im-request-send - The user asked to send (cancelable).
 * @event im-message-send - A message was handed to the client.
 * @event im-message-action - An action was chosen in a message's menu (cancelable); see im-message-list.
 * @event im-message-retry - Retry was pressed on a failed message (cancelable).
 * @event im-message-discard - Delete was pressed on a failed message (cancelable).
 * @event im-load-older - Older messages of the open conversation are being loaded.
 *
 * The events of the elements inside (bubbling and composed) reach listeners on `<im-chat>`.
 *
 * @slot empty - Shown in the panel when no conversation is open.
 *
 * @csspart conversation-list - The im-conversation-list.
 * @csspart chat-panel - The im-chat-panel.
 * @csspart header - The panel's header; `title` its conversation name.
 * @csspart bubble - A message bubble; `row` its row, `link` a link in a text.
 * @csspart menu - A message's menu; `menu-item` its entries.
 * @csspart composer - The composer; `input` its text field, `send-button` its send button.
 *
 * @cssproperty --im-chat-height - Height of the element (600px).
 * @cssproperty --im-chat-radius - Corner radius.
 * @cssproperty --im-chat-list-width - Width of the list on wide layouts (300px).
 * @cssproperty --im-color-primary - Accent colour; see the other elements for every token.
 */
export class ImChat extends ImProvider {
  static override styles = [tokens, styles];

  /** Opens this conversation at start (with `target-id`). */
  @property({ type: Number, attribute: 'conversation-type' }) conversationType = 1;
  @property({ attribute: 'target-id' }) targetId = '';
  /** Map link template for locations (`{lat}`, `{lng}` replaced; an http(s) URL). */
  @property({ attribute: 'map-url' }) mapUrl?: string;
  /** Seconds after sending during which own messages offer "recall" (the server's window decides). */
  @property({ type: Number, attribute: 'recall-window' }) recallWindow?: number;
  /** Hides the list's "New conversation" button (for sites that start conversations themselves). */
  @property({ type: Boolean, attribute: 'no-new-conversation' }) noNewConversation = false;

  /** Which pane shows on narrow layouts. */
  @state() private pane: 'list' | 'panel' = 'list';

  override willUpdate(changed: Map<string, unknown>): void {
    super.willUpdate(changed);
    if ((changed.has('targetId') || changed.has('session')) && this.targetId && this.session) {
      this.pane = 'panel';
      void this.session.open({ conversationType: this.conversationType, targetId: this.targetId }).catch(() => undefined);
    }
  }

  private readonly onSelect = (event: CustomEvent<{ conversationType: number; targetId: string }>) => {
    if (!event.defaultPrevented) this.pane = 'panel';
  };

  /** A conversation started from the form is there to be written in: the caret goes to its composer. */
  private readonly onStart = (event: CustomEvent<{ conversationType: number; targetId: string }>) => {
    const key = conversationKey(event.detail);
    // After the event has reached every listener (the page's too) and the list has opened it.
    queueMicrotask(async () => {
      if (event.defaultPrevented || this.session?.state.activeKey !== key) return;
      await this.updateComplete;
      const panel = this.renderRoot.querySelector<ImChatPanel>('im-chat-panel');
      await panel?.updateComplete;
      panel?.focus();
    });
  };

  override render() {
    const lang = this.language;
    return html`
      <div class="layout" data-pane=${this.pane}>
        <im-conversation-list part="conversation-list" theme=${this.theme} lang=${lang} ?no-new-conversation=${this.noNewConversation}
          @im-conversation-select=${this.onSelect} @im-conversation-start=${this.onStart}></im-conversation-list>
        <im-chat-panel part="chat-panel" exportparts="header, title, bubble, row, link, menu, menu-item, composer, input, send-button"
          theme=${this.theme} lang=${lang}
          map-url=${this.mapUrl ?? nothing} recall-window=${this.recallWindow ?? nothing}
          @im-back=${() => { this.pane = 'list'; }}>
          <slot name="empty" slot="empty"><p class="placeholder">${this.strings.selectConversation}</p></slot>
        </im-chat-panel>
      </div>`;
  }
}
