import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ImElement } from '../internal/im-element.js';
import { tokens } from '../internal/theme.js';
import { icon } from '../internal/icons.js';
import { defineElement } from '../internal/define.js';
import { ImChatPanel } from '../chat-panel/chat-panel.js';
import { ImComposer } from '../composer/composer.js';
import { ImEmojiPicker } from '../emoji-picker/emoji-picker.js';
import { ImMessageList } from '../message-list/message-list.js';
import { IMClient } from '../../core/client/client.js';
import type { ChatClient, CustomerServiceClient } from '../../core/client/chat-client.js';
import { canShareConnection, TabSharedClient } from '../../core/client/tab-shared-client.js';
import { ChatSession } from '../../core/client/chat-session.js';
import type { IMError } from '../../core/client/errors.js';
import { userIdOfToken } from '../../core/client/token.js';
import { httpBaseOf } from '../../core/client/upload.js';
import type {
  CustomerPreChatField as PreChatField, CustomerQueueEvent, CustomerServiceInfo, CustomerSessionStatus, CustomerStatusEvent,
} from '../../core/client/customer-service.js';
import { requestVisitorIdentity } from '../../core/client/visitor-identity.js';
import { ConversationType, ErrorCode } from '../../core/protocol/codes.js';
import { DegradingStore, MemoryStore } from '../../core/storage/key-value-store.js';
import { deleteUserData, openUserStore } from '../../core/storage/indexeddb-store.js';
import { dismissRating, forgetVisitor, loadVisitor, ratingDismissed, saveVisitor } from './visitor-store.js';
import { saveTextFile, transcriptAsText, transcriptFileName } from '../internal/transcript.js';
import { supportStringsFor, type SupportStrings } from './support-strings.js';

const { CS_ALREADY_EVALUATED, CS_OUTSIDE_HOURS, SEND_FREQUENCY_TOO_FAST, PARAMETER_ERROR } = ErrorCode;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// The server's rule for phone numbers: an optional +, digits with spaces, dots, dashes or brackets, 3–20 digits.
const isPhone = (value: string): boolean => /^\+?[\d\s().-]{3,40}$/.test(value) && /^(?:\D*\d){3,20}\D*$/.test(value);

type Phase = 'idle' | 'connecting' | 'error' | 'form' | 'chat' | 'away' | 'left' | 'unconfigured';

interface Identity {
  userId: string;
  token: string;
  anonymous: boolean;
}

/**
 * The panel of `<im-support>`: loaded by the launcher when first needed, never used on its own.
 * It owns the visitor's connection (shared by the visitor's tabs of the site, as `<im-chat>`'s
 * is: one WebSocket however many pages are open; the customer-service calls go through it) and
 * shows the pre-chat form, the conversation, the away state or the rating, as the group's
 * settings and the session say.
 *
 * @internal
 * @csspart header - The header: group name and close button.
 */
