import { html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ImProvider } from '../provider/provider.js';
import { StoreController } from '../internal/store-controller.js';
import { tokens } from '../internal/theme.js';
import { icon } from '../internal/icons.js';
import type { ImChatPanel } from '../chat-panel/chat-panel.js';
import { ConnectionStatus, ConversationType } from '../../core/protocol/codes.js';
import { conversationKey, type ChatState } from '../../core/store/chat-state.js';
import { isServerSender, type CustomerSessionNote } from '../../core/client/customer-service.js';
import type { IMMessage } from '../../core/client/types.js';
import { saveTextFile, transcriptAsText, transcriptFileName } from '../internal/transcript.js';
import {
  isAgentService, sessionsBefore, sessionsOf, type AgentDirectory, type AgentService, type AgentSession, type AgentTicket, type CannedReply,
  type SessionScope, type TransferTarget,
} from './agent-service.js';
import { beep, SoundLeader, TitleBadge } from './attention.js';
import { consoleStrings, type ConsoleStrings } from './strings.js';
import { styles } from './agent-console.styles.js';

const SCOPES: readonly SessionScope[] = ['queued', 'mine', 'all', 'resolved'];
/** A tab: one of the session lists, or the messages visitors left (tickets). */
type ConsoleTab = SessionScope | 'messages';
const TABS: readonly ConsoleTab[] = [...SCOPES, 'messages'];
type TicketStatus = AgentTicket['status'];
const CS = ConversationType.CUSTOMER_SERVICE;
/** Below this width the session list and the visitor details fold away behind two toggles. */
const NARROW = 900;

/** The canned-reply list while open: opened by "/" typed in an empty composer, or by its button. */
interface CannedState { mode: 'slash' | 'button'; query: string; index: number }

/**
 * The customer-service agent's console: the sessions on the left (tabs Queued, Mine, All,
 * Resolved, and Messages: what visitors left outside hours), the open conversation in the centre
 * (the widget's own `im-chat-panel`: message list and composer), and the visitor, internal notes
 * and actions on the right.
 *
 * ```html
 * <script type="module" src="im-agent-console.js"></script>
 * <im-agent-console server="wss://chat.example.com/im" token="…"></im-agent-console>
 * ```
 *
 * It is an `im-provider`: give it `server` and `token` (and `user` when the token is not the
 * reference server's), or a ready `.session`. Like `im-provider`, it shares one connection
 * between the agent's tabs (the customer-service calls and events go through the leading tab);
 * `share-tabs="off"` gives each tab its own.
 *
 * - **Queued**: visitors waiting in the agent's groups, each with "Take". The tab's count follows
 *   the server's live queue length (`customerServiceWaiting`).
 * - **Mine**: the agent's open sessions; choosing one opens its conversation (type 5, targetId
 *   `<visitorId>@<groupId>`). A dot marks unread messages.
 * - **All**: every open session of the agent's groups, others' too, as metadata only (others'
 *   messages stay unreadable). **Resolved**: sessions the agent served and ended. Choosing a row
 *   of Queued, All or Resolved shows its details beside (its conversation does not open).
 * - **Messages**: the tickets visitors left for the agent's groups (outside business hours), Open
 *   or Closed, with the count of open ones on the tab: name, email (a `mailto:` link to reply),
 *   time, message, pre-chat answers; "Close" closes one, a closed one says who closed it and when.
 *   The server tells nothing when a ticket comes: the list is read again every 30 seconds.
 * - A list shows the newest 100 sessions; "Load more" adds the next 100.
 * - "Transcript" in the details pane downloads the chosen session's conversation as a .txt file
 *   (messages only: internal notes are never part of it).
 * - When a session changes status (`customerServiceStatus`), Mine and the tab in view load again;
 *   the Queued count follows the server's live counts, and a tab loads afresh when shown.
 * - Canned replies: type `/` in an empty composer, or press "Canned replies"; typing after the
 *   slash filters by shortcut; Enter, Tab or a click puts the reply's text in the composer.
 * - Internal notes are listed and added beside the conversation, marked as seen by agents only;
 *   they never reach the visitor.
 * - The unread count of the agent's conversations prefixes the page title ("(3) "), unless
 *   `no-title`; a visitor's new message beeps once per browser (one console leads; `muted`
 *   silences it).
 *
 * @summary Customer-service agent console: sessions, conversation, visitor, notes, actions.
 *
 * @event im-session-select - A session of Mine was chosen: `{sessionId, conversationType, targetId}`.
 *   Cancelable: preventDefault() keeps the current conversation open.
 * @event im-session-take - A queued session was taken: `{sessionId, targetId}`.
 * @event im-session-resolve - A session was resolved: `{sessionId, targetId}`.
 * @event im-session-transfer - A session was transferred: `{sessionId, targetId, toAgentId}` or `{…, toGroupId}`.
 * @event im-ticket-close - A visitor's ticket was closed: `{ticketId, groupId}`.
 * @event im-status-change - The connection status changed: `{status}`.
 *
 * The events of the elements inside (the chat panel's message list and composer) bubble out too.
 *
 * @csspart sessions - The left pane.
 * @csspart tabs - The tab list (Queued, Mine, All, Resolved, Messages).
 * @csspart tab - One tab.
 * @csspart count - A tab's count (Queued: waiting visitors; Mine: own sessions; Messages: open tickets).
 * @csspart session-list - The sessions of the chosen tab.
 * @csspart session - One session's row.
 * @csspart unread-dot - The mark of unread messages on a row of Mine.
 * @csspart take-button - A queued row's "Take".
 * @csspart load-more-button - "Load more" at the end of a list the server has more of.
 * @csspart ticket-filter - The Open / Closed switch of Messages (buttons with `aria-pressed`).
 * @csspart ticket-list - The tickets shown.
 * @csspart ticket - One ticket.
 * @csspart ticket-email - A ticket's email address, a `mailto:` link.
 * @csspart ticket-close-button - An open ticket's "Close".
 * @csspart chat-panel - The im-chat-panel of the open conversation; its `header`, `title`, `bubble`, `row`, `link`,
 *   `menu`, `menu-item`, `composer`, `input` and `send-button` are forwarded.
 * @csspart canned-button - The "Canned replies" button in the conversation's header.
 * @csspart canned-list - The list of canned replies.
 * @csspart canned-reply - One canned reply in it.
 * @csspart details - The right pane.
 * @csspart visitor - The visitor's facts: name, pre-chat answers, session, status, rating.
 * @csspart notes - The internal notes, list and form.
 * @csspart note - One note.
 * @csspart note-input - The new note's field.
 * @csspart note-button - "Add note".
 * @csspart transcript-button - "Transcript": downloads the session's conversation as a text file.
 * @csspart resolve-button - Resolve.
 * @csspart transfer-button - Transfer (opens the dialog).
 * @csspart away-button - The away toggle (`aria-pressed`).
 * @csspart dialog - The transfer dialog.
 * @csspart pane-toggle - The buttons that show the side panes on narrow layouts (under 900px).
 *
 * @cssproperty --im-agent-console-height - Height of the element (640px).
 * @cssproperty --im-agent-console-sessions-width - Width of the session list (300px).
 * @cssproperty --im-agent-console-details-width - Width of the visitor pane (300px).
 * @cssproperty --im-agent-console-note-background - Background of internal notes (pale yellow).
 * @cssproperty --im-agent-console-note-border - Border of internal notes (amber).
 * @cssproperty --im-color-primary - Accent colour; see the other elements for every token.
 */
