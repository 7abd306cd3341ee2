import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { ImElement } from '../internal/im-element.js';
import { StoreController } from '../internal/store-controller.js';
import { tokens } from '../internal/theme.js';
import { TextMessage } from '../../core/messages/text-message.js';
import { ReferenceMessage } from '../../core/messages/index.js';
import { conversationKey, type ChatState, type MessageItem } from '../../core/store/chat-state.js';
import { previewText } from '../internal/format.js';
import { icon } from '../internal/icons.js';
import type { ChatSession } from '../../core/client/chat-session.js';
import { newClientMsgId } from '../../core/client/client.js';
import { styles } from './composer.styles.js';
import { LazyChunk, lazy } from '../internal/lazy.js';
import { loadSendFiles } from '../../core/client/send-files-lazy.js';
import { pickerView } from '../emoji-picker/emoji-picker.js';
import { actionsChunk } from '../internal/actions.js';
import type { Strings } from '../internal/strings.js';
import type { Mention } from './composer-extras.js';

/** Starts fetching the emoji picker's view: the pointer is over (or focus on) the emoji button. */
const prefetchPicker = () => pickerView.prefetch();

type ComposerMedia = typeof import('./composer-media.js');
/** Sending files and recording voice (./composer-media.ts): a chunk loaded on first use or on intent. */
export const composerMedia = new LazyChunk<ComposerMedia>(async () => {
  // With the core's part for sending files, so that a file waits here (with a retry) until both are loaded.
  const [module] = await Promise.all([import('./composer-media.js'), loadSendFiles()]);
  return module;
});

/** A file (or a recording) waiting for the composer's media chunk. */
interface Waiting {
  readonly id: number;
  readonly name: string;
  /** The conversation it is for (conversationKey). */
  readonly key: string;
  readonly failed: boolean;
  readonly action: (module: ComposerMedia) => void;
}

/** The mention of everyone (the seed's MentionedType 1); composer-extras.ts offers it under this value. */
const ALL = '\u0000all';