export class ImSupportPanel extends ImElement {
  static override styles = [tokens, css`
    :host {
      display: flex; flex-direction: column; background: var(--_bg); color: var(--_text);
      font-family: var(--_font); font-size: var(--_font-size); overflow: hidden;
    }
    :host([hidden]) { display: none; }
    header {
      display: flex; align-items: center; gap: var(--_space); flex: none;
      padding: 10px 12px 10px 16px; background: var(--im-support-header-background, var(--_primary)); color: var(--im-support-header-text-color, var(--_on-primary));
    }
    header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    header button {
      all: unset; display: grid; place-items: center; width: 36px; height: 36px; border-radius: 50%; cursor: pointer; font-size: 20px;
    }
    header button:hover { background: rgb(255 255 255 / 0.15); }
    header button:focus-visible { outline: 2px solid currentColor; outline-offset: 1px; }
    .body { flex: 1; min-height: 0; display: flex; flex-direction: column; overflow: auto; }
    .pad { padding: 16px; display: flex; flex-direction: column; gap: 12px; }
    .banner {
      flex: none; margin: 0; padding: 8px 16px; background: var(--_surface); border-bottom: 1px solid var(--_border);
      display: flex; align-items: center; gap: var(--_space); justify-content: space-between;
    }
    im-chat-panel { flex: 1; min-height: 0; }
    p { margin: 0; }
    .muted { color: var(--_muted); }
    form { display: flex; flex-direction: column; gap: 12px; }
    .field, .rating label { display: flex; flex-direction: column; gap: 4px; }
    label { font-weight: 500; }
    input, textarea, select {
      font: inherit; color: inherit; background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius-s);
      padding: 8px 10px;
    }
    textarea { resize: vertical; min-height: 72px; }
    [aria-invalid='true'] { border-color: var(--_danger); }
    .error { color: var(--_danger); font-weight: 400; font-size: 13px; }
    button.primary, button.secondary {
      font: inherit; font-weight: 600; border-radius: var(--_radius-s); padding: 9px 14px; cursor: pointer;
    }
    button.primary { background: var(--_primary); color: var(--_on-primary); border: 1px solid var(--_primary); }
    button.secondary { background: transparent; color: var(--_primary-text); border: 1px solid var(--_border); }
    button:disabled { opacity: 0.6; cursor: default; }
    .rating { flex: none; border-top: 1px solid var(--_border); background: var(--_surface); padding: 12px 16px; }
    fieldset { border: 0; margin: 0; padding: 0; }
    legend { font-weight: 600; padding: 0; margin-bottom: 8px; }
    .stars { display: flex; flex-direction: row-reverse; justify-content: flex-end; gap: 2px; }
    .stars input { position: absolute; opacity: 0; width: 1px; height: 1px; }
    .stars label { cursor: pointer; font-size: 26px; line-height: 1; color: var(--_border); padding: 2px; }
    /* The stars up to the one chosen (or hovered) light up: row-reverse puts the later siblings before. */
    .stars input:checked ~ label, .stars label:hover, .stars label:hover ~ label { color: #f59e0b; }
    .stars input:focus-visible + label { outline: 2px solid var(--_focus); outline-offset: 1px; border-radius: 4px; }
    .rating form { gap: 8px; }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; }
  `];

  @property() server = '';
  @property() group = 'service';
  /** A verified identity's user id (with `token`); else the visitor is anonymous. */
  @property() user = '';
  @property() token = '';
  /** The launcher shows the panel: connect now, and a visitor who has none gets an identity. */
  @property({ type: Boolean }) active = false;
  /** Called by the close button. */
  @property({ attribute: false }) onCloseRequest?: () => void;

  /** The visitor's session (client + store), once connected. */
  @state() session?: ChatSession;
  @state() private phase: Phase = 'idle';
  @state() private info?: CustomerServiceInfo;
  @state() private position = 0;
  @state() private status?: CustomerSessionStatus;
  /** The visitor's latest session with the group (0: none yet): the one rated, and the transcript's. */
  @state() private sessionId = 0;
  @state() private rating: 'none' | 'ask' | 'sending' | 'done' = 'none';
  @state() private score = 0;
  @state() private notice = '';
  @state() private formErrors: Record<string, string> = {};
  @state() private busy = false;

  private client?: ChatClient & CustomerServiceClient;
  private identity?: Identity;
  private unsubscribers: Array<() => void> = [];
  private generation = 0;
  private unread = -1;

  private get words(): SupportStrings {
    return supportStringsFor(this.language);
  }

  private get calls(): CustomerServiceClient {
    return this.client!;
  }

  private get conversation() {
    return { conversationType: ConversationType.CUSTOMER_SERVICE, targetId: this.group };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.tabIndex = -1;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.release();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // Closed, nothing is read: the message list notices it is hidden only at its next
    // intersection report, and an answer arriving before that must still count as unread.
    if (changed.has('active') && !this.active) this.session?.setViewing(false);
    // A new server, group or identity: a new connection (when there was one, or one is wanted).
    const identityChanged = ['server', 'group', 'user', 'token'].some((name) => changed.has(name) && changed.get(name) !== undefined);
    if (identityChanged && this.phase !== 'idle') this.release();
    if (this.phase === 'idle' && this.server && (this.active || this.token || loadVisitor(this.server))) void this.connect();
    // Opened with no server to talk to: a page's mistake, said plainly instead of "Connecting…" forever.
    if (!this.server && this.active && (this.phase === 'idle' || this.phase === 'unconfigured')) this.phase = 'unconfigured';
    else if (this.server && this.phase === 'unconfigured') this.phase = 'idle';
  }