export class ImAgentConsole extends ImProvider {
  static override styles = [tokens, styles];

  /** The agent's user id (alias of `user-id`): keys the offline cache when the token is not the reference server's. */
  @property() user = '';
  /** Leaves the page's title alone (no "(3) " unread prefix). */
  @property({ type: Boolean, attribute: 'no-title' }) noTitle = false;
  /** No sound for new visitor messages. */
  @property({ type: Boolean, reflect: true }) muted = false;
  /** Replies offered besides the server's canned replies (the group's `cannedReplies`). */
  @property({ attribute: false }) cannedReplies: CannedReply[] = [];
  /**
   * Where the customer-service calls go: by default the session's own client. Set it to serve
   * the console from something else of the same shape (a proxy of the app's own, fixtures).
   */
  @property({ attribute: false }) agentService?: AgentService;

  /**
   * The session whose conversation is open (one of Mine): set it to open one; it follows the
   * agent's choice, and empties when the session leaves Mine (resolved, transferred).
   */
  @property({ type: Number, attribute: 'session-id' }) sessionId?: number;

  @state() private tab: ConsoleTab = 'mine';
  @state() private lists: Record<SessionScope, AgentSession[]> = { queued: [], mine: [], all: [], resolved: [] };
  /** Whether the server has more of a list than it shows (its last page said so). */
  @state() private hasMore: Record<SessionScope, boolean> = { queued: false, mine: false, all: false, resolved: false };
  /** The tabs loaded once at least: the others say "Loading…". */
  @state() private loadedTabs: ReadonlySet<ConsoleTab> = new Set();
  @state() private loadingMore = false;
  /** Open tickets (always loaded: the tab counts them) and closed ones (loaded while shown). */
  @state() private tickets: Record<TicketStatus, AgentTicket[]> = { open: [], closed: [] };
  /** Tickets this console is closing now: their live signal is no news here. */
  private readonly closingTickets = new Set<number>();
  @state() private closedTicketsLoaded = false;
  @state() private ticketFilter: TicketStatus = 'open';
  /** A session of Queued, All or Resolved chosen to see its details and transcript (its conversation does not open). */
  @state() private inspected: { scope: SessionScope; sessionId: number } | undefined;
  @state() private downloading = false;
  /** The server's count of waiting visitors per group, once it has told one. */
  @state() private waiting: ReadonlyMap<string, number> = new Map();
  @state() private notes: CustomerSessionNote[] = [];
  @state() private directory: AgentDirectory | undefined;
  @state() private serverCanned: CannedReply[] = [];
  @state() private canned: CannedState | undefined;
  @state() private away = false;
  @state() private error = '';
  /** What the error shown is about: a later load that works clears a load's error. */
  private errorOf: string | undefined;
  @state() private narrow = false;
  @state() private pane: 'sessions' | 'details' | undefined;
  @state() private transferChoice = '';
  @state() private busy = false;

  @query('dialog') private dialog?: HTMLDialogElement;

  private readonly conversations = new StoreController(this, (state: ChatState) => state.conversations.byKey);
  private readonly me = new StoreController(this, (state: ChatState) => state.userId);
  private unsubscribe: Array<() => void> = [];
  private attached: AgentService | undefined;
  /** Made on connecting (server-side rendering constructs elements without a document). */
  private titleBadge: TitleBadge | undefined;
  private sound: SoundLeader | undefined;
  private resize: ResizeObserver | undefined;
  private clock: ReturnType<typeof setInterval> | undefined;
  private refreshing: Promise<void> | undefined;
  /** Tabs to load once the load running ends. */
  private readonly pending = new Set<ConsoleTab>();
  /**
   * How far "Load more" has gone in a list (the oldest sessionId it added): a refresh reads as
   * far, so the list does not shrink under the agent's eyes.
   */
  private readonly depth: Partial<Record<SessionScope, number>> = {};
  private transferOpener: HTMLElement | null = null;

  private get text(): ConsoleStrings {
    return consoleStrings(this.language);
  }

  /** The service in use: the one set, or the session's client when it can serve. */
  get service(): AgentService | undefined {
    if (this.agentService) return this.agentService;
    const client = this.session?.client;
    return isAgentService(client) ? client : undefined;
  }

  private get myId(): string | undefined {
    return this.me.value ?? this.service?.userId;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.titleBadge ??= new TitleBadge(this.ownerDocument);
    this.resize = new ResizeObserver(([entry]) => {
      const narrow = (entry?.contentRect.width ?? NARROW) < NARROW;
      if (narrow !== this.narrow) {
        this.narrow = narrow;
        this.pane = undefined;
      }
    });
    this.resize.observe(this);
    // Ages ("5 min") move on while nothing else happens.
    this.clock = setInterval(() => this.requestUpdate(), 30_000);
    this.attachService();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    clearInterval(this.clock);
    this.detachService();
    this.titleBadge?.restore();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // `user` is `user-id` by a shorter name: a change counts as a change of what the session is made from.
    if (changed.has('user') && this.user && this.user !== this.userId) {
      changed.set('userId', this.userId);
      this.userId = this.user;
    }
    // A conversation opened from outside (`session-id`) takes the centre back from an inspected session.
    if (changed.has('sessionId') && this.sessionId !== undefined) this.inspected = undefined;
    if (changed.has('sessionId') || changed.has('inspected')) this.syncNotes();
    super.willUpdate(changed);
    // Before the render: what the new session's store and service say is drawn by this update.
    if (changed.has('session') || changed.has('agentService')) {
      this.conversations.attach();
      this.me.attach();
      this.attachService();
    }
  }