/**
 * Where the user writes. Enter sends, Shift+Enter breaks the line, and Enter that ends an IME
 * composition (Chinese, Japanese input) never sends. The draft of each conversation is kept in
 * the store, so switching conversations and back keeps what was written.
 *
 * Files: the attach button, pasting an image, or dropping files on the composer uploads them
 * (a progress bar each, with cancel) and sends them as image, GIF, video, voice or file
 * messages. Reply mode (a message's "Reply") shows the quoted message above the input until
 * sent or dismissed (Escape). In a group, `@` offers the members to mention. The emoji picker
 * closes on Escape, on a press anywhere outside it and its button, and when the message is sent.
 * The send button shows its "Send" label where the composer is wider than 420px, only the
 * icon below.
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
 * @csspart attach-button - The button that picks files to send.
 * @csspart reply - The quoted message in reply mode; `reply-dismiss` its close button.
 * @csspart upload - One upload's row (name, progress bar, cancel).
 * @csspart upload-retry - In an upload's row when the part of the widget that sends files could
 *   not load (offline): loads it again; the file waits in the row meanwhile.
 * @csspart mention-list - The member list offered after `@`.
 * @csspart record-button - Records a voice message (where the browser has MediaRecorder); up to 60 s.
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
  /** @internal */
  @query('textarea') textarea!: HTMLTextAreaElement;

  // The members marked @internal are for ./composer-extras.ts (the member list after `@` and the
  // reply preview, in the actions chunk): not public API, left out of the published
  // declarations (stripInternal); the chunk's functions check the element's shape where they take it.

  /** @internal True from compositionstart until just after compositionend (Safari sends Enter after it). */
  composing = false;
  /** @internal */
  readonly drafts = new StoreController(this, (state: ChatState) => state.drafts);
  private readonly replies = new StoreController(this, (state: ChatState) => state.replies);
  private readonly uploads = new StoreController(this, (state: ChatState) => state.uploads);
  /** @internal */
  readonly names = new StoreController(this, (state: ChatState) => state.users);
  /** @internal */
  readonly groups = new StoreController(this, (state: ChatState) => state.groups);

  /** @internal The `@` being typed: where it starts, what follows it, and the highlighted member. */
  @state() mention: Mention | undefined;
  /** @internal Names mentioned in the text being written, to their user ids (ALL for everyone). */
  readonly mentions = new Map<string, string>();

  /** Files are being dragged over the composer. */
  @state() private dragging = false;
  /** Seconds recorded so far, while a voice message is being recorded. */
  @state() private recordingSeconds: number | undefined;
  private recorder: { stop(send: boolean): void } | undefined;

  /** @internal */
  get conversation() {
    return { conversationType: this.conversationType, targetId: this.targetId };
  }

  /** @internal */
  override get strings(): Strings {
    return super.strings;
  }

  private shownReply: MessageItem | undefined;

  /** After the first render, when the browser is idle: the chunk with the member list and the reply preview. */
  override firstUpdated(): void {
    actionsChunk.prefetchWhenIdle();
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('pickerOpen')) {
      // Capture: a press on something that stops its events (another widget, a dialog) still counts.
      if (this.pickerOpen) this.ownerDocument.addEventListener('pointerdown', this.onPressWhilePickerOpen, true);
      else this.ownerDocument.removeEventListener('pointerdown', this.onPressWhilePickerOpen, true);
    }
    // Reply mode just started (a message's "Reply"): the reply is written here.
    const reply = this.reply;
    if (reply && reply !== this.shownReply) this.textarea?.focus();
    this.shownReply = reply;
    if (changed.has('session')) for (const controller of [this.drafts, this.replies, this.uploads, this.names, this.groups]) controller.attach();
    if ((changed.has('targetId') || changed.has('session')) && this.conversationType === 3 && this.targetId) this.drafts.current?.requestGroup(this.targetId);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ownerDocument.removeEventListener('pointerdown', this.onPressWhilePickerOpen, true);
    this.pickerOpen = false;
  }

  /** A press outside the picker and its button closes the picker, as a menu closes. */
  private readonly onPressWhilePickerOpen = (event: PointerEvent) => {
    const path = event.composedPath();
    const inside = [this.renderRoot.querySelector('im-emoji-picker'), this.renderRoot.querySelector('.emoji')]
      .some((element) => element !== null && path.includes(element));
    if (!inside) this.pickerOpen = false;
  };

  /** The draft is the input's model: typing writes it, switching conversations shows another. */
  private get draft(): string {
    return this.targetId ? this.drafts.value?.[conversationKey(this.conversation)] ?? '' : '';
  }

  /**
   * Inserts text at the caret (or over the selection) and keeps the caret after it; the draft
   * keeps it. The emoji picker uses it, and so can a page (`im-chat-panel` forwards it).
   */
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
    if (this.targetId) {
      this.drafts.current?.setDraft(this.conversation, this.textarea.value);
      // The client sends at most one signal per few seconds; clearing the input is not typing.
      if (this.textarea.value.trim()) void this.drafts.current?.notifyTyping(this.conversation);
    }
    this.findMention();
  };

  /**
   * Opens (or narrows, or closes) the member list when the caret follows `@name`: the actions
   * chunk does it. When the chunk is not there yet, an `@` in a group loads it, and the list
   * opens on its arrival for the text as it is then; until then the keys do what they do without
   * the list (the list, and its keys, come with the chunk).
   */
  private findMention(): void {
    const extras = actionsChunk.module?.composerExtras;
    if (extras) extras.findMention(this);
    else if (this.conversationType === 3 && this.textarea?.value.includes('@')) {
      actionsChunk.load().then(({ composerExtras }) => composerExtras.findMention(this), () => undefined);
    }
  }

  /** In a group, focus on the input fetches the chunk with the member list (an `@` may come). */
  private readonly onFocus = () => {
    if (this.conversationType === 3) actionsChunk.prefetch();
  };

  /** @internal Ends reply mode (Escape, or the reply preview's close button). */
  readonly cancelReply = () => this.drafts.current?.replyTo(this.conversation, undefined);

  /** @internal The message replied to, in reply mode (sending reads it here, without the actions chunk). */
  get reply(): MessageItem | undefined {
    return this.targetId ? this.replies.value?.[conversationKey(this.conversation)] : undefined;
  }

  private readonly onKeyDown = (event: KeyboardEvent) => {
    // The member list's keys, while it shows (the list is the actions chunk's; without it, no list).
    if (actionsChunk.module?.composerExtras.mentionKey(this, event)) return;
    if (event.key === 'Escape' && this.recorder) {
      event.preventDefault();
      this.recorder.stop(false);
      return;
    }
    if (event.key === 'Escape' && this.pickerOpen) {
      event.preventDefault();
      this.pickerOpen = false;
      return;
    }
    if (event.key === 'Escape' && this.reply) {
      event.preventDefault();
      this.cancelReply();
      return;
    }
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
    this.pickerOpen = false;
    this.textarea.value = '';
    session.setDraft(conversation, '');
    const id = newClientMsgId();
    const reply = this.reply;
    const mentioned = [...this.mentions].filter(([name]) => text.includes(`@${name}`)).map(([, userId]) => userId);
    const mentionedInfo = mentioned.includes(ALL)
      ? { type: 1 as const, userIdList: [] }
      : mentioned.length ? { type: 2 as const, userIdList: mentioned } : undefined;
    this.mentions.clear();
    const content = reply
      ? new ReferenceMessage({
        referMsgUserId: reply.senderUserId, referMsgUid: reply.messageUid, objName: reply.objectName, content: text,
        referMsg: { content: previewText(reply, this.strings) },
      })
      : new TextMessage({ content: text, ...(mentionedInfo ? { mentionedInfo } : {}) });
    if (reply) session.replyTo(conversation, undefined);
    void session.send(conversation, content, { id });
    this.emit('im-message-send', { ...conversation, id });
  }

  /**
   * Uploads and sends files (picked, pasted or dropped), one message each. The code that sends
   * files is a chunk loaded on first use (or on intent, see `prefetchMedia`): until it is there
   * the files wait in the uploads list, and if it cannot be loaded (offline) they stay there with
   * a retry button; the draft is not touched either way.
   */
  sendFiles(files: Iterable<File>): void {
    const session = this.drafts.current;
    if (!session || !this.targetId || this.disabled) return;
    const list = [...files];
    if (list.length === 0) return;
    const conversation = this.conversation;
    if (composerMedia.module) {
      composerMedia.module.sendFiles(session, conversation, list);
      return;
    }
    this.whenLoaded(list.map((file) => file.name).join(', '), conversation, (module) => module.sendFiles(session, conversation, list));
  }

  /** Actions waiting for the composer's media chunk: files to send, a recording to start. */
  @state() private waiting: readonly Waiting[] = [];
  private waitingIds = 0;

  /** Runs `action` once the media chunk is loaded; shows it as waiting (and failed, with a retry) meanwhile. */
  private whenLoaded(name: string, conversation: { conversationType: number; targetId: string }, action: (module: ComposerMedia) => void): void {
    const entry: Waiting = { id: ++this.waitingIds, name, key: conversationKey(conversation), failed: false, action };
    this.waiting = [...this.waiting, entry];
    this.runWaiting(entry);
  }

  private runWaiting(entry: Waiting): void {
    composerMedia.load().then(
      (module) => {
        if (!this.waiting.includes(entry)) return; // dismissed meanwhile
        this.waiting = this.waiting.filter((other) => other !== entry);
        entry.action(module);
        // Loaded now: what failed before goes too.
        for (const other of this.waiting) if (other.failed) this.retryWaiting(other);
      },
      () => {
        if (!this.waiting.includes(entry)) return;
        this.waiting = this.waiting.map((other) => (other === entry ? { ...entry, failed: true } : other));
      });
  }

  private retryWaiting(entry: Waiting): void {
    const again = { ...entry, failed: false };
    this.waiting = this.waiting.map((other) => (other === entry ? again : other));
    this.runWaiting(again);
  }

  /** Starts fetching the media chunk: the pointer is over (or focus on) the attach or record button. */
  private readonly prefetchMedia = () => composerMedia.prefetch();

  private readonly onPaste = (event: ClipboardEvent) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    this.sendFiles(files);
  };

  private readonly onDragOver = (event: DragEvent) => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    this.dragging = true;
  };

  private readonly onDrop = (event: DragEvent) => {
    this.dragging = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    this.sendFiles(files);
  };

  private readonly onPick = (event: Event) => {
    const input = event.target as HTMLInputElement;
    this.sendFiles([...(input.files ?? [])]);
    input.value = '';
  };

  /** Whether this browser can record a voice message. */
  private get canRecord(): boolean {
    return typeof globalThis.MediaRecorder === 'function' && typeof globalThis.navigator?.mediaDevices?.getUserMedia === 'function';
  }

  /**
   * Starts recording a voice message, or stops and sends it. Recording stops by itself at the
   * seed's 60 seconds; Escape throws the recording away.
   */
  async toggleRecording(): Promise<void> {
    if (this.recorder) {
      this.recorder.stop(true);
      return;
    }
    const session = this.drafts.current;
    if (!session || !this.targetId || !this.canRecord) return;
    const conversation = this.conversation;
    const start = async (module: ComposerMedia) => {
      this.recorder = { stop: () => undefined }; // starting: a second press waits
      const recording = await module.startRecording(session, conversation, (seconds) => {
        this.recordingSeconds = seconds;
        if (seconds === undefined) this.recorder = undefined;
      });
      if (recording) this.recorder = recording;
      else this.recorder = undefined;
    };
    if (composerMedia.module) await start(composerMedia.module);
    else this.whenLoaded(this.strings.recordVoice, conversation, (module) => void start(module));
  }

  /**
   * The quoted message in reply mode, drawn by the actions chunk: loaded now if it is not there
   * yet, and shown on arrival (reply mode itself is in the store, and sending does not wait for
   * it). When it could not be loaded, a retry and the close button stand in for it.
   */
  private renderReply() {
    if (!this.reply) return nothing;
    return lazy(actionsChunk, ({ composerExtras }) => composerExtras.renderReply(this), (failed, retry) => (failed
      ? html`<div part="reply" class="reply">
          <button type="button" class="retry" @click=${retry}>${this.strings.partFailed}</button>
          <button part="reply-dismiss" type="button" class="dismiss" aria-label=${this.strings.cancelReply} @click=${this.cancelReply}>${icon('close')}</button>
        </div>`
      : html``));
  }

  /**
   * An upload's row while the part of the widget that sends (or draws) it loads, or with a retry
   * when it could not be loaded; `dismiss` drops it.
   */
  private pendingUpload(name: string, failed: boolean, retry: () => void, dismiss: () => void) {
    const strings = this.strings;
    return html`<li part="upload" class="upload" data-status=${failed ? 'unloaded' : 'loading'}>
        <span class="upload-name">${name}</span>
        ${failed
          ? html`<button part="upload-retry" type="button" class="retry" @click=${retry}>${strings.partFailed}</button>`
          : html`<progress aria-label=${strings.uploading(name)}></progress>`}
        <button type="button" class="dismiss" aria-label=${strings.cancelUpload} @click=${dismiss}>${icon('close')}</button>
      </li>`;
  }

  /**
   * The files waiting for the media chunk, then the uploads in the store. Those are drawn by the
   * media chunk, loaded by then when they were sent from here; an upload the page started itself
   * (`session.sendFile`) shows as a waiting row until the chunk comes.
   */
  private renderUploads() {
    const key = conversationKey(this.conversation);
    const uploads = this.targetId ? this.uploads.value?.[key] ?? [] : [];
    const waiting = this.targetId ? this.waiting.filter((entry) => entry.key === key) : [];
    if (uploads.length === 0 && waiting.length === 0) return nothing;
    const cancel = (id: string) => this.drafts.current?.cancelUpload(this.conversation, id);
    return html`<ul class="uploads">
        ${waiting.map((entry) => this.pendingUpload(entry.name, entry.failed, () => this.retryWaiting(entry),
          () => { this.waiting = this.waiting.filter((other) => other !== entry); }))}
        ${uploads.length
          ? lazy(composerMedia, (module) => module.renderUploads(uploads, this.strings, icon('close'), cancel),
            (failed, retry) => html`${uploads.map((upload) => this.pendingUpload(upload.name, failed, retry, () => cancel(upload.id)))}`)
          : nothing}
      </ul>`;
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
      ${this.renderUploads()}
      ${this.renderReply()}
      ${actionsChunk.module?.composerExtras.renderMentions(this) ?? nothing}
      ${this.pickerOpen
        ? html`<im-emoji-picker part="picker" class="picker" theme=${this.theme} lang=${this.language} user-id=${this.drafts.current?.state.userId ?? ''}
            @im-emoji-select=${this.onEmojiSelect} @im-emoji-close=${this.onPickerClose}></im-emoji-picker>`
        : nothing}
      <div class="row${this.dragging ? ' dragging' : ''}" @paste=${this.onPaste} @dragover=${this.onDragOver}
        @dragleave=${() => { this.dragging = false; }} @drop=${this.onDrop}>
        <label part="attach-button" class="attach" title=${strings.attach} @pointerenter=${this.prefetchMedia} @focusin=${this.prefetchMedia}>
          <input type="file" multiple aria-label=${strings.attach} ?disabled=${this.disabled} @change=${this.onPick}>${icon('paperclip')}
        </label>
        <button part="emoji-button" class="emoji" type="button" aria-label=${strings.emoji} title=${strings.emoji} aria-expanded=${this.pickerOpen ? 'true' : 'false'}
          @pointerenter=${prefetchPicker} @focus=${prefetchPicker} @click=${() => { this.pickerOpen = !this.pickerOpen; }}>${icon('smile')}</button>
        <textarea part="input" rows="1" aria-label=${strings.messageLabel} placeholder=${strings.messagePlaceholder}
          aria-controls=${this.mention ? 'mentions' : nothing} aria-activedescendant=${(this.mention && actionsChunk.module?.composerExtras.activeMention(this)) ?? nothing}
          ?disabled=${this.disabled} .value=${live(this.draft)}
          @input=${this.onInput} @keydown=${this.onKeyDown} @focus=${this.onFocus}
          @compositionstart=${this.onCompositionStart} @compositionend=${this.onCompositionEnd}></textarea>
        ${this.canRecord
          ? html`<button part="record-button" class="record" type="button" @pointerenter=${this.prefetchMedia} @focus=${this.prefetchMedia} aria-pressed=${this.recordingSeconds !== undefined ? 'true' : 'false'}
              aria-label=${this.recordingSeconds !== undefined ? strings.stopRecording(this.recordingSeconds) : strings.recordVoice}
              @click=${() => void this.toggleRecording()}>${this.recordingSeconds !== undefined
                ? html`${icon('stop')}<span>${this.recordingSeconds}s</span>` : icon('mic')}</button>`
          : nothing}
        <button part="send-button" class="send" type="button" ?disabled=${this.draft.trim() === '' || this.disabled} @click=${() => this.send()}>
          ${icon('send')}<span class="send-label">${strings.send}</span>
        </button>
      </div>`;
  }
}