  override updated(changed: Map<string, unknown>): void {
    // A new view replaces the one the focus was in (connecting → form → chat): the focus would
    // fall to the page's body, out of reach of the keyboard user; it goes to the new view instead.
    if (changed.has('phase') && this.active && !this.hidden) {
      const active = globalThis.document?.activeElement;
      if (!active || active === document.body) this.focus();
    }
  }

  /** Puts the focus on the first thing to fill in, else on the composer, else the close button. */
  override focus(options?: FocusOptions): void {
    const target = this.renderRoot.querySelector<HTMLElement>('.body input, .body textarea, .body select')
      ?? this.renderRoot.querySelector<ImChatPanel>('im-chat-panel')
      ?? this.renderRoot.querySelector<HTMLElement>('header button');
    if (target) target.focus(options);
    else super.focus(options);
  }

  /** An anonymous visitor another tab forgot (reset()): never taken from storage again here. */
  private forgottenVisitor: string | undefined;

  /** Forgets the anonymous visitor and this browser's copy of the conversation; signs out. */
  async reset(): Promise<void> {
    const server = this.server;
    const identity = this.identity;
    // Forgotten first: the update that follows may connect again, and must then mint anew.
    forgetVisitor(server);
    const session = this.detach();
    if (session) await session.logout().catch(() => undefined);
    if (identity) await deleteUserData(server, identity.userId).catch(() => undefined);
  }

  /** Lets go of the connection; the next update may make a new one. */
  private release(): void {
    const session = this.detach();
    if (session) void session.dispose().then(() => session.client.disconnect()).then(() => session.storage?.close());
  }

  /** Forgets the session and what was shown of it; returns the session for the caller to end. */
  private detach(): ChatSession | undefined {
    this.generation++;
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    const session = this.session;
    this.session = undefined;
    this.client = undefined;
    this.identity = undefined;
    this.info = undefined;
    this.phase = 'idle';
    this.position = 0;
    this.status = undefined;
    this.sessionId = 0;
    this.rating = 'none';
    this.notice = '';
    this.setUnread(0);
    return session;
  }

  /** The verified identity given, else the visitor stored here (renewed), else a new one. */
  private async resolveIdentity(generation: number): Promise<Identity> {
    // A connection let go of meanwhile (reset(), a new identity) must not store its visitor:
    // it would bring back the one just forgotten.
    const keep = (visitor: { userId: string; token: string; expiresAt?: number }) => {
      if (generation !== this.generation) throw new Error('superseded');
      saveVisitor(this.server, visitor);
    };
    if (this.token) return { userId: this.user || userIdOfToken(this.token) || '', token: this.token, anonymous: false };
    let stored = loadVisitor(this.server);
    if (stored && stored.userId === this.forgottenVisitor) stored = undefined;
    if (stored) {
      try {
        const renewed = await requestVisitorIdentity(this.server, stored);
        keep(renewed);
        return { ...renewed, anonymous: true };
      } catch (error) {
        // Only a token the server refuses makes a new visitor; unreachable or too many asks:
        // the stored token may well still be valid (the client renews it when it expires).
        const code = (error as IMError).code;
        if (code !== ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR && code !== ErrorCode.RC_CONN_TOKEN_EXPIRE) return { ...stored, anonymous: true };
        forgetVisitor(this.server);
      }
    }
    if (!this.active) throw new Error('no visitor yet');
    const minted = await requestVisitorIdentity(this.server);
    keep(minted);
    return { ...minted, anonymous: true };
  }