  override updated(changed: PropertyValues<this>): void {
    if ((changed as Map<string, unknown>).has('tab')) this.revealTab();
    if (this.noTitle) this.titleBadge?.restore();
    else this.titleBadge?.set(this.unreadTotal());
  }

  /** Unread messages of the agent's own conversations (Mine). */
  private unreadTotal(): number {
    const byKey = this.conversations.value ?? {};
    return this.lists.mine.reduce((sum, session) => sum + (byKey[conversationKey({ conversationType: CS, targetId: session.targetId })]?.unreadCount ?? 0), 0);
  }

  private unreadOf(session: AgentSession): number {
    return this.conversations.value?.[conversationKey({ conversationType: CS, targetId: session.targetId })]?.unreadCount ?? 0;
  }

  private attachService(): void {
    const service = this.service;
    if (service === this.attached) return;
    this.detachService();
    this.attached = service;
    if (!service || !this.isConnected) return;
    this.unsubscribe = [
      service.on('customerServiceStatus', () => void this.refresh()),
      service.on('customerServiceWaiting', (event) => {
        this.waiting = new Map(this.waiting).set(event.groupId, event.waiting);
        // The count comes with the event: only a list of the queue in view needs its rows again.
        if (this.tab === 'queued' || this.tab === 'all') void this.reload([this.tab]);
      }),
      // A ticket came or was closed in one of the agent's groups: the Messages tab and its count
      // read again, unless the list already says so (this agent's own close: it stays in place).
      service.on('customerServiceTicket', (event) => {
        // (The signal of one's own close may come before the call's answer.)
        if (this.closingTickets.has(event.ticketId)) return;
        const shown = [...this.tickets.open, ...this.tickets.closed].find((ticket) => ticket.ticketId === event.ticketId);
        if (shown?.status !== event.status) void this.reload(['messages']);
      }),
      service.on('customerServiceRating', (event) => {
        const rate = (list: AgentSession[]) => list.map((s) => (s.sessionId === event.sessionId ? { ...s, rating: event.score } : s));
        this.lists = { queued: this.lists.queued, mine: rate(this.lists.mine), all: rate(this.lists.all), resolved: rate(this.lists.resolved) };
      }),
      service.on('message', (message) => this.onMessage(message)),
      service.on('status', (status) => {
        if (status === ConnectionStatus.CONNECTED) this.start();
      }),
    ];
    if (this.session?.client.status === ConnectionStatus.CONNECTED || this.agentService) this.start();
  }

  private detachService(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.attached = undefined;
    this.sound?.stop();
    this.sound = undefined;
  }

  /** After (re)connecting: everything the console shows may have changed meanwhile. */
  private start(): void {
    // Live counts sent while disconnected were missed: the queue is counted by its rows until the next one.
    this.waiting = new Map();
    void this.reload(['mine', 'queued', 'messages', this.tab]);
    const service = this.service;
    if (!service) return;
    // One leader per user and server: known for sure once connected.
    const me = this.myId;
    if (!this.sound && me) this.sound = new SoundLeader(`${this.server}|${me}`);
    void service.getCannedReplies().then((replies) => { this.serverCanned = replies; }, () => undefined);
    void this.loadDirectory();
  }

  private async loadDirectory(): Promise<void> {
    const service = this.service;
    if (!service) return;
    try {
      this.directory = await service.getCustomerServiceAgents();
      const mine = this.directory.agents.find((agent) => agent.userId === this.myId);
      if (mine) this.away = mine.away;
    } catch {
      // The dialog falls back to typing an id.
    }
  }

  private onMessage(message: IMMessage): void {
    if (message.conversationType !== CS || message.senderUserId === this.myId || isServerSender(message.senderUserId)) return;
    if (!this.muted && this.sound?.claim(message.messageUid || `${message.targetId}|${message.sentTime}`)) beep();
    // A visitor the Mine list does not know yet (assigned while the list was loading).
    if (!this.lists.mine.some((session) => session.targetId === message.targetId)) void this.reload(['mine']);
  }

  /**
   * Loads again what a change of a session's status may have changed in sight: Mine (the open
   * conversation, the unread count of the title) and the tab in view. The other lists load when
   * shown; the Queued count follows the server's live counts (`customerServiceWaiting`).
   */
  refresh(): Promise<void> {
    return this.reload(['mine', this.tab]);
  }

