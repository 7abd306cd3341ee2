import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { ImElement } from '../internal/im-element.js';
import { StoreController } from '../internal/store-controller.js';
import { tokens } from '../internal/theme.js';
import { TextMessage } from '../../core/messages/text-message.js';
import { conversationKey, type ChatState } from '../../core/store/chat-state.js';
import type { ChatSession } from '../../core/client/chat-session.js';
import { newClientMsgId } from '../../core/client/client.js';
import { styles } from './composer.styles.js';

/**
 * Where the user writes. Enter sends, Shift+Enter breaks the line, and Enter that ends an IME
 * composition (Chinese, Japanese input) never sends. The draft of each conversation is kept in
 * the store, so switching conversations and back keeps what was written.
 *
 * @summary Message input with send button, emoji picker and per-conversation drafts.
 *
 * @event im-request-send - The user asked to send `{conversationType, targetId, text}`. Cancelable:
 *   preventDefault() keeps the text unsent (e.g. to moderate it first).
 * @event im-message-send - The message was handed to the session `{conversationType, targetId, id}`.
 *
 * @csspart input - The textarea.
 * @csspart send-button - The send button.
 * @csspart emoji-button - The button opening the emoji picker.
 * @csspart picker - The emoji picker.
 *
 * @cssproperty --im-composer-max-height - Tallest the input grows before it scrolls (10em).
 * @cssproperty --im-composer-input-background - Input background.
 * @cssproperty --im-color-primary - Send button colour.
 */
export class ImComposer extends ImElement {
  static override styles = [tokens, styles];

  @property({ attribute: false }) session?: ChatSession;
  @property({ type: Number, attribute: 'conversation-type' }) conversationType = 0;
  @property({ attribute: 'target-id' }) targetId = '';
  @property({ type: Boolean }) disabled = false;

  @state() private pickerOpen = false;
  @query('textarea') private textarea!: HTMLTextAreaElement;

  /** True from compositionstart until just after compositionend (Safari sends Enter after it). */
  private composing = false;
  private readonly drafts = new StoreController(this, (state: ChatState) => state.drafts);

  private get conversation() {
    return { conversationType: this.conversationType, targetId: this.targetId };
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('session')) this.drafts.attach();
  }

  /** The draft is the input's model: typing writes it, switching conversations shows another. */
  private get draft(): string {
    return this.targetId ? this.drafts.value?.[conversationKey(this.conversation)] ?? '' : '';
  }

  /** Inserts text at the caret (or over the selection) and keeps the caret after it. */
  insertText(text: string): void {
    const area = this.textarea;
    if (!area) return;
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? start;
    area.setRangeText(text, start, end, 'end');
    area.focus();
    this.onInput();
  }

  override focus(options?: FocusOptions): void {
    this.textarea?.focus(options);
  }

  private readonly onInput = () => {
    if (this.targetId) this.drafts.current?.setDraft(this.conversation, this.textarea.value);
  };

  private readonly onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    // keyCode 229: the key went to an input method (older browsers report no isComposing).
    if (event.isComposing || this.composing || event.keyCode === 229) return;
    event.preventDefault();
    this.send();
  };

  private readonly onCompositionStart = () => {
    this.composing = true;
  };

  private readonly onCompositionEnd = () => {
    setTimeout(() => {
      this.composing = false;
    });
  };

  /** Sends what is written, unless it is blank or a listener vetoes it. */
  send(): void {
    const session = this.drafts.current;
    const text = this.textarea?.value ?? '';
    if (!session || !this.targetId || text.trim() === '' || this.disabled) return;
    const conversation = this.conversation;
    if (!this.emit('im-request-send', { ...conversation, text }, { cancelable: true })) return;
    this.textarea.value = '';
    session.setDraft(conversation, '');
    const id = newClientMsgId();
    void session.send(conversation, new TextMessage({ content: text }), { id });
    this.emit('im-message-send', { ...conversation, id });
  }

  private readonly onEmojiSelect = (event: CustomEvent<{ emoji: string }>) => {
    event.stopPropagation();
    this.insertText(event.detail.emoji);
  };

  private readonly onPickerClose = () => {
    this.pickerOpen = false;
    this.textarea?.focus();
  };

  override render() {
    const strings = this.strings;
    return html`
      ${this.pickerOpen
        ? html`<im-emoji-picker part="picker" class="picker" theme=${this.theme} lang=${this.language} user-id=${this.drafts.current?.state.userId ?? ''}
            @im-emoji-select=${this.onEmojiSelect} @im-emoji-close=${this.onPickerClose}></im-emoji-picker>`
        : nothing}
      <div class="row">
        <button part="emoji-button" class="emoji" type="button" aria-label=${strings.emoji} aria-expanded=${this.pickerOpen ? 'true' : 'false'}
          @click=${() => { this.pickerOpen = !this.pickerOpen; }}>😀</button>
        <textarea part="input" rows="1" aria-label=${strings.messageLabel} placeholder=${strings.messagePlaceholder}
          ?disabled=${this.disabled} .value=${live(this.draft)}
          @input=${this.onInput} @keydown=${this.onKeyDown}
          @compositionstart=${this.onCompositionStart} @compositionend=${this.onCompositionEnd}></textarea>
        <button part="send-button" class="send" type="button" ?disabled=${this.draft.trim() === '' || this.disabled} @click=${() => this.send()}>
          ${strings.send}
        </button>
      </div>`;
  }
}