  /** A token for the client when the one it has expired: the visitor's, renewed. */
  private async renewToken(): Promise<string> {
    if (!this.identity?.anonymous) throw new Error('the verified token expired: call identify() with a new one');
    // Another tab of the site may have renewed it already (only the leading tab's client asks).
    const stored = loadVisitor(this.server);
    if (stored && stored.userId === this.identity.userId && stored.token !== this.identity.token && (stored.expiresAt ?? 0) > Date.now() + 60_000) {
      this.identity = { ...stored, anonymous: true };
      return stored.token;
    }
    const renewed = await requestVisitorIdentity(this.server, this.identity);
    saveVisitor(this.server, renewed);
    this.identity = { ...renewed, anonymous: true };
    return renewed.token;
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.phase = 'connecting';
    try {
      const identity = await this.resolveIdentity(generation);
      if (generation !== this.generation) return;
      this.identity = identity;
      const server = this.server;
      const urls = server.trim().split(/\s+/);
      const opened = identity.userId ? await openUserStore(server, identity.userId) : { store: new MemoryStore() };
      if (generation !== this.generation) return void opened.store.close?.();
      const storage = new DegradingStore(opened.store, () => undefined);
      const createClient = () => new IMClient({
        url: urls.length > 1 ? urls : urls[0]!,
        token: identity.token,
        tokenProvider: () => this.renewToken(),
        platform: 'web',
        storage,
        reconnect: { firstConnect: true },
        syncFrom: 'now',
      });
      // The same name as <im-provider>'s: a page with the launcher and an <im-chat> of the same
      // user holds one connection too.
      const client: ChatClient & CustomerServiceClient = identity.userId && canShareConnection()
        ? new TabSharedClient({ createClient, name: `${server}|${identity.userId}` })
        : createClient();
      const session = new ChatSession(client, { storage, userId: identity.userId || undefined, fileOrigins: urls.map((url) => new URL(httpBaseOf(url)).origin) });
      this.client = client;
      this.session = session;
      this.unsubscribers.push(
        client.on('customerServiceQueue', (event: CustomerQueueEvent) => {
          if (event.groupId === this.group) this.position = event.position;
        }),
        client.on('customerServiceStatus', (event: CustomerStatusEvent) => this.onStatus(event)),
        session.store.subscribe(() => this.showUnreadOf(session)),
        // reset() in another tab: this tab's session signs out by itself; the panel lets go of it
        // (and, if open, starts as the new visitor).
        client.onShared?.((kind) => {
          if (kind !== 'logout' || this.session !== session) return;
          // This tab may still read the forgotten visitor from storage for a moment (another
          // tab's removal reaches this one's copy of localStorage later than the sign-out does).
          this.forgottenVisitor = identity.anonymous ? identity.userId : undefined;
          this.detach();
        }) ?? (() => undefined),
      );
      this.emit('im-identity', { userId: identity.userId, anonymous: identity.anonymous });
      await session.start();
      if (generation !== this.generation) return;
      this.showUnreadOf(session);
      await this.loadInfo(generation);
    } catch (error) {
      if (generation !== this.generation) return;
      // No stored visitor and not opened: nothing to connect yet, and nothing to show.
      this.phase = (error as Error)?.message === 'no visitor yet' ? 'idle' : 'error';
    }
  }

  /** Asks the server about the group and the visitor's session, and shows what applies. */
  private async loadInfo(generation = this.generation): Promise<void> {
    const info = await this.calls.getCustomerServiceInfo(this.group);
    if (generation !== this.generation) return;
    this.info = info;
    this.position = info.position;
    const session = info.session;
    this.status = session?.status;
    this.sessionId = session?.sessionId ?? 0;
    const ongoing = !!session && session.status !== 'resolved';
    if (ongoing) this.phase = 'chat';
    else if (!info.open && info.mode === 'human') this.phase = 'away';
    // A returning visitor (the last conversation resolved) sees it again and writes on: the
    // follow-up carries their earlier answers, so the form is only for a first conversation.
    else if (info.preChatFields.length > 0 && !session) this.phase = 'form';
    else this.phase = 'chat';
    // A conversation resolved while the visitor was away (or before a reload) and not rated yet.
    if (session?.status === 'resolved' && session.rating === 0 && this.phase === 'chat'
      && !ratingDismissed(this.server, this.identity?.userId ?? '', session.sessionId)) {
      this.rating = 'ask';
    }
  }

  private onStatus(event: CustomerStatusEvent): void {
    if (event.targetId !== this.group) return;
    this.status = event.status;
    this.sessionId = event.sessionId;
    if (event.status !== 'queued') this.position = 0;
    if (event.status === 'resolved') {
      this.rating = 'ask';
      this.score = 0;
      this.notice = '';
    } else if (this.rating !== 'sending') {
      // A new session (a follow-up): the prompt or the thanks were for the one before; this
      // one gets a rating of its own when it ends.
      this.rating = 'none';
    }
    if (event.status !== 'resolved' && this.phase !== 'chat') this.phase = 'chat';
  }

  /**
   * The conversation's unread count once the server's list has come: the offline cache's count
   * may be of answers read since in another tab or browser, and a badge that shows 1 and then 0
   * is worse than one that waits a moment.
   */
  private showUnreadOf(session: ChatSession): void {
    if (!session.state.conversations.loaded) return;
    this.setUnread(session.state.conversations.byKey[`5:${this.group}`]?.unreadCount ?? 0);
  }

