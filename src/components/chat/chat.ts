import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { tokens } from '../internal/theme.js';
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
 * @event im-status-change - The connection status changed: `{status}`.
 * @event im-request-send - The user asked to send (cancelable).
 * @event im-message-send - A message was handed to the client.
 *
 * @slot empty - Shown in the panel when no conversation is open.
 *
 * @csspart conversation-list - The im-conversation-list.
 * @csspart chat-panel - The im-chat-panel.
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

  override render() {
    const lang = this.language;
    return html`
      <div class="layout" data-pane=${this.pane}>
        <im-conversation-list part="conversation-list" theme=${this.theme} lang=${lang}
          @im-conversation-select=${this.onSelect}></im-conversation-list>
        <im-chat-panel part="chat-panel" theme=${this.theme} lang=${lang}
          map-url=${this.mapUrl ?? nothing} recall-window=${this.recallWindow ?? nothing}
          @im-back=${() => { this.pane = 'list'; }}>
          <slot name="empty" slot="empty"><p class="placeholder">${this.strings.selectConversation}</p></slot>
        </im-chat-panel>
      </div>`;
  }
}