  /** Loads tabs; tabs asked for while a load runs load right after it (each once). */
  private reload(tabs: Iterable<ConsoleTab>): Promise<void> {
    for (const tab of tabs) this.pending.add(tab);
    if (this.refreshing) return this.refreshing;
    if (this.pending.size === 0) return Promise.resolve();
    this.refreshing = (async () => {
      try {
        while (this.pending.size > 0) {
          const batch = [...this.pending];
          this.pending.clear();
          await Promise.all(batch.map((tab) => (tab === 'messages' ? this.loadTickets() : this.loadScope(tab))));
        }
      } finally {
        // In the same turn as the last check of `pending`: no call can fall between the two.
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async loadScope(scope: SessionScope): Promise<void> {
    const service = this.service;
    if (!service) return;
    try {
      const through = this.depth[scope];
      const page = await sessionsOf(service, scope, through);
      let { sessions, hasMore } = page;
      // "Load more" went deeper while this load ran: what it added stays, after what this load read.
      if (page.hasMore && this.depth[scope] !== through) {
        const end = sessions.at(-1)?.sessionId ?? Number.POSITIVE_INFINITY;
        const known = new Set(sessions.map((s) => s.sessionId));
        sessions = [...sessions, ...this.lists[scope].filter((s) => s.sessionId < end && !known.has(s.sessionId))];
        hasMore = this.hasMore[scope];
      }
      this.lists = { ...this.lists, [scope]: sessions };
      this.hasMore = { ...this.hasMore, [scope]: hasMore };
      this.loadedTabs = new Set(this.loadedTabs).add(scope);
      if (this.errorOf === 'load') this.error = '';
      if (scope === 'mine' && this.sessionId !== undefined && !sessions.some((s) => s.sessionId === this.sessionId)) this.sessionId = undefined;
      const inspected = this.inspected;
      if (inspected?.scope === scope && !sessions.some((s) => s.sessionId === inspected.sessionId)) this.inspected = undefined;
      // Notes of a session set before its list was there.
      this.syncNotes();
    } catch (error) {
      this.fail('load', error);
    }
  }

  /** Adds the next page of a list (sessions older than its last). */
  private async loadMore(scope: SessionScope): Promise<void> {
    const service = this.service;
    if (!service || this.loadingMore || this.lists[scope].length === 0) return;
    this.loadingMore = true;
    const fromButton = (this.renderRoot as ShadowRoot).activeElement?.classList.contains('more') ?? false;
    try {
      // A refresh may replace the list while the page is on its way, ending elsewhere: the page
      // would not follow on from it (a gap, or rows twice), so it is asked again from the new end.
      for (let attempt = 0; attempt < 3; attempt++) {
        const last = this.lists[scope].at(-1)?.sessionId;
        if (last === undefined) return;
        const page = await sessionsBefore(service, scope, last);
        const current = this.lists[scope];
        if (current.at(-1)?.sessionId !== last) continue;
        const known = new Set(current.map((s) => s.sessionId));
        const added = page.sessions.filter((s) => s.sessionId < last && !known.has(s.sessionId));
        const list = [...current, ...added];
        this.lists = { ...this.lists, [scope]: list };
        this.hasMore = { ...this.hasMore, [scope]: page.hasMore };
        const oldest = list.at(-1)?.sessionId;
        if (oldest !== undefined) this.depth[scope] = oldest;
        // The keyboard goes on from the first row added (the button goes when nothing more is left).
        if (fromButton && added[0]) {
          await this.updateComplete;
          this.renderRoot.querySelector<HTMLElement>(`li[data-session-id="${added[0].sessionId}"] button`)?.focus();
        }
        return;
      }
    } catch (error) {
      this.fail('loadMore', error);
    } finally {
      this.loadingMore = false;
    }
  }

  private async loadTickets(): Promise<void> {
    const service = this.service;
    if (!service) return;
    const closedShown = this.tab === 'messages' && this.ticketFilter === 'closed';
    try {
      // Open ones always (the tab counts them); closed ones only while they are shown.
      const [open, closed] = await Promise.all([
        service.getCustomerServiceTickets('open'),
        closedShown ? service.getCustomerServiceTickets('closed') : undefined,
      ]);
      this.tickets = { open, closed: closed ?? this.tickets.closed };
      if (closed) this.closedTicketsLoaded = true;
      this.loadedTabs = new Set(this.loadedTabs).add('messages');
      if (this.errorOf === 'tickets') this.error = '';
    } catch (error) {
      this.fail('tickets', error);
    }
  }

  private openTicketCount(): number {
    return this.tickets.open.filter((ticket) => ticket.status === 'open').length;
  }

  private showTickets(status: TicketStatus): void {
    if (status === this.ticketFilter) return;
    this.ticketFilter = status;
    if (status === 'closed') this.closedTicketsLoaded = false;
    void this.reload(['messages']);
  }

  private async closeTicket(ticket: AgentTicket): Promise<void> {
    const service = this.service;
    if (!service) return;
    this.closingTickets.add(ticket.ticketId);
    try {
      const closed = await service.closeCustomerServiceTicket(ticket.ticketId).finally(() => this.closingTickets.delete(ticket.ticketId));
      // It stays where it is, shown closed, until the list loads again: the agent sees what the click did.
      const replace = (list: AgentTicket[]) => list.map((t) => (t.ticketId === closed.ticketId ? closed : t));
      this.tickets = { open: replace(this.tickets.open), closed: replace(this.tickets.closed) };
      this.emit('im-ticket-close', { ticketId: closed.ticketId, groupId: closed.groupId });
      // The button is gone: the focus goes to what replaced it.
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`li[data-ticket-id="${closed.ticketId}"] .closed-by`)?.focus();
    } catch (error) {
      this.fail('closeTicket', error);
      void this.reload(['messages']);
    }
  }

  /** Downloads a session's transcript as a text file (the server's lines: messages, never notes). */
  private async downloadTranscript(session: AgentSession): Promise<void> {
    const service = this.service;
    if (!service || this.downloading) return;
    this.downloading = true;
    try {
      const lines = await service.getCustomerSessionTranscript(session.sessionId);
      const visitor = this.nameOf(session);
      const text = transcriptAsText(lines, {
        title: this.text.transcriptTitle(this.groupName(session.groupId), visitor, session.sessionId),
        locale: this.language,
        // The visitor's lines under the name the console shows (an anonymous visitor's profile has none).
        nameOf: (line) => line.senderName || (line.senderId === session.visitorId ? visitor : line.senderId),
      });
      // Ids only in the file's name: a visitor's name may be anything, in any script.
      saveTextFile(transcriptFileName(`${session.groupId}-session-${session.sessionId}`), text);
    } catch (error) {
      this.fail('transcript', error);
    } finally {
      this.downloading = false;
    }
  }

  private groupName(groupId: string): string {
    return this.directory?.groups.find((group) => group.groupId === groupId)?.name || groupId;
  }

  /** Shows what failed and the server's reason (its message and code), until dismissed or loaded fine again. */
  private fail(what: keyof ConsoleStrings['failures'], error: unknown): void {
    const code = (error as { code?: number })?.code;
    this.error = `${this.text.failures[what]}: ${(error as Error)?.message ?? error}${code !== undefined ? ` (${code})` : ''}`;
    this.errorOf = what;
  }

  private get selected(): AgentSession | undefined {
    return this.sessionId === undefined ? undefined : this.lists.mine.find((s) => s.sessionId === this.sessionId);
  }

  /** Per group: the server's live count once it has told one, else the queued rows loaded. */
  private queuedCount(): number {
    const groupOf = (session: AgentSession) => session.servingGroupId || session.groupId;
    const groups = new Set([...this.waiting.keys(), ...this.lists.queued.map(groupOf)]);
    let total = 0;
    for (const group of groups) total += this.waiting.get(group) ?? this.lists.queued.filter((session) => groupOf(session) === group).length;
    return total;
  }

  /** The session the details pane is about: one chosen in Queued, All or Resolved, else the open one of Mine. */
  private get detailsSession(): AgentSession | undefined {
    const inspected = this.inspected;
    if (!inspected) return this.selected;
    return this.lists[inspected.scope].find((session) => session.sessionId === inspected.sessionId);
  }

  /** Shows a session of Queued, All or Resolved in the details pane; its conversation is not the agent's to open. */
  private inspect(scope: SessionScope, session: AgentSession): void {
    this.inspected = { scope, sessionId: session.sessionId };
    this.canned = undefined;
    if (this.narrow) this.pane = 'details';
  }

  private syncNotes(): void {
    const sessionId = this.detailsSession?.sessionId;
    if (sessionId !== undefined && sessionId !== this.notesOf) void this.loadNotes(sessionId);
  }

  /** Opens a session of Mine in the centre. */
  select(sessionId: number): void {
    const session = this.lists.mine.find((s) => s.sessionId === sessionId);
    if (!session) return;
    if (!this.emit('im-session-select', { sessionId, conversationType: CS, targetId: session.targetId }, { cancelable: true })) return;
    this.sessionId = sessionId;
    this.inspected = undefined;
    this.canned = undefined;
    if (this.narrow) this.pane = undefined;
    void this.loadNotes(sessionId);
  }

  /** The session the notes shown are of. */
  private notesOf: number | undefined;

  private async loadNotes(sessionId: number): Promise<void> {
    const service = this.service;
    this.notes = [];
    this.notesOf = sessionId;
    if (!service) return;
    try {
      const notes = await service.getCustomerSessionNotes(sessionId);
      if (this.detailsSession?.sessionId === sessionId) this.notes = notes;
    } catch (error) {
      this.fail('loadNotes', error);
    }
  }

  private async take(session: AgentSession): Promise<void> {
    const service = this.service;
    if (!service) return;
    try {
      const taken = await service.takeCustomerSession(session.sessionId);
      this.emit('im-session-take', { sessionId: taken.sessionId, targetId: taken.targetId });
      this.tab = 'mine';
      this.inspected = undefined;
      await this.reload(['mine', 'queued']);
      this.select(taken.sessionId);
    } catch (error) {
      this.fail('take', error);
      void this.refresh();
    }
  }

  private async resolve(session: AgentSession): Promise<void> {
    const service = this.service;
    if (!service) return;
    try {
      await service.resolveCustomerSession(session.sessionId);
      this.sessionId = undefined;
      this.emit('im-session-resolve', { sessionId: session.sessionId, targetId: session.targetId });
      await this.refresh();
    } catch (error) {
      this.fail('resolve', error);
    }
  }

  private async addNote(form: HTMLFormElement): Promise<void> {
    const session = this.detailsSession;
    const field = form.elements.namedItem('note') as HTMLTextAreaElement;
    const text = field.value.trim();
    if (!session || !text || !this.service) return;
    try {
      const note = await this.service.addCustomerSessionNote(session.sessionId, text);
      field.value = '';
      if (this.detailsSession?.sessionId === session.sessionId) this.notes = [...this.notes, note];
    } catch (error) {
      this.fail('addNote', error);
    }
  }

  private async setAway(away: boolean): Promise<void> {
    const service = this.service;
    if (!service) return;
    try {
      await service.setCustomerServiceAgentAway(away);
      this.away = away;
    } catch (error) {
      this.fail('away', error);
    }
  }

  // ---- transfer dialog ----

  private openTransfer(event: Event): void {
    this.transferOpener = event.currentTarget as HTMLElement;
    this.transferChoice = '';
    void this.loadDirectory();
    this.dialog?.showModal();
  }

  private closeTransfer(): void {
    if (this.dialog?.open) this.dialog.close();
  }

  /** The dialog closed (a button, Escape): the focus goes back to the button that opened it. */
  private readonly onDialogClose = () => {
    this.transferOpener?.focus();
    this.transferOpener = null;
  };

  private async submitTransfer(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const session = this.selected;
    const service = this.service;
    const form = event.currentTarget as HTMLFormElement;
    if (!session || !service) return;
    let target: TransferTarget | undefined;
    const choice = this.transferChoice;
    if (choice.startsWith('agent:')) target = { toAgentId: choice.slice(6) };
    else if (choice.startsWith('group:')) target = { toGroupId: choice.slice(6) };
    else {
      const agentId = (form.elements.namedItem('agentId') as HTMLInputElement | null)?.value.trim();
      const groupId = (form.elements.namedItem('groupId') as HTMLInputElement | null)?.value.trim();
      target = agentId ? { toAgentId: agentId } : groupId ? { toGroupId: groupId } : undefined;
    }
    if (!target) return;
    this.busy = true;
    try {
      await service.transferCustomerSession(session.sessionId, target);
      this.closeTransfer();
      this.sessionId = undefined;
      this.emit('im-session-transfer', { sessionId: session.sessionId, targetId: session.targetId, ...target });
      await this.refresh();
    } catch (error) {
      this.fail('transfer', error);
    } finally {
      this.busy = false;
    }
  }

  // ---- canned replies ----

  private get allCanned(): CannedReply[] {
    const group = this.selected?.servingGroupId ?? this.selected?.groupId;
    const server = this.serverCanned.filter((reply) => !reply.groupId || !group || reply.groupId === group);
    return [...this.cannedReplies, ...server];
  }

  private cannedMatches(): CannedReply[] {
    const query = this.canned?.query.toLowerCase() ?? '';
    return this.allCanned.filter((reply) => reply.shortcut.toLowerCase().startsWith(query)).slice(0, 20);
  }

  private get panel(): ImChatPanel | null {
    return this.renderRoot.querySelector<ImChatPanel>('im-chat-panel');
  }

  private draftOf(session: AgentSession): string {
    return this.session?.state.drafts[conversationKey({ conversationType: CS, targetId: session.targetId })] ?? '';
  }

  /** Typing in the composer: "/" in an empty draft opens the list, what follows filters it. */
  private readonly onComposerInput = () => {
    const session = this.selected;
    if (!session) return;
    const match = /^\/([a-z0-9_-]*)$/i.exec(this.draftOf(session));
    if (match) this.canned = { mode: 'slash', query: match[1]!, index: 0 };
    else if (this.canned?.mode === 'slash') this.canned = undefined;
  };

  /**
   * Keys for the open list, caught on the way down to the composer's input (capture) so that
   * Enter chooses a reply instead of sending "/shortcut".
   */
  private readonly onComposerKey = (event: KeyboardEvent) => {
    if (!this.canned || event.isComposing) return;
    const matches = this.cannedMatches();
    const index = this.canned.index;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (matches.length) this.canned = { ...this.canned, index: (index + (event.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length };
    } else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey) {
      if (!matches.length) return;
      this.chooseCanned(matches[Math.min(index, matches.length - 1)]!);
    } else if (event.key === 'Escape') {
      this.canned = undefined;
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  private toggleCanned(): void {
    if (this.canned) {
      this.canned = undefined;
      return;
    }
    this.canned = { mode: 'button', query: '', index: 0 };
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.canned [role="option"]')?.focus());
  }

  /** Puts a reply's text in the composer: in place of "/shortcut", or at the caret. */
  private chooseCanned(reply: CannedReply): void {
    const session = this.selected;
    const chat = this.session;
    if (!session || !chat) return;
    const slash = this.canned?.mode === 'slash';
    this.canned = undefined;
    if (slash) {
      chat.setDraft({ conversationType: CS, targetId: session.targetId }, reply.text);
      this.panel?.focus();
    } else {
      this.panel?.insertText(reply.text);
    }
  }

  private onCannedKey(event: KeyboardEvent, reply: CannedReply): void {
    const options = [...this.renderRoot.querySelectorAll<HTMLElement>('.canned [role="option"]')];
    const at = options.indexOf(event.currentTarget as HTMLElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      options[(at + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length]?.focus();
    } else if (event.key === 'Escape') {
      this.canned = undefined;
      this.panel?.focus();
    } else if (event.key === 'Enter' || event.key === ' ') {
      this.chooseCanned(reply);
    } else {
      return;
    }
    event.preventDefault();
  }

  // ---- rendering ----

  private nameOf(session: AgentSession): string {
    return session.visitorName || session.visitorId;
  }

  private age(session: AgentSession): string {
    return this.text.age(Math.max(0, Math.floor((Date.now() - session.createdAt) / 60_000)));
  }

  /**
   * Shows a tab, loaded afresh: others' sessions (All) change without telling this agent (their
   * status notices go to the agents serving them).
   */
  private showTab(tab: ConsoleTab): void {
    this.tab = tab;
    // Back to Mine: the open conversation comes back in the centre.
    if (tab === 'mine') this.inspected = undefined;
    void this.reload([tab]);
  }

  /**
   * Scrolls the tab list, when the tabs do not fit (a narrow pane, a long language), to show the
   * chosen tab. By hand: scrollIntoView would scroll the page too.
   */
  private revealTab(): void {
    const list = this.renderRoot.querySelector<HTMLElement>('.tabs');
    const current = list?.querySelector<HTMLElement>('[aria-selected="true"]');
    if (!list || !current) return;
    const bounds = list.getBoundingClientRect();
    const box = current.getBoundingClientRect();
    if (box.left < bounds.left) list.scrollLeft -= bounds.left - box.left;
    else if (box.right > bounds.right) list.scrollLeft += box.right - bounds.right;
  }

  /**
   * A tab's count, where one means something live: the waiting visitors, the agent's own
   * sessions, the open tickets. All and Resolved have none: counting them would cost a load of
   * each on every change, for lists that are not in view.
   */
  private countOf(tab: ConsoleTab): string | undefined {
    if (tab === 'queued') return String(this.queuedCount());
    if (tab === 'mine') return `${this.lists.mine.length}${this.hasMore.mine ? '+' : ''}`;
    if (tab === 'messages') return String(this.openTicketCount());
    return undefined;
  }

  private renderTabs() {
    const t = this.text;
    const onKey = (event: KeyboardEvent) => {
      const at = TABS.indexOf(this.tab);
      const next = event.key === 'ArrowRight' ? TABS[(at + 1) % TABS.length] : event.key === 'ArrowLeft' ? TABS[(at + TABS.length - 1) % TABS.length]
        : event.key === 'Home' ? TABS[0] : event.key === 'End' ? TABS[TABS.length - 1] : undefined;
      if (!next) return;
      event.preventDefault();
      this.showTab(next);
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${next}`)?.focus());
    };
    return html`<div part="tabs" class="tabs" role="tablist" aria-label=${t.sessions} @keydown=${onKey}>
      ${TABS.map((tab) => {
        const count = this.countOf(tab);
        return html`<button part="tab" role="tab" id=${`tab-${tab}`} type="button" aria-controls="session-panel"
          aria-selected=${this.tab === tab ? 'true' : 'false'} tabindex=${this.tab === tab ? '0' : '-1'} data-scope=${tab}
          @click=${() => this.showTab(tab)}>${t.tabs[tab]}${count === undefined ? nothing : html` <span part="count" class="count">${count}</span>`}</button>`;
      })}
    </div>`;
  }

  private renderRow(session: AgentSession, scope: SessionScope) {
    const t = this.text;
    const name = this.nameOf(session);
    const unread = scope === 'mine' && this.unreadOf(session) > 0;
    const facts = html`
      <span class="name">${name}</span>
      <span class="meta">
        <span class="group">${session.servingGroupId || session.groupId}</span>
        <span class="status" data-status=${session.status}>${t.status[session.status] ?? session.status}</span>
        <span class="age">${this.age(session)}</span>
        ${scope === 'all' || scope === 'resolved' ? html`<span class="agent">${session.agentId ? t.servedBy(session.agentId) : t.unassigned}</span>` : nothing}
        ${scope === 'resolved' && session.rating ? html`<span class="rating">★ ${session.rating}</span>` : nothing}
      </span>
      ${unread ? html`<span part="unread-dot" class="dot" role="img" aria-label=${t.unreadDot}></span>` : nothing}`;
    if (scope === 'mine') {
      return html`<li part="session" class="row" data-session-id=${session.sessionId}>
        <button type="button" class="open" aria-label=${t.openSession(name)} aria-current=${session.sessionId === this.sessionId ? 'true' : 'false'}
          @click=${() => this.select(session.sessionId)}>${facts}</button>
      </li>`;
    }
    const inspected = this.inspected?.scope === scope && this.inspected.sessionId === session.sessionId;
    return html`<li part="session" class="row readonly" data-session-id=${session.sessionId}>
      <button type="button" class="inspect" aria-label=${t.showSessionDetails(name)} aria-current=${inspected ? 'true' : 'false'}
        @click=${() => this.inspect(scope, session)}>${facts}</button>
      ${scope === 'queued' ? html`<button part="take-button" class="take" type="button" aria-label=${t.takeSession(name)}
        @click=${() => void this.take(session)}>${t.take}</button>` : nothing}
    </li>`;
  }

  private renderSessions() {
    const t = this.text;
    const tab = this.tab;
    return html`<nav part="sessions" class="sessions" aria-label=${t.sessions}>
      ${this.renderTabs()}
      <div id="session-panel" role="tabpanel" aria-labelledby=${`tab-${tab}`} class="panel">
        ${tab === 'messages' ? this.renderTickets() : this.renderSessionList(tab)}
      </div>
    </nav>`;
  }

  private renderSessionList(scope: SessionScope) {
    const t = this.text;
    const list = this.lists[scope];
    if (!this.loadedTabs.has(scope)) return html`<p class="empty">${t.loading}</p>`;
    if (list.length === 0) return html`<p class="empty">${t.noSessions[scope]}</p>`;
    return html`<ul part="session-list" class="list">${list.map((session) => this.renderRow(session, scope))}</ul>
      ${this.hasMore[scope] ? html`<button part="load-more-button" class="more" type="button" aria-disabled=${this.loadingMore ? 'true' : 'false'}
        @click=${() => void this.loadMore(scope)}>${this.loadingMore ? t.loading : t.loadMore}</button>` : nothing}`;
  }

  private renderTickets() {
    const t = this.text;
    const filter = this.ticketFilter;
    const list = this.tickets[filter];
    const loaded = filter === 'open' ? this.loadedTabs.has('messages') : this.closedTicketsLoaded;
    return html`<div part="ticket-filter" class="filter" role="group" aria-label=${t.ticketFilter}>
        ${(['open', 'closed'] as const).map((status) => html`<button type="button" data-status=${status}
          aria-pressed=${filter === status ? 'true' : 'false'} @click=${() => this.showTickets(status)}>${t.ticketStatus[status]}</button>`)}
      </div>
      ${!loaded ? html`<p class="empty">${t.loading}</p>`
        : list.length === 0 ? html`<p class="empty">${t.noTickets[filter]}</p>`
        : html`<ul part="ticket-list" class="list" aria-label=${t.tickets}>${list.map((ticket) => this.renderTicket(ticket))}</ul>`}`;
  }

  /** A ticket: everything in it is the visitor's own typing, so it is bound as text only. */
  private renderTicket(ticket: AgentTicket) {
    const t = this.text;
    const lang = this.language;
    const name = ticket.name || t.noName;
    // Encoded whole, the address stays one mailto: recipient: no second address, header or scheme can be slipped in.
    const mailto = `mailto:${encodeURIComponent(ticket.email)}?subject=${encodeURIComponent(t.replySubject(this.groupName(ticket.groupId)))}`;
    const form = Object.entries(ticket.form ?? {});
    const created = new Date(ticket.createdAt);
    return html`<li part="ticket" class="ticket" data-ticket-id=${ticket.ticketId} data-status=${ticket.status}>
      <div class="ticket-head">
        <span class="name">${name}</span>
        <time datetime=${created.toISOString()}>${created.toLocaleString(lang)}</time>
      </div>
      <div class="meta"><a part="ticket-email" class="email" href=${mailto}>${ticket.email}</a>
        <span class="group">${this.groupName(ticket.groupId)}</span></div>
      <p class="ticket-message">${ticket.message}</p>
      ${form.length > 0 ? html`<dl class="ticket-form">${form.map(([field, value]) => html`<dt>${field}</dt><dd>${String(value)}</dd>`)}</dl>` : nothing}
      ${ticket.status === 'open'
        ? html`<button part="ticket-close-button" class="close-ticket" type="button" aria-label=${t.closeTicketOf(name)}
            @click=${() => void this.closeTicket(ticket)}>${t.closeTicket}</button>`
        : html`<p class="closed-by" tabindex="-1">${t.closedBy(ticket.closedBy, new Date(ticket.closedAt).toLocaleString(lang))}</p>`}
    </li>`;
  }

  private renderCanned() {
    const canned = this.canned;
    if (!canned) return nothing;
    const t = this.text;
    const matches = this.cannedMatches();
    const active = Math.min(canned.index, Math.max(0, matches.length - 1));
    // Above the composer: its height is measured, as it grows with what is written.
    const composer = this.panel?.renderRoot.querySelector('im-composer') as HTMLElement | null;
    const bottom = (composer?.offsetHeight ?? 56) + 4;
    return html`<div part="canned-list" class="canned" role="listbox" aria-label=${t.cannedReplies} style=${`bottom: ${bottom}px`}>
      ${matches.length === 0 ? html`<p class="empty">${t.noCanned}</p>` : matches.map((reply, index) => html`
        <div part="canned-reply" role="option" tabindex="-1" aria-selected=${index === active ? 'true' : 'false'}
          @mousedown=${(event: Event) => event.preventDefault()} @click=${() => this.chooseCanned(reply)}
          @keydown=${(event: KeyboardEvent) => this.onCannedKey(event, reply)}>
          <span class="shortcut">/${reply.shortcut}</span><span class="reply-text">${reply.text}</span>
        </div>`)}
    </div>`;
  }

  private renderCentre() {
    const t = this.text;
    const session = this.selected;
    const toggles = this.narrow ? html`<div class="toggles">
        <button part="pane-toggle" type="button" aria-expanded=${this.pane === 'sessions' ? 'true' : 'false'} aria-controls="sessions-pane"
          @click=${() => { this.pane = this.pane === 'sessions' ? undefined : 'sessions'; }}>${t.showSessions} <span class="count">${this.queuedCount()}</span></button>
        <button part="pane-toggle" type="button" aria-expanded=${this.pane === 'details' ? 'true' : 'false'} aria-controls="details-pane"
          @click=${() => { this.pane = this.pane === 'details' ? undefined : 'details'; }}>${t.showDetails}</button>
      </div>` : nothing;
    const inspected = this.inspected ? this.detailsSession : undefined;
    return html`<main class="centre">
      ${toggles}
      ${inspected ? html`<p class="placeholder">${t.notOpenHere(this.nameOf(inspected))}</p>`
        : session
        ? html`<im-chat-panel part="chat-panel" exportparts="header, title, bubble, row, link, menu, menu-item, composer, input, send-button"
            theme=${this.theme} lang=${this.language} conversation-type=${CS} target-id=${session.targetId}
            @input=${this.onComposerInput} @keydown=${{ handleEvent: this.onComposerKey, capture: true }}>
            <button slot="header-actions" part="canned-button" class="canned-button" type="button" aria-expanded=${this.canned ? 'true' : 'false'}
              @click=${() => this.toggleCanned()}>${t.cannedReplies}</button>
          </im-chat-panel>
          ${this.renderCanned()}`
        : html`<p class="placeholder">${t.chooseSession}</p>`}
    </main>`;
  }

  private renderDetails() {
    const t = this.text;
    const session = this.detailsSession;
    // Resolve and Transfer act on the agent's own open conversation only.
    const own = !this.inspected && session !== undefined;
    const lang = this.language;
    const away = html`<button part="away-button" type="button" class="away" aria-pressed=${this.away ? 'true' : 'false'} title=${t.awayHint}
      ?disabled=${!this.service} @click=${() => void this.setAway(!this.away)}>${t.awayToggle}</button>`;
    if (!session) return html`<aside part="details" class="details" aria-label=${t.showDetails}><div class="actions">${away}</div></aside>`;
    const info = Object.entries(session.visitorInfo ?? {});
    return html`<aside part="details" class="details" aria-label=${t.showDetails}>
      <section part="visitor" class="visitor">
        <h2>${this.nameOf(session)}</h2>
        <dl>
          ${session.visitorName ? html`<dt>${t.visitor}</dt><dd>${session.visitorId}</dd>` : nothing}
          ${info.map(([name, value]) => html`<dt>${name}</dt><dd>${String(value)}</dd>`)}
          <dt>${t.session}</dt><dd>#${session.sessionId}</dd>
          <dt>${t.group}</dt><dd>${session.servingGroupId || session.groupId}</dd>
          <dt>${t.created}</dt><dd>${new Date(session.createdAt).toLocaleString(lang)}</dd>
          <dt>${t.statusLabel}</dt><dd>${t.status[session.status] ?? session.status}</dd>
          <dt>${t.rating}</dt><dd>${session.rating ? t.stars(session.rating) : t.notRated}</dd>
        </dl>
      </section>
      <section part="notes" class="notes" aria-labelledby="notes-title">
        <h3 id="notes-title">${t.notes}</h3>
        <p class="hint">${icon('alert')} ${t.notesHint}</p>
        ${this.notes.length === 0 ? html`<p class="empty">${t.noNotes}</p>` : html`<ul>
          ${this.notes.map((note) => html`<li part="note" class="note"><span class="note-text">${note.text}</span>
            <span class="note-meta">${note.authorId}, ${new Date(note.time).toLocaleString(lang)}</span></li>`)}
        </ul>`}
        <form @submit=${(event: SubmitEvent) => { event.preventDefault(); void this.addNote(event.currentTarget as HTMLFormElement); }}>
          <textarea part="note-input" name="note" rows="2" aria-label=${t.noteLabel} placeholder=${t.noteLabel} maxlength="2000"></textarea>
          <button part="note-button" type="submit">${t.addNote}</button>
        </form>
      </section>
      <section class="actions" aria-label=${t.actions}>
        ${own ? html`<button part="resolve-button" type="button" @click=${() => void this.resolve(session)}>${t.resolve}</button>
          <button part="transfer-button" type="button" aria-haspopup="dialog" @click=${(event: Event) => this.openTransfer(event)}>${t.transfer}</button>`
          : nothing}
        <button part="transcript-button" type="button" title=${t.transcriptHint} aria-disabled=${this.downloading ? 'true' : 'false'}
          @click=${() => void this.downloadTranscript(session)}>${t.transcript}</button>
        ${away}
      </section>
    </aside>`;
  }

  private renderDialog() {
    const t = this.text;
    const directory = this.directory;
    const me = this.myId;
    const choose = (event: Event) => { this.transferChoice = (event.target as HTMLInputElement).value; };
    return html`<dialog part="dialog" aria-labelledby="transfer-title" @close=${this.onDialogClose}>
      <form @submit=${(event: SubmitEvent) => void this.submitTransfer(event)}>
        <h2 id="transfer-title">${t.transferTitle}</h2>
        ${directory
          ? html`<fieldset><legend>${t.toAgent}</legend>
              ${directory.agents.filter((agent) => agent.userId !== me).map((agent) => html`<label class="choice">
                <input type="radio" name="target" value=${`agent:${agent.userId}`} @change=${choose}>
                <span class="choice-name">${agent.name && agent.name !== agent.userId ? `${agent.name} (${agent.userId})` : agent.userId}</span>
                <span class="presence" data-online=${agent.online && !agent.away ? 'true' : 'false'}>${agent.away ? t.away : agent.online ? t.online : t.offline}</span>
                <span class="load">${t.load(agent.load, agent.cap)}</span>
              </label>`)}
            </fieldset>
            <fieldset><legend>${t.toGroup}</legend>
              ${directory.groups.map((group) => html`<label class="choice">
                <input type="radio" name="target" value=${`group:${group.groupId}`} @change=${choose}>
                <span class="choice-name">${group.name || group.groupId}</span>
              </label>`)}
            </fieldset>`
          : html`<label class="field">${t.agentId} <input name="agentId" autocomplete="off"></label>
            <label class="field">${t.groupId} <input name="groupId" autocomplete="off"></label>`}
        <div class="dialog-actions">
          <button type="button" @click=${() => this.closeTransfer()}>${t.cancel}</button>
          <button type="submit" class="primary" ?disabled=${this.busy || (!!directory && !this.transferChoice)}>${t.confirmTransfer}</button>
        </div>
      </form>
    </dialog>`;
  }

  override render() {
    const t = this.text;
    if (this.session && !this.service) return html`<p class="error" role="alert">${t.notAgentClient}</p>`;
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error}
        <button type="button" class="dismiss" aria-label=${t.cancel} @click=${() => { this.error = ''; }}>${icon('close')}</button></p>` : nothing}
      <div class="layout" data-narrow=${this.narrow ? 'true' : 'false'} data-pane=${this.pane ?? ''}>
        <div id="sessions-pane" class="side left">${this.renderSessions()}</div>
        ${this.renderCentre()}
        <div id="details-pane" class="side right">${this.renderDetails()}</div>
      </div>
      ${this.renderDialog()}`;
  }
}