  private setUnread(count: number): void {
    if (count === this.unread) return;
    this.unread = count;
    this.emit('im-unread-change', { count });
  }

  // ---- the pre-chat form ----

  /** The message for a field's value, or '' when it is fine. */
  private checkField(field: Pick<PreChatField, 'label' | 'type' | 'required' | 'options'>, value: string, max = 500): string {
    const words = this.words;
    if (!value.trim()) return field.required ? words.fieldRequired(field.label) : '';
    if (value.length > max) return words.fieldTooLong(max);
    if (field.type === 'email' && !EMAIL.test(value.trim())) return words.fieldEmail;
    if (field.type === 'tel' && !isPhone(value.trim())) return words.fieldTel;
    if (field.type === 'select' && field.options && !field.options.includes(value)) return words.fieldRequired(field.label);
    return '';
  }

  /** Reads a form's fields, checks them, shows what is wrong; undefined when something is. */
  private readForm(form: HTMLFormElement, fields: Array<Pick<PreChatField, 'name' | 'label' | 'type' | 'required' | 'options'> & { max?: number }>): Record<string, string> | undefined {
    const data = new FormData(form);
    const values: Record<string, string> = {};
    const errors: Record<string, string> = {};
    for (const field of fields) {
      const value = String(data.get(field.name) ?? '');
      const error = this.checkField(field, value, field.max);
      if (error) errors[field.name] = error;
      else if (value.trim()) values[field.name] = value.trim();
    }
    this.formErrors = errors;
    const first = Object.keys(errors)[0];
    if (first) {
      void this.updateComplete.then(() => form.querySelector<HTMLElement>(`[name="${first}"]`)?.focus());
      return undefined;
    }
    return values;
  }

  private async submitPreChat(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = this.readForm(form, this.info?.preChatFields ?? []);
    if (!values || this.busy) return;
    this.busy = true;
    this.notice = '';
    try {
      const session = await this.calls.startCustomService(this.group, values);
      this.status = session.status;
      this.sessionId = session.sessionId;
      this.phase = 'chat';
      await this.updateComplete;
      this.focus();
    } catch (error) {
      if ((error as IMError).code === CS_OUTSIDE_HOURS) await this.loadInfo().catch(() => undefined);
      else this.notice = (error as IMError).code === PARAMETER_ERROR ? this.words.formRefused : this.words.failed;
    } finally {
      this.busy = false;
    }
  }

  // ---- away: leave a message ----

  private async submitTicket(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const words = this.words;
    const form = event.currentTarget as HTMLFormElement;
    const values = this.readForm(form, [
      { name: 'email', label: words.email, type: 'email', required: true, max: 254 },
      { name: 'name', label: words.name, type: 'text', max: 128 },
      { name: 'message', label: words.message, type: 'textarea', required: true, max: 2000 },
    ]);
    if (!values || this.busy) return;
    this.busy = true;
    this.notice = '';
    try {
      await this.calls.leaveCustomerServiceMessage(this.group, {
        email: values.email!, message: values.message!, ...(values.name ? { name: values.name } : {}),
      });
      this.phase = 'left';
    } catch (error) {
      this.notice = (error as IMError).code === SEND_FREQUENCY_TOO_FAST ? words.tooMany : words.failed;
    } finally {
      this.busy = false;
    }
  }

  // ---- chat: robot, rating ----

  private async talkToHuman(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.notice = '';
    try {
      const session = await this.calls.switchToHumanMode(this.group);
      this.status = session.status;
    } catch (error) {
      this.notice = (error as IMError).code === CS_OUTSIDE_HOURS ? this.words.humanRefusedClosed : this.words.failed;
    } finally {
      this.busy = false;
    }
  }

  private async submitRating(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.rating !== 'ask') return;
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const score = Number(data.get('score') ?? 0);
    if (!(score >= 1 && score <= 5)) {
      this.formErrors = { score: this.words.chooseScore };
      return;
    }
    this.formErrors = {};
    this.rating = 'sending';
    try {
      await this.calls.evaluateHumanCustomService(this.group, score, String(data.get('comment') ?? '').slice(0, 500));
      this.rating = 'done';
    } catch (error) {
      // Rated already (another tab, a second click that raced): the rating is there all the same.
      if ((error as IMError).code === CS_ALREADY_EVALUATED) this.rating = 'done';
      else {
        this.rating = 'ask';
        this.notice = this.words.failed;
      }
    }
  }

  /** "Not now": the prompt goes, and does not come back for this session after a reload. */
  private putOffRating(): void {
    if (this.sessionId) dismissRating(this.server, this.identity?.userId ?? '', this.sessionId);
    this.rating = 'none';
    this.formErrors = {};
    this.notice = '';
  }

  // ---- the transcript ----

  /** Saves the latest conversation with the team as a text file (the server's transcript: never agents' notes). */
  private async downloadTranscript(): Promise<void> {
    const words = this.words;
    const sessionId = this.sessionId;
    if (!sessionId) return;
    this.notice = '';
    try {
      const lines = await this.calls.getCustomerSessionTranscript(sessionId);
      const me = this.identity?.userId;
      const title = this.info?.name || words.defaultTitle;
      const text = transcriptAsText(lines, {
        title, locale: this.language, nameOf: (line) => (line.senderId === me ? words.you : line.senderName || words.team),
      });
      saveTextFile(transcriptFileName(title), text);
    } catch {
      this.notice = words.failed;
    }
  }

  // ---- rendering ----

  /** The next opening in the visitor's own time: "at 09:00" today, else with the weekday. */
  private backAt(nextOpening: number): string {
    const when = new Date(nextOpening);
    const sameDay = when.toDateString() === new Date().toDateString();
    return new Intl.DateTimeFormat(this.language, sameDay ? { hour: 'numeric', minute: '2-digit' } : { weekday: 'long', hour: 'numeric', minute: '2-digit' }).format(when);
  }

  private field(field: PreChatField, words: SupportStrings, max = 500) {
    const error = this.formErrors[field.name];
    const id = `field-${field.name}`;
    const described = error ? `${id}-error` : nothing;
    const control = field.type === 'textarea'
      ? html`<textarea id=${id} name=${field.name} maxlength=${max} ?required=${field.required} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described}></textarea>`
      : field.type === 'select'
        ? html`<select id=${id} name=${field.name} ?required=${field.required} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described}>
            <option value="">${words.choose}</option>
            ${(field.options ?? []).map((option) => html`<option value=${option}>${option}</option>`)}
          </select>`
        : html`<input id=${id} name=${field.name} type=${field.type} maxlength=${max} autocomplete=${field.type === 'email' ? 'email' : field.type === 'tel' ? 'tel' : nothing}
            ?required=${field.required} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described}>`;
    // The message is outside the label: it describes the field (aria-describedby) without becoming part of its name.
    return html`<div class="field">
      <label for=${id}>${field.label}${field.required ? html` <span class="muted">(${words.required})</span>` : nothing}</label>
      ${control}
      ${error ? html`<span class="error" id="${id}-error">${error}</span>` : nothing}
    </div>`;
  }

  private renderBody(words: SupportStrings) {
    const info = this.info;
    switch (this.phase) {
      case 'unconfigured':
        return html`<div class="pad"><p role="alert">${words.unconfigured}</p></div>`;
      case 'idle':
      case 'connecting':
        return html`<div class="pad"><p class="muted" role="status">${words.connecting}</p></div>`;
      case 'error':
        return html`<div class="pad">
          <p role="alert">${words.cannotConnect}</p>
          <button class="secondary" type="button" @click=${() => { this.release(); this.requestUpdate(); }}>${words.tryAgain}</button>
        </div>`;
      case 'form':
        return html`<div class="pad">
          ${info?.welcome ? html`<p>${info.welcome}</p>` : nothing}
          <p class="muted">${words.preChatIntro}</p>
          <form novalidate @submit=${this.submitPreChat}>
            ${(info?.preChatFields ?? []).map((field) => this.field(field, words))}
            ${this.notice ? html`<p class="error" role="alert">${this.notice}</p>` : nothing}
            <button class="primary" type="submit" ?disabled=${this.busy}>${words.startChat}</button>
          </form>
        </div>`;
      case 'away':
        return html`<div class="pad">
          <h3 style="margin: 0">${words.awayTitle}</h3>
          ${info?.offlineMessage ? html`<p class="offline-message">${info.offlineMessage}</p>` : nothing}
          ${info?.nextOpening ? html`<p class="back-at">${words.backAt(this.backAt(info.nextOpening))}</p>` : nothing}
          <form novalidate @submit=${this.submitTicket} aria-label=${words.leaveMessage}>
            <h3 style="margin: 0">${words.leaveMessage}</h3>
            ${this.field({ name: 'email', label: words.email, type: 'email', required: true }, words, 254)}
            ${this.field({ name: 'name', label: words.name, type: 'text' }, words, 128)}
            ${this.field({ name: 'message', label: words.message, type: 'textarea', required: true }, words, 2000)}
            ${this.notice ? html`<p class="error" role="alert">${this.notice}</p>` : nothing}
            <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? words.sending : words.send}</button>
          </form>
        </div>`;
      case 'left':
        return html`<div class="pad"><p role="status" class="thanks">${words.thanksMessage}</p></div>`;
      case 'chat':
        return this.renderChat(words);
    }
  }

  private renderChat(words: SupportStrings) {
    const queued = this.status === 'queued';
    return html`
      ${queued || this.position > 0
        ? html`<p class="banner queue" role="status">${this.position > 0 ? words.queue(this.position) : words.waitingForAgent}</p>`
        : nothing}
      ${this.status === 'robot'
        ? html`<div class="banner"><span class="muted">${this.info?.welcome ?? ''}</span>
            <button class="secondary talk-to-human" type="button" ?disabled=${this.busy} @click=${this.talkToHuman}>${words.talkToHuman}</button></div>`
        : nothing}
      ${this.notice && this.rating === 'none' ? html`<p class="banner error" role="alert">${this.notice}</p>` : nothing}
      <im-chat-panel theme=${this.theme} lang=${this.language} .session=${this.session}
        conversation-type=${ConversationType.CUSTOMER_SERVICE} target-id=${this.group}><span slot="header"></span></im-chat-panel>
      ${this.rating === 'none' ? nothing : this.renderRating(words)}`;
  }

  private renderRating(words: SupportStrings) {
    if (this.rating === 'done') return html`<div class="rating"><p role="status" class="thanks">${words.thanksRating}</p></div>`;
    const error = this.formErrors.score;
    return html`<div class="rating">
      <form novalidate @submit=${this.submitRating}>
        <fieldset aria-describedby=${error ? 'score-error' : nothing}>
          <legend>${words.rateTitle}</legend>
          <div class="stars">
            ${[5, 4, 3, 2, 1].map((n) => html`
              <input type="radio" name="score" id="score-${n}" value=${n} @change=${() => { this.score = n; }}>
              <label for="score-${n}" title=${words.stars(n)}><span aria-hidden="true">★</span><span class="visually-hidden">${words.stars(n)}</span></label>`)}
          </div>
          ${error ? html`<p class="error" id="score-error">${error}</p>` : nothing}
        </fieldset>
        <label>${words.comment}<textarea name="comment" maxlength="500" rows="2"></textarea></label>
        ${this.notice ? html`<p class="error" role="alert">${this.notice}</p>` : nothing}
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.rating === 'sending'}>${words.rate}</button>
          <button class="secondary not-now" type="button" ?disabled=${this.rating === 'sending'} @click=${this.putOffRating}>${words.notNow}</button>
        </div>
      </form>
    </div>`;
  }

  override render() {
    const words = this.words;
    return html`
      <header part="header">
        <h2>${this.info?.name || words.defaultTitle}</h2>
        ${this.phase === 'chat' && this.sessionId
          ? html`<button class="transcript" type="button" aria-label=${words.downloadTranscript} title=${words.downloadTranscript}
              @click=${this.downloadTranscript}>${icon('download')}</button>`
          : nothing}
        <button class="close" type="button" aria-label=${words.close} title=${words.close} @click=${() => this.onCloseRequest?.()}>${icon('close')}</button>
      </header>
      <div class="body">${this.renderBody(words)}</div>`;
  }
}

// The conversation's elements come with the panel (the same classes as in im-widget.js, which
// shares them as chunks: a page with both defines each once).
defineElement('im-chat-panel', ImChatPanel);
defineElement('im-message-list', ImMessageList);
defineElement('im-composer', ImComposer);
defineElement('im-emoji-picker', ImEmojiPicker);
defineElement('im-support-panel', ImSupportPanel);

declare global {
  interface HTMLElementTagNameMap {
    'im-support-panel': ImSupportPanel;
  }
}
