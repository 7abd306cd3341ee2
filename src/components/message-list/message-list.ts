import { html, nothing, svg, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { keyed } from 'lit/directives/keyed.js';
import { styleMap } from 'lit/directives/style-map.js';
import { ImElement, type ImEventDetails } from '../internal/im-element.js';
import { actionsChunk } from '../internal/actions.js';
import { StoreController } from '../internal/store-controller.js';
import { tokens } from '../internal/theme.js';
import { avatarColor, initials, previewText, safeImageUrl } from '../internal/format.js';
import { icon } from '../internal/icons.js';
import { stringsFor, type Lang, type Strings } from '../internal/strings.js';
import type { ChatSession } from '../../core/client/chat-session.js';
import { conversationKey, entryOf, type ChatState, type MessageItem, type MessageWindow, type UserInfo } from '../../core/store/chat-state.js';
import { RowLayout } from './row-layout.js';
import { styles } from './message-list.styles.js';
import { contentKind, isMedia, mentionsReader, renderContent, type ContentContext } from './message-content.js';
import type { MenuRequest, Readers } from './message-menu.js';

const selectWindows = (state: ChatState) => state.windows;
const selectUsers = (state: ChatState) => state.users;
const selectFileUrls = (state: ChatState) => state.fileUrls;
const selectUserId = (state: ChatState) => state.userId;
const selectEntries = (state: ChatState) => state.conversations.byKey;

/** Messages shown (commands and recall commands act, they are not shown). */
const isShown = (item: MessageItem) => contentKind(item.objectName) !== 'hidden';

/** Actions offered on a message (its menu); the host may prevent any through `im-message-action`. */
export type MessageAction = 'copy' | 'reply' | 'recall' | 'delete';

const NO_ITEMS: readonly MessageItem[] = [];
/** Messages from one sender less than this apart form a run: one avatar and name for the run. */
const RUN_GAP_MS = 5 * 60_000;
/** Most rows in the DOM at once, whatever their height (about five elements each). */
const MAX_ROWS = 50;
/** Space below the last row, px. */
const BOTTOM_PADDING = 8;
/** Within this many px of the end counts as "at the bottom". */
const BOTTOM_SLACK = 2;
/** Measure-and-render passes allowed in one go before waiting for the next frame. */
const MAX_PASSES = 6;
/** A touch held this long on a bubble opens the message's menu, ms. */
const LONG_PRESS_MS = 500;
/** A held touch that moves farther than this is a scroll or a drag, not a long press, px. */
const LONG_PRESS_SLOP = 10;

/**
 * The ⋯ of a message's actions button: the shared 'more' icon (three dots) drawn as one path
 * instead of three circles, the same pixels in two elements instead of four, on every row.
 */
const MORE_ICON = svg`<svg class="icon icon-more" viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false" fill="currentColor" stroke="none"><path d="M3.4 12a1.6 1.6 0 1 0 3.2 0a1.6 1.6 0 1 0-3.2 0M10.4 12a1.6 1.6 0 1 0 3.2 0a1.6 1.6 0 1 0-3.2 0M17.4 12a1.6 1.6 0 1 0 3.2 0a1.6 1.6 0 1 0-3.2 0"/></svg>`;

/** Whether a message offers its menu: shown as a bubble, and on the server. */
const hasMenu = (item: MessageItem): boolean => item.status === 'sent' && contentKind(item.objectName) === 'bubble';

interface RowRange {
  start: number;
  end: number;
}

/**
 * Where the reader is, in terms that survive a change of the list: at the bottom, or the first
 * visible message with the distance from its bubble's top to the viewport's top. The bubble, not
 * the row: a row loses its date separator or sender name when older messages land above it.
 * `bubble` is the bubble's offset in its row when the anchor was taken (undefined for a row
 * never rendered: then the row's top is the reference, before and after).
 */
type ScrollAnchor = { stuck: true }
  | { stuck: false; id: string; index: number; length: number; delta: number; bubble: number | undefined };

/** Day number of a local date (for "is this another day"); -1 for an unusable time. */
function dayKey(time: number): number {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? -1 : date.getFullYear() * 10_000 + date.getMonth() * 100 + date.getDate();
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Intl formatters are costly to build: one per language and style. */
function formatter(lang: string, style: 'time' | 'day' | 'day-year' | 'full'): Intl.DateTimeFormat {
  const key = `${lang}|${style}`;
  let format = formatters.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = style === 'time' ? { hour: '2-digit', minute: '2-digit' }
      : style === 'day' ? { weekday: 'short', month: 'long', day: 'numeric' }
        : style === 'day-year' ? { year: 'numeric', month: 'long', day: 'numeric' }
          : { dateStyle: 'full', timeStyle: 'short' };
    format = new Intl.DateTimeFormat(lang, options);
    formatters.set(key, format);
  }
  return format;
}

/**
 * The messages of one conversation, newest at the bottom, virtualized: only the rows near the
 * viewport are in the DOM, so a window of 100,000 messages scrolls like one of 100. Keeps the
 * reader at the bottom while new messages arrive, and keeps the first visible message in place
 * when older pages are inserted above. Give it a height (or a flex parent that does).
 *
 * The scroller is a labelled list (`role="list"`, rows `role="listitem"` with `aria-posinset`
 * and `aria-setsize`), focusable; PageUp, PageDown, Home and End scroll it. New incoming
 * messages are announced through a polite live region (never the history). The language
 * (`lang` on the element or an ancestor) picks strings, day names and time formats.
 *
 * @summary Virtualized message history with date separators, sender runs, send status and retry.
 *
 * @event im-load-older - The reader reached the top and older messages are being loaded
 *   (`session.loadOlder` is called). Detail: `{conversationType, targetId}`.
 * @event im-message-retry - Retry was pressed on a failed message. Cancelable: when not
 *   prevented, `session.retry` sends it again. Detail: `{conversationType, targetId, id}`.
 * @event im-message-discard - Delete was pressed on a failed message. Cancelable: when not
 *   prevented, `session.discard` drops it. Detail: `{conversationType, targetId, id}`.
 * @event im-message-action - An action was chosen in a message's menu (`copy`, `reply`, `recall`,
 *   `delete`). Cancelable: when not prevented, the list does it (clipboard, the composer's reply
 *   mode, `session.recall`, `session.deleteForMe`). Detail: `{conversationType, targetId, id, action}`.
 *
 * Message types: text (web addresses as links, @mentions marked), image and GIF (thumbnail at
 * once, the full image when loaded, a lightbox on click that Escape closes; the bubble as wide as
 * the picture, at most 240 px), file card with download, voice and video with the browser's
 * controls, location with a map link (`map-url`), rich link card, quoted replies, grey
 * notification bars (group notices, information, recalls), and an "unsupported" bubble for types
 * it does not know. Every URL from a message must be absolute http(s) to be used at all (a link
 * in a text too); thumbnails are shown only as the JPEG/PNG data they claim to be.
 *
 * Each message on the server has a menu (copy, reply, recall, delete for me): from the ⋯ button
 * beside its bubble (shown on hover and focus, always on touch screens), a right click on the
 * bubble, or a touch held on it for half a second. The menu floats over everything (the Popover
 * API's top layer; a fixed box where that is missing): below its button, or above it when there
 * is no room below in the viewport, at the pointer when a pointer opened it, always inside the
 * viewport, following its message as the list scrolls. Arrow keys, Home and End move in it,
 * Escape closes it and gives the focus back to the ⋯ button, a click elsewhere closes it. A right
 * click on a link keeps the browser's own menu. The menu and the readers of a group message are drawn by a module
 * loaded on demand (with the script tag, the sibling file im-widget-actions.js): fetched when the
 * browser is idle after the first render, on a pointer over or focus on a bubble or its ⋯ button,
 * or on first use; one asked for before it came opens on its arrival.
 *
 * @slot empty - Shown when the conversation is loaded and has no messages.
 *
 * @csspart list - The scroll container (a labelled list, focusable for keyboard scrolling).
 * @csspart row - One message row (date separator, avatar, name, bubble, actions).
 * @csspart bubble - The message bubble.
 * @csspart notice - A grey notification bar (group notices, recalls).
 * @csspart quote - The quoted message above a reply.
 * @csspart mention - An @mention in a text.
 * @csspart link - A web address in a text (opens in a new tab).
 * @csspart image - The button around an image or GIF.
 * @csspart file - A file card; `download` its link.
 * @csspart media-placeholder - Where a picture, file, voice, video, location or card shows while
 *   its part of the widget loads (loaded on first use), at the size it will have.
 * @csspart media-retry - In a placeholder whose part could not load (offline): loads it again.
 * @csspart actions-button - The ⋯ button beside a bubble that opens the message's menu.
 * @csspart menu - A message's menu (in the top layer).
 * @csspart menu-item - An action in a message's menu.
 * @csspart lightbox - The dialog showing a full image.
 * @csspart receipts-button - On own group messages: opens `readers`, who read it and who did not.
 *
 * Own messages show their state as icons: a clock while sending, a check once sent, a double
 * check once delivered to a device of the peer, a bolder double check in the read colour once the
 * peer read it (private chats), an alert when not sent; in groups the check opens the readers.
 * @csspart avatar - The sender's picture, or initials on the sender's own colour (group conversations, first of a run).
 * @csspart name - The sender's name (group conversations, first of a run).
 * @csspart time - The time a message was sent.
 * @csspart status - Send status of own messages (sending, sent, failed).
 * @csspart retry-button - Sends a failed message again.
 * @csspart discard-button - Deletes a failed message.
 * @csspart date-separator - The day above the first message of each day.
 * @csspart new-messages - Button shown when messages arrived below while scrolled up.
 * @csspart loading - The row shown at the top while older messages load.
 * @csspart beginning - The row shown at the top when there are no older messages.
 *
 * @cssproperty --im-message-list-own-bubble-background - Own bubbles' background (`--im-color-primary`).
 * @cssproperty --im-message-list-own-bubble-color - Own bubbles' text colour (`--im-color-on-primary`).
 * @cssproperty --im-message-list-bubble-background - Other people's bubbles (`--im-color-surface`).
 * @cssproperty --im-message-list-bubble-color - Other people's bubbles' text colour (`--im-color-text`).
 * @cssproperty --im-message-list-bubble-radius - Bubble corner radius (`--im-radius-m`).
 * @cssproperty --im-message-list-max-bubble-width - Widest a bubble gets (75%).
 * @cssproperty --im-message-list-read-color - The double check of a message the peer read, on the own
 *   bubble (#86efac: 3:1 or more against the default own bubble, and unlike the delivered check's white).
 * @cssproperty --im-avatar-size - Avatar size (32px).
 */
export class ImMessageList extends ImElement {
  static override styles = [tokens, styles];

  // Rows are measured after they render, and the measurement may call for another render (more
  // rows, or a corrected scroll position) before the frame is painted: that second update is a
  // side effect of the first by design, so Lit's dev-mode warning about it is off for this class.
  // (A static field, not a `static {}` block: those need Safari 16.4.)
  static override enabledWarnings = ImElement.enabledWarnings?.filter((warning) => warning !== 'change-in-update');

  /** The session to show; by default the one provided by an enclosing im-chat or im-provider. */
  @property({ attribute: false }) session?: ChatSession;

  /** The conversation's type (1 private, 3 group, …). */
  @property({ type: Number, attribute: 'conversation-type' }) conversationType = 0;

  /** The conversation's target: the other user's id, or the group's. */
  @property({ attribute: 'target-id' }) targetId = '';

  /** Map link for locations: `{lat}` and `{lng}` are replaced (must give an http(s) URL). */
  @property({ attribute: 'map-url' }) mapUrl = 'https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=16/{lat}/{lng}';

  /** How long after sending the own messages offer "recall", in seconds (the server has the last word). */
  @property({ type: Number, attribute: 'recall-window' }) recallWindow = 120;

  // The members marked @internal are for ./message-menu.ts (a message's menu and its readers, in
  // the actions chunk): not public API, left out of the published declarations (stripInternal);
  // the chunk's functions check the element's shape where they take it.

  /** @internal The message menu asked for: open once the actions chunk is here (see renderMenu). */
  @state() menu: MenuRequest | undefined;
  /** The menu the last render showed (one asked for since is opened: the focus goes into it). */
  private shownMenu: MenuRequest | undefined;
  /** The image in the lightbox. */
  @state() private lightbox: { source: string; thumbnail?: string } | undefined;

  /** Rows in the DOM: indexes into the window's items, end excluded. */
  @state() private range: RowRange = { start: 0, end: 0 };
  /** Messages arrived below while the reader was scrolled up. */
  @state() private newBelow = false;
  /** What the polite live region says: the newest incoming messages. */
  @state() private announcement = '';

  /** @internal */
  readonly windows = new StoreController(this, selectWindows);
  private readonly users = new StoreController(this, selectUsers);
  private readonly fileUrls = new StoreController(this, selectFileUrls);
  private readonly userId = new StoreController(this, selectUserId);
  private readonly entries = new StoreController(this, selectEntries);
  /** The members' live read and delivery positions at the last render (an open readers list refreshes on a change). */
  private shownReceipts: Array<Readonly<Record<string, number>> | undefined> | undefined;
  /** @internal The own group message whose readers are shown, and what the server said of them. */
  @state() readersFor: Readers | undefined;
  private shownSource: readonly MessageItem[] = NO_ITEMS;
  private shownItems: readonly MessageItem[] = NO_ITEMS;

  /** The window's items without the ones never shown, recomputed only when the window changed. */
  private visible(items: readonly MessageItem[]): readonly MessageItem[] {
    if (items !== this.shownSource) {
      this.shownSource = items;
      this.shownItems = items.every(isShown) ? items : items.filter(isShown);
    }
    return this.shownItems;
  }

  // ---- layout ----
  // How the virtualization works: row i's top is `headHeight + layout.top(i)`, a prefix sum
  // over row heights (RowLayout: typed arrays; measured heights by item id, an average estimate
  // for rows never rendered). A spacer of the total height gives the scrollbar; only the rows
  // of `range` (the viewport and an overscan either side, at most MAX_ROWS) are rendered,
  // absolutely positioned by a transform. After each render `layoutPass` measures them, re-sums
  // offsets from the first changed row, and restores the reader's position: the bottom when
  // following it, else the first visible message's bubble at the same pixel (`ScrollAnchor`),
  // taken before anything moved. Scroll events are batched to one frame; a new range renders
  // only when the viewport plus a margin is no longer covered.
  /** Rows' heights and offsets (below the head) for the items shown. */
  private readonly layout = new RowLayout();
  /** Distance from a rendered row's top to its bubble's top, by item id. */
  private readonly bubbleTops = new Map<string, number>();
  /** The spacer's height and each row's offset as last written to their style (see layoutPass). */
  private readonly writtenHeight = new WeakMap<HTMLElement, number>();
  private readonly writtenTop = new WeakMap<HTMLElement, number>();
  /** Height of the loading / beginning row above the messages. */
  private headHeight = 0;

  // ---- scroll state ----
  /** The reader is at the bottom and stays there as messages arrive or grow. */
  private stuck = true;
  /** scrollTop as last set or seen by this element: a different value means the reader scrolled. */
  private lastSeenTop = 0;
  /** A position to restore after the coming render (the list changed under the reader). */
  private pending: ScrollAnchor | undefined;
  private passes = 0;
  /** The position after the last layout or scroll, restored when the element is moved in the DOM. */
  private lastAnchor: ScrollAnchor | undefined;
  private frame = 0;
  /**
   * Whether the reader is jumping (dragging the scrollbar's thumb, Home/End, a fling): the last
   * frame moved more than a viewport. Rows then cover the viewport only, without the overscan
   * either side: the next frame shows another place anyway, and the overscan was half of every
   * such frame's style and layout work. When the scrolling settles, the overscan comes back.
   */
  private jumping = false;
  private frameTop = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private measureFrame = 0;
  private observer: ResizeObserver | undefined;
  private observedScroller: HTMLElement | undefined;
  private readonly observedRows = new Set<Element>();

  // ---- per conversation ----
  private shownKey = '';
  /** The window was loaded at the last layout: later arrivals are news to announce. */
  private shownLoaded = false;
  private maxSeq = -1;
  /** A loadOlder call of this element is in flight. */
  private olderRequest = false;
  /** A loadOlder failed: no automatic retry until the reader scrolls again. */
  private olderFailed = false;
  /** The item holding keyboard focus, kept rendered while it is scrolled away. */
  private focusedId: string | undefined;

  /** Rows in the DOM: `start`–`end` (excluded) of `total` messages in the window. Read-only. */
  get renderedRange(): { start: number; end: number; total: number } {
    return { start: this.range.start, end: this.range.end, total: this.layout.count };
  }

  /** Whether the list follows new messages (the reader is at the bottom). Read-only. */
  get atBottom(): boolean {
    return this.stuck;
  }

  /** Scrolls to the newest message and follows new ones from there. */
  scrollToBottom(): void {
    this.stuck = true;
    this.newBelow = false;
    const scroller = this.scroller;
    if (!scroller) return;
    this.pending = { stuck: true };
    this.setScrollTop(scroller.scrollHeight);
    this.requestUpdate();
  }

  private get key(): string {
    return conversationKey({ conversationType: this.conversationType, targetId: this.targetId });
  }

  private get shown(): MessageWindow | undefined {
    return this.windows.value?.[this.key];
  }

  /** @internal */
  get scroller(): HTMLElement | null {
    return this.renderRoot?.querySelector<HTMLElement>('.scroller[role="list"]') ?? null;
  }

  // ---- what the reader sees ----
  // A message counts as read once it was in the viewport of a list on screen, in a page that is
  // visible and focused: a background tab, a minimised window or a list scrolled up past new
  // messages reads nothing.
  private onScreen = false;
  private visibilityObserver: IntersectionObserver | undefined;
  private seenTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onPageState = () => this.updateViewing();

  private get pageViewing(): boolean {
    const page = globalThis.document;
    return !!page && page.visibilityState === 'visible' && page.hasFocus() && this.onScreen;
  }

  /** Tells the session whether the reader sees this list, and reads what is in view when so. */
  private updateViewing(): void {
    const session = this.windows.current;
    if (!session || !this.targetId) return;
    const viewing = this.pageViewing;
    session.setViewing(viewing);
    if (viewing) this.scheduleSeen();
  }

  /** Marks read up to the newest message in view, a moment after things settle. */
  private scheduleSeen(): void {
    // Nothing past the read position, nothing to mark: no need to measure the rows on every scroll frame.
    const entry = this.entries.value?.[this.key];
    if (this.seenTimer !== undefined || !entry || (entry.latestMessage?.seq ?? 0) <= entry.readSeq) return;
    this.seenTimer = setTimeout(() => {
      this.seenTimer = undefined;
      if (!this.pageViewing) return;
      const seq = this.newestSeenSeq();
      const session = this.windows.current;
      if (seq !== undefined && session) {
        session.markRead({ conversationType: this.conversationType, targetId: this.targetId }, seq).catch(() => undefined);
      }
    }, 250);
  }

  /** The highest seq among the rendered incoming messages whose bubble shows in the scroller's viewport. */
  private newestSeenSeq(): number | undefined {
    const scroller = this.scroller;
    if (!scroller) return undefined;
    const viewport = scroller.getBoundingClientRect();
    let newest: number | undefined;
    for (const row of scroller.querySelectorAll<HTMLElement>('[part="row"]')) {
      const item = this.layout.items[Number(row.dataset.index)];
      if (item?.seq === undefined || item.direction !== 2 || (newest !== undefined && item.seq <= newest)) continue;
      const rect = (row.querySelector('.bubble') ?? row).getBoundingClientRect();
      if (rect.bottom > viewport.top && rect.top < viewport.bottom) newest = item.seq;
    }
    return newest;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    globalThis.document?.addEventListener('visibilitychange', this.onPageState);
    globalThis.addEventListener?.('focus', this.onPageState);
    globalThis.addEventListener?.('blur', this.onPageState);
    if (typeof IntersectionObserver === 'function') {
      this.visibilityObserver = new IntersectionObserver((entries) => {
        this.onScreen = entries.some((entry) => entry.isIntersecting);
        this.updateViewing();
      });
      this.visibilityObserver.observe(this);
    }
    // Moving an element in the DOM resets its scroll position: come back to where the reader was.
    if (this.layout.count > 0) {
      this.pending = this.lastAnchor ?? { stuck: true };
      this.lastSeenTop = 0;
      this.requestUpdate();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    globalThis.document?.removeEventListener('visibilitychange', this.onPageState);
    globalThis.removeEventListener?.('focus', this.onPageState);
    globalThis.removeEventListener?.('blur', this.onPageState);
    this.visibilityObserver?.disconnect();
    this.visibilityObserver = undefined;
    this.onScreen = false;
    clearTimeout(this.seenTimer);
    this.seenTimer = undefined;
    this.windows.current?.setViewing(false);
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.measureFrame);
    clearTimeout(this.settleTimer);
    this.frame = 0;
    this.measureFrame = 0;
    this.observer?.disconnect();
    this.observer = undefined;
    this.observedScroller = undefined;
    this.observedRows.clear();
    this.endPress();
    this.listenForMenu(false);
    this.menu = undefined;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    const key = this.key;
    if (key !== this.shownKey || changed.has('session')) {
      // Another conversation: it opens at the bottom.
      this.shownKey = key;
      this.shownLoaded = false;
      this.maxSeq = -1;
      this.stuck = true;
      this.newBelow = false;
      this.announcement = '';
      this.olderFailed = false;
      this.focusedId = undefined;
      this.menu = undefined;
      this.pending = { stuck: true };
      this.layout.setItems(NO_ITEMS);
    }
    const shown = this.shown;
    const items = this.visible(shown?.items ?? NO_ITEMS);
    if (items !== this.layout.items) {
      const anchor = this.pending ?? this.capture();
      this.noteArrivals(items, shown);
      this.layout.setItems(items);
      this.pending = this.stuck ? { stuck: true } : anchor;
      this.range = this.rangeFor(this.targetTop(this.pending));
    } else if (this.pending) {
      this.range = this.rangeFor(this.targetTop(this.pending));
    }
    this.shownLoaded = shown?.loaded ?? false;
    // The message of the open menu was deleted, recalled or failed: nothing to act on any more.
    const menuFor = this.menu?.id;
    if (menuFor !== undefined && !items.some((item) => item.id === menuFor && hasMenu(item))) this.closeMenu(true);
  }

  /** After the first render, when the browser is idle: the chunk with the message menu and the readers. */
  override firstUpdated(): void {
    actionsChunk.prefetchWhenIdle();
  }

  override updated(changed: PropertyValues<this>): void {
    const menus = actionsChunk.module?.messageMenu;
    // A member read on while the readers are shown (they are the chunk's): ask again.
    const entry = this.entries.value?.[this.key];
    const receipts = [entry?.memberReads, entry?.memberDeliveries];
    if (menus && this.readersFor && this.shownReceipts && receipts.some((value, index) => value !== this.shownReceipts![index])) {
      const item = this.layout.items.find((candidate) => candidate.id === this.readersFor!.id);
      if (item) menus.fetchReaders(this, item);
    }
    this.shownReceipts = receipts;
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>('dialog.lightbox');
    if (dialog && !dialog.open) dialog.showModal();
    if (changed.has('session')) {
      for (const controller of [this.windows, this.users, this.fileUrls, this.userId, this.entries]) controller.attach();
    }
    this.layoutPass();
    // After the layout: the menu goes where its anchor is now. One just opened (or asked for before
    // the chunk came, and drawn now) takes the focus to its first action, as menus do.
    if (this.menu && menus) menus.showMenu(this, this.menu !== this.shownMenu);
    else if (this.menu && changed.has('menu')) this.loadMenu(this.menu);
    this.shownMenu = menus && this.menu;
    this.listenForMenu(this.menu !== undefined);
  }

  /**
   * The menu was asked for before the actions chunk came (once per request, not per update while
   * it comes): it opens on its arrival (the render then draws it). When the chunk could not be
   * fetched (offline) the request is dropped, and the next one fetches it again.
   */
  private loadMenu(request: MenuRequest): void {
    actionsChunk.load().then(() => this.requestUpdate(), () => {
      if (this.menu === request) this.closeMenu(false);
    });
  }

  // ---- layout ----

  private get totalHeight(): number {
    return this.headHeight + this.layout.total + BOTTOM_PADDING;
  }

  /** Rows to render for a viewport at `scrollTop`: the visible ones and some either side. */
  private rangeFor(scrollTop: number): RowRange {
    const n = this.layout.count;
    if (n === 0) return { start: 0, end: 0 };
    const viewport = this.scroller?.clientHeight || 600;
    const overscan = this.jumping ? 0 : Math.max(120, viewport * 0.4);
    const top = scrollTop - this.headHeight;
    let start = this.layout.indexAt(top - overscan);
    let end = Math.min(n, this.layout.indexAt(top + viewport + overscan) + 1);
    if (end - start > MAX_ROWS) {
      start = Math.max(0, Math.min(this.layout.indexAt(top) - 4, n - MAX_ROWS));
      end = Math.min(n, start + MAX_ROWS);
    }
    return { start, end };
  }

  /** Whether the rendered rows cover the viewport and a margin, so no new render is needed. */
  private covers(scrollTop: number, viewport: number): boolean {
    const n = this.layout.count;
    if (n === 0) return true;
    const margin = this.jumping ? 0 : Math.max(60, viewport / 4);
    const top = scrollTop - this.headHeight;
    const first = this.layout.indexAt(top - margin);
    const last = Math.min(n, this.layout.indexAt(top + viewport + margin) + 1);
    return this.range.start <= first && this.range.end >= last;
  }

  /** The scrollTop that `anchor` asks for, by the current offsets. */
  private targetTop(anchor: ScrollAnchor): number {
    const viewport = this.scroller?.clientHeight ?? 0;
    if (anchor.stuck) return Math.max(0, this.totalHeight - viewport);
    const index = this.indexOf(anchor);
    if (index < 0) return 0;
    const bubble = anchor.bubble === undefined ? 0 : this.bubbleTops.get(this.layout.items[index]!.id) ?? anchor.bubble;
    return this.headHeight + this.layout.top(index) + bubble - anchor.delta;
  }

  /** Where the anchor's message is now (it may have moved by a page inserted above). */
  private indexOf(anchor: { id: string; index: number; length: number }): number {
    const items = this.layout.items;
    if (items.length === 0) return -1;
    const shifted = anchor.index + (items.length - anchor.length);
    for (const guess of [shifted, anchor.index]) if (items[guess]?.id === anchor.id) return guess;
    const found = items.findIndex((item) => item.id === anchor.id);
    // The message itself is gone (deleted): keep the one that took its place.
    return found >= 0 ? found : Math.min(anchor.index, items.length - 1);
  }

  /** The reader's position now, by the offsets the DOM shows (after noting a scroll by the reader). */
  private capture(): ScrollAnchor {
    const scroller = this.scroller;
    if (!scroller || this.layout.count === 0) return { stuck: true };
    this.syncStuck(scroller);
    return this.anchorAt(scroller.scrollTop);
  }

  /** The first message visible at `scrollTop`, and how far its bubble is below the viewport's top. */
  private anchorAt(scrollTop: number): ScrollAnchor {
    if (this.stuck || this.layout.count === 0) return { stuck: true };
    const index = Math.min(this.layout.indexAt(scrollTop - this.headHeight), this.layout.count - 1);
    const id = this.layout.items[index]!.id;
    const bubble = this.bubbleTops.get(id);
    const delta = this.headHeight + this.layout.top(index) + (bubble ?? 0) - scrollTop;
    return { stuck: false, id, index, length: this.layout.count, delta, bubble };
  }

  /** The reader scrolled since we last looked: do they still want to follow new messages? */
  private syncStuck(scroller: HTMLElement): void {
    const top = scroller.scrollTop;
    if (Math.abs(top - this.lastSeenTop) > 1) {
      this.stuck = this.isAtBottom(scroller);
      this.lastSeenTop = top;
      this.olderFailed = false;
    }
  }

  private isAtBottom(scroller: HTMLElement): boolean {
    return scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop <= BOTTOM_SLACK;
  }

  private setScrollTop(top: number): void {
    const scroller = this.scroller;
    if (!scroller) return;
    scroller.scrollTop = top;
    this.lastSeenTop = scroller.scrollTop;
    // The element's own moves (keeping the reader's place) are not the reader jumping.
    this.frameTop = this.lastSeenTop;
  }

  /**
   * After every render: measure the rendered rows, fix offsets, position the rows, restore the
   * reader's position, and ask for more rows when the viewport is not covered.
   */
  private layoutPass(): void {
    if (this.layout.count > 0) this.updateViewing();
    const scroller = this.scroller;
    const spacer = scroller?.querySelector<HTMLElement>('.spacer');
    if (!scroller || !spacer) {
      this.pending = undefined;
      return;
    }
    this.observe(scroller);
    // Hidden (display: none somewhere above): nothing can be measured; wait for the resize.
    if (scroller.clientWidth === 0) return;
    let anchor = this.pending;
    this.pending = undefined;
    // Following the bottom, and the viewport got shorter (or content grew): back to the bottom.
    if (!anchor) {
      this.syncStuck(scroller);
      if (this.stuck && !this.isAtBottom(scroller)) anchor = { stuck: true };
    }

    // A new width re-wraps the texts: the rendered rows are measured again below like after any
    // change; rows out of view keep their old heights as estimates until they are rendered.

    // Measure everything first: the anchor, if it has to be taken now, must describe what the
    // reader saw in the last frame (old heights, old bubble positions).
    const head = spacer.querySelector<HTMLElement>('.head');
    const headHeight = head ? head.getBoundingClientRect().height : 0;
    const rows = Array.from(spacer.querySelectorAll<HTMLElement>(':scope > .row'));
    const measured: Array<[number, number]> = [];
    const bubbleTops: Array<[string, number]> = [];
    let moved = Math.abs(headHeight - this.headHeight) > 0.01;
    for (const row of rows) {
      const index = Number(row.dataset.index);
      const item = this.layout.items[index];
      if (!item || item.id !== row.dataset.id) continue;
      const height = row.getBoundingClientRect().height;
      const bubble = row.querySelector<HTMLElement>('.bubble');
      const bubbleTop = bubble ? bubble.offsetTop : 0;
      if (this.bubbleTops.get(item.id) !== bubbleTop) {
        bubbleTops.push([item.id, bubbleTop]);
        moved = true;
      }
      if (height > 0 && Math.abs(height - this.layout.height(index)) > 0.01) measured.push([index, height]);
    }
    if (measured.length > 0 || moved) {
      anchor ??= this.capture();
      for (const [id, top] of bubbleTops) this.bubbleTops.set(id, top);
      this.layout.measure(measured);
      this.headHeight = headHeight;
    }

    // Writes only where a value changed: every style write costs a style and layout pass. The
    // values last written are kept here, not read back from the style: the browser serializes
    // lengths of a million pixels and more as 1.2e+06px, so a read-back never matched in long
    // conversations and every row's transform was written again on every pass.
    const height = this.totalHeight;
    if (this.writtenHeight.get(spacer) !== height) {
      spacer.style.height = `${height}px`;
      this.writtenHeight.set(spacer, height);
    }
    for (const row of rows) {
      const top = this.headHeight + this.layout.top(Number(row.dataset.index));
      if (this.writtenTop.get(row) !== top) {
        row.style.transform = `translateY(${top}px)`;
        this.writtenTop.set(row, top);
      }
    }
    if (anchor) this.setScrollTop(this.targetTop(anchor));
    this.watchRows(rows);
    this.lastAnchor = this.anchorAt(scroller.scrollTop);

    const viewport = scroller.clientHeight;
    const scrollTop = scroller.scrollTop;
    if (!this.covers(scrollTop, viewport)) {
      const range = this.rangeFor(scrollTop);
      if (range.start !== this.range.start || range.end !== this.range.end) {
        if (++this.passes <= MAX_PASSES) {
          this.range = range;
          // The next pass keeps this one's anchor. Taken anew there, it would be the row now at
          // the top, perhaps one not measured yet, and the message the reader saw would move
          // by what that row's estimate was off.
          if (anchor) this.pending = anchor;
          return;
        }
        this.scheduleFrame();
      }
    }
    this.passes = 0;
    if (this.stuck) this.newBelow = false;
    this.maybeLoadOlder(scroller);
  }

  /** Watches the scroller (resizes) and the rendered rows (content growing after render). */
  private observe(scroller: HTMLElement): void {
    this.observer ??= new ResizeObserver(this.onResize);
    if (this.observedScroller === scroller) return;
    // A new scroll container (the list was empty before): it starts at the top.
    if (this.observedScroller) this.observer.unobserve(this.observedScroller);
    this.observer.observe(scroller);
    this.observedScroller = scroller;
    this.lastSeenTop = scroller.scrollTop;
  }

  private watchRows(rows: HTMLElement[]): void {
    const observer = this.observer;
    if (!observer) return;
    const current = new Set<Element>(rows);
    for (const row of this.observedRows) {
      if (!current.has(row)) {
        observer.unobserve(row);
        this.observedRows.delete(row);
      }
    }
    for (const row of rows) {
      if (!this.observedRows.has(row)) {
        observer.observe(row);
        this.observedRows.add(row);
      }
    }
  }

  // Arrow function: the ResizeObserver callback. Changes wait for the next frame, so that no
  // layout change happens inside the observer's delivery (no "ResizeObserver loop" errors).
  private readonly onResize = (entries: ResizeObserverEntry[]) => {
    let changed = false;
    for (const entry of entries) {
      const target = entry.target as HTMLElement;
      if (target === this.observedScroller) {
        changed = true;
        continue;
      }
      const index = Number(target.dataset.index);
      const height = entry.borderBoxSize?.[0]?.blockSize ?? target.getBoundingClientRect().height;
      if (this.layout.items[index]?.id === target.dataset.id && Math.abs(height - this.layout.height(index)) > 0.5) changed = true;
    }
    if (changed && !this.measureFrame) {
      this.measureFrame = requestAnimationFrame(() => {
        this.measureFrame = 0;
        this.requestUpdate();
      });
    }
  };

  // ---- scrolling ----

  private scheduleFrame(): void {
    if (!this.frame) this.frame = requestAnimationFrame(this.onFrame);
  }

  // Arrow functions: stable listeners for the template and requestAnimationFrame.
  private readonly onScroll = () => this.scheduleFrame();

  private readonly onFrame = () => {
    this.frame = 0;
    const scroller = this.scroller;
    if (!scroller) return;
    this.syncStuck(scroller);
    if (this.isAtBottom(scroller)) {
      this.stuck = true;
      this.newBelow = false;
    }
    const scrollTop = scroller.scrollTop;
    this.jumping = Math.abs(scrollTop - this.frameTop) > scroller.clientHeight;
    this.frameTop = scrollTop;
    if (this.jumping) {
      // No scroll event comes when the jump ends: look again once it has (then without a jump).
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => this.scheduleFrame(), 120);
    }
    this.lastAnchor = this.anchorAt(scrollTop);
    this.updateViewing();
    this.placeMenu();
    if (!this.covers(scrollTop, scroller.clientHeight)) {
      const range = this.rangeFor(scrollTop);
      if (range.start !== this.range.start || range.end !== this.range.end) {
        this.passes = 0;
        this.range = range;
        return; // layoutPass, after the render, looks at the top.
      }
    }
    this.maybeLoadOlder(scroller);
  };

  private readonly onKeyDown = (event: KeyboardEvent) => {
    const scroller = this.scroller;
    if (!scroller || event.altKey || event.ctrlKey || event.metaKey) return;
    if ((event.key === 'Home' || event.key === 'End') && event.target !== scroller) return;
    const page = Math.max(40, scroller.clientHeight * 0.9);
    switch (event.key) {
      case 'PageUp': scroller.scrollTop -= page; break;
      case 'PageDown': scroller.scrollTop += page; break;
      case 'Home': scroller.scrollTop = 0; break;
      case 'End': this.scrollToBottom(); break;
      default: return;
    }
    event.preventDefault();
  };

  private readonly onFocusIn = (event: FocusEvent) => {
    const row = (event.composedPath().find((node) => (node as HTMLElement).classList?.contains('row')) as HTMLElement | undefined);
    this.focusedId = row?.dataset.id;
    this.onIntent(event);
  };

  /**
   * A pointer over, or the focus on, what opens a message's menu or its readers (a bubble, a ⋯
   * button) fetches the actions chunk that draws them.
   */
  private readonly onIntent = (event: Event) => {
    if (!actionsChunk.module && (event.target as Element).closest?.('.bubble, .actions-button')) actionsChunk.prefetch();
  };

  private readonly onFocusOut = (event: FocusEvent) => {
    if (!(event.relatedTarget instanceof Node) || !this.renderRoot.contains(event.relatedTarget)) this.focusedId = undefined;
  };

  /** Near the top with older messages on the server: load the page before. */
  private maybeLoadOlder(scroller: HTMLElement): void {
    const shown = this.shown;
    if (!shown?.loaded || !shown.hasOlder || shown.loadingOlder || this.olderRequest || this.olderFailed) return;
    if (scroller.scrollTop > Math.max(this.headHeight, scroller.clientHeight / 2)) return;
    const session = this.windows.current;
    if (!session) return;
    const conversation = { conversationType: this.conversationType, targetId: this.targetId };
    this.emit('im-load-older', conversation);
    this.olderRequest = true;
    const key = this.key;
    // A failure, or a page that brought nothing, waits for the reader to scroll again (no loop).
    const settle = (progress: boolean) => {
      this.olderRequest = false;
      if (!progress && key === this.key) this.olderFailed = true;
    };
    session.loadOlder(conversation).then(settle, () => settle(false));
  }

  // ---- arrivals ----

  /** Messages new since the last layout: announce incoming ones; follow or offer "new messages". */
  private noteArrivals(items: readonly MessageItem[], shown: MessageWindow | undefined): void {
    let maxSeq = -1;
    for (let i = items.length - 1; i >= 0; i--) {
      const seq = items[i]!.seq;
      if (seq !== undefined) {
        maxSeq = seq;
        break;
      }
    }
    const previousMax = this.maxSeq;
    this.maxSeq = Math.max(previousMax, maxSeq);
    if (!this.shownLoaded || !shown?.loaded) return;
    const fresh: MessageItem[] = [];
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      if (item.seq === undefined) continue;
      if (item.seq <= previousMax) break;
      fresh.push(item);
    }
    fresh.reverse();
    const last = items[items.length - 1];
    const previousLast = this.layout.items[this.layout.count - 1];
    if (last && last.direction === 1 && last.status === 'sending' && last.id !== previousLast?.id) {
      // The reader just sent something: show it.
      this.stuck = true;
      this.newBelow = false;
    } else if (fresh.length > 0 && !this.stuck) {
      this.newBelow = true;
    }
    const incoming = fresh.filter((item) => item.direction === 2).slice(-3);
    if (incoming.length > 0) {
      this.announcement = incoming.map((item) => this.strings.incoming(this.nameOf(item.senderUserId), previewText(item, this.strings))).join('\n');
    }
  }

  // ---- rendering ----

  private userOf(userId: string): UserInfo | undefined {
    return entryOf(this.users.value, userId);
  }

  /** @internal */
  nameOf(userId: string): string {
    const name: unknown = this.userOf(userId)?.name;
    return typeof name === 'string' && name ? name : String(userId ?? '');
  }

  private dayLabel(time: number, lang: Lang, strings: Strings): string {
    const date = new Date(time);
    if (Number.isNaN(date.getTime())) return '';
    const now = new Date();
    const key = dayKey(time);
    if (key === dayKey(now.getTime())) return strings.today;
    const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
    if (key === dayKey(yesterday.getTime())) return strings.yesterday;
    return formatter(lang, date.getFullYear() === now.getFullYear() ? 'day' : 'day-year').format(date);
  }

  private contentContext(lang: Lang, strings: Strings): ContentContext {
    const session = this.windows.current;
    return {
      strings,
      lang,
      userId: this.userId.value,
      nameOf: (userId) => this.nameOf(userId),
      resolve: (url) => session?.fileUrl(url),
      mapTemplate: this.mapUrl,
      openImage: (source, thumbnail) => {
        this.lightbox = { source, ...(thumbnail ? { thumbnail } : {}) };
      },
    };
  }

  private renderRow(index: number, total: number, lang: Lang, strings: Strings, context: ContentContext) {
    const items = this.layout.items;
    const item = items[index]!;
    const previous = items[index - 1];
    const own = item.direction === 1;
    const group = this.conversationType === 3;
    const newDay = !previous || dayKey(previous.sentTime) !== dayKey(item.sentTime);
    const separator = newDay ? html`<div part="date-separator" class="separator">${this.dayLabel(item.sentTime, lang, strings)}</div>` : nothing;
    // Templates without white space between tags: every text node and part marker is a DOM node
    // per row, in a list that keeps ~25 rows and rewrites them on every jump.
    if (contentKind(item.objectName) === 'notice') {
      return html`<div part="row" class="row notice-row" role="listitem" aria-setsize=${total} aria-posinset=${index + 1} data-index=${index} data-id=${item.id}>${
          separator}<div part="notice" class="notice bubble">${renderContent(item, context)}</div></div>`;
    }
    const runStart = group && !own && (newDay || !previous || previous.direction !== 2
      || previous.senderUserId !== item.senderUserId || Math.abs(item.sentTime - previous.sentTime) > RUN_GAP_MS);
    const name = runStart ? this.nameOf(item.senderUserId) : '';
    const portrait = runStart ? safeImageUrl(this.userOf(item.senderUserId)?.portraitUri) : undefined;
    const time = this.timeLabels(item.sentTime, lang);
    const failed = own && item.status === 'failed';
    const receipt = own ? this.receiptOf(item) : item.status;
    const statusLabel = item.status === 'failed'
      ? `${strings.failed}${item.errorCode !== undefined ? ` (${item.errorCode})` : ''}`
      : receipt === 'sending' ? strings.sending : receipt === 'read' ? strings.read : receipt === 'delivered' ? strings.delivered : strings.sent;
    const mark = item.status === 'failed' ? html`${icon('alert')} ${strings.failed}`
      : icon(receipt === 'sending' ? 'clock' : receipt === 'sent' ? 'check' : 'check-double');
    const status = !own ? nothing
      : group && item.status === 'sent' && item.seq !== undefined
        ? html`<button part="status receipts-button" class="status receipts" type="button" data-status=${receipt} aria-label=${strings.readReceipts}
            aria-expanded=${this.readersFor?.id === item.id ? 'true' : 'false'} @click=${() => this.toggleReaders(item)}>${mark}</button>`
        : html`<span part="status" class="status" data-status=${receipt} role="img" aria-label=${statusLabel} title=${statusLabel}>${mark}</span>`;
    const mentioned = !own && mentionsReader(item, context.userId);
    const content = renderContent(item, context);
    return html`<div part="row" class="row ${own ? 'own' : 'other'}${group ? ' group' : ''}${runStart ? ' run-start' : ''}${mentioned ? ' mentioned' : ''}"
        role="listitem" aria-setsize=${total} aria-posinset=${index + 1} data-index=${index} data-id=${item.id}>${
        // One part for what only some rows have above the bubble, one for what only some have below it.
        newDay || runStart
          ? html`${separator}${runStart
            ? html`<span part="avatar" class="avatar" aria-hidden="true"
              style=${styleMap({ background: avatarColor(String(item.senderUserId ?? '')) })}>${portrait ? html`<img src=${portrait} alt="">` : initials(name)}</span><span
              part="name" class="name">${name}</span>`
            : nothing}`
          : nothing}<div class="line"><div part="bubble" class="bubble${isMedia(item.objectName) ? ' media-bubble' : ''}"><div class="content">${
            // A recycled row never shows another message's picture or player while the new one loads.
            isMedia(item.objectName) ? keyed(item.id, content) : content}</div>${
            time
              ? html`<time part="time" class="time" datetime=${time.iso} title=${time.full} .textContent=${time.short}></time>`
              : nothing}${
            failed ? nothing : status}</div>${
          hasMenu(item) ? this.renderActionsButton(item, strings) : nothing}</div>${
        failed || this.readersFor?.id === item.id ? html`${failed
          ? html`<div class="actions">${status}${
              item.errorCode === 405 ? html`<span part="failure-reason" class="reason">${strings.rejectedByBlacklist} (405)</span>` : nothing}<button
              part="retry-button" type="button" @click=${() => this.act('im-message-retry', item.id)}>${strings.retry}</button><button
              part="discard-button" type="button" @click=${() => this.act('im-message-discard', item.id)}>${strings.discard}</button></div>`
          : nothing}${
        this.readersFor?.id === item.id ? actionsChunk.module?.messageMenu.renderReaders(this, strings) : nothing}` : nothing}</div>`;
  }

  /** A message's time, as shown and in full (its title), by language: formatted once per distinct time. */
  private timeLabelCache = new Map<string, { iso: string; full: string; short: string } | undefined>();
  private timeLabels(time: number, lang: Lang): { iso: string; full: string; short: string } | undefined {
    const key = `${lang}|${time}`;
    if (this.timeLabelCache.has(key)) return this.timeLabelCache.get(key);
    const date = new Date(time);
    const labels = Number.isNaN(date.getTime()) ? undefined
      : { iso: date.toISOString(), full: formatter(lang, 'full').format(date), short: formatter(lang, 'time').format(date) };
    // Bounded: the rows of a few screens, not the whole history.
    if (this.timeLabelCache.size >= 512) this.timeLabelCache.clear();
    this.timeLabelCache.set(key, labels);
    return labels;
  }

  /** sending, sent, delivered (a device of the peer has it) or read (the peer's read position passed it). */
  private receiptOf(item: MessageItem): 'sending' | 'sent' | 'delivered' | 'read' | 'failed' {
    if (item.status !== 'sent' || item.seq === undefined) return item.status;
    const entry = this.entries.value?.[this.key];
    if ((entry?.peerReadSeq ?? 0) >= item.seq) return 'read';
    if ((entry?.peerDeliveredSeq ?? 0) >= item.seq) return 'delivered';
    return 'sent';
  }

  /**
   * Opens (asking the server) or closes the list of who read an own group message. The actions
   * chunk draws it: when it is not here yet, the list opens on its arrival (a failed fetch opens
   * nothing; the next press fetches it again).
   */
  private toggleReaders(item: MessageItem): void {
    const menus = actionsChunk.module?.messageMenu;
    if (menus) menus.toggleReaders(this, item);
    else actionsChunk.load().then(({ messageMenu }) => { if (this.readersFor?.id !== item.id) messageMenu.toggleReaders(this, item); }, () => undefined);
  }

  private renderActionsButton(item: MessageItem, strings: Strings) {
    // Open once drawn: a menu asked for while the actions chunk is on its way is not there yet.
    const open = this.menu?.id === item.id && !!actionsChunk.module;
    return html`<button part="actions-button" class="actions-button" type="button" aria-label=${strings.messageActions}
        aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'} aria-controls=${open ? 'message-menu' : nothing}
        @click=${() => { this.menu = open ? undefined : { id: item.id }; }}>${MORE_ICON}</button>`;
  }

  /** The open menu (./message-menu.ts, in the actions chunk), one for the list, outside the rows. */
  private renderMenu(strings: Strings) {
    const request = this.menu;
    const menus = actionsChunk.module?.messageMenu;
    const item = request && menus && this.layout.items.find((candidate) => candidate.id === request.id);
    return item ? menus!.renderMenu(this, item, strings) : nothing;
  }

  /** @internal */
  get menuElement(): HTMLElement | null {
    return this.renderRoot?.querySelector<HTMLElement>('#message-menu') ?? null;
  }

  /** @internal */
  rowOf(id: string): HTMLElement | undefined {
    return [...this.scroller?.querySelectorAll<HTMLElement>(':scope > .spacer > .row') ?? []].find((row) => row.dataset.id === id);
  }

  /** The open menu goes by its anchor (or closes, when its message left the list's viewport). */
  private placeMenu(): void {
    actionsChunk.module?.messageMenu.placeMenu(this);
  }

  /**
   * @internal Closes the menu. With `restoreFocus`, focus that was in it goes back to the
   * message's ⋯ button (or the list, when the message is gone), as a menu's focus does.
   */
  closeMenu(restoreFocus: boolean): void {
    const request = this.menu;
    if (!request) return;
    const menu = this.menuElement;
    const active = (this.renderRoot as ShadowRoot).activeElement;
    const focusInMenu = !!active && !!menu?.contains(active);
    this.menu = undefined;
    this.swallowClick = false;
    if (!restoreFocus || !focusInMenu) return;
    void this.updateComplete.then(() => {
      const button = this.rowOf(request.id)?.querySelector<HTMLElement>('.actions-button');
      (button ?? this.scroller)?.focus({ preventScroll: true });
    });
  }

  /** @internal The menu's actions dispatch `im-message-action` through here. */
  override emit<K extends keyof ImEventDetails>(name: K, detail: ImEventDetails[K], options?: { cancelable?: boolean }): boolean {
    return super.emit(name, detail, options);
  }

  // Arrow functions: stable listeners for the window.
  /**
   * Without the Popover API there is no light dismiss: a press anywhere but on the menu (or a ⋯
   * button, which toggles it) closes it. So does it a menu asked for and not drawn yet (its chunk
   * on its way): it does not open after a press elsewhere.
   */
  private readonly onPointerDownOutside = (event: Event) => {
    const menu = this.menuElement;
    if (menu?.hasAttribute('popover')) return;
    const path = event.composedPath();
    if ((menu && path.includes(menu)) || path.some((node) => node instanceof HTMLElement && node.classList.contains('actions-button') && this.renderRoot.contains(node))) return;
    this.closeMenu(false);
  };

  /** The page scrolled or the window changed size: the menu follows its anchor, at the next frame. */
  private menuFrame = 0;
  private readonly onViewportChange = () => {
    if (this.menuFrame) return;
    this.menuFrame = requestAnimationFrame(() => {
      this.menuFrame = 0;
      this.placeMenu();
    });
  };

  private menuListening = false;
  private listenForMenu(open: boolean): void {
    if (open === this.menuListening) return;
    this.menuListening = open;
    const method = open ? 'addEventListener' : 'removeEventListener';
    globalThis[method]('resize', this.onViewportChange);
    // Capture: scroll events do not bubble, and any scrolling ancestor moves the anchor.
    globalThis.document?.[method]('scroll', this.onViewportChange, { capture: true });
    globalThis.document?.[method]('pointerdown', this.onPointerDownOutside, { capture: true });
    if (!open) {
      cancelAnimationFrame(this.menuFrame);
      this.menuFrame = 0;
    }
  }

  // ---- right click and long press ----

  /** A touch held on a bubble, which opens the message's menu after LONG_PRESS_MS unless it moves or lifts. */
  private press: { pointerId: number; x: number; y: number; timer: ReturnType<typeof setTimeout>; opened: boolean } | undefined;
  /** A long press opened the menu: the click its release may bring must not act (open an image, follow a link). */
  private swallowClick = false;

  /** The message whose bubble an event happened in, when it offers a menu and the event is not on a link. */
  private menuTarget(event: Event): { item: MessageItem; bubble: HTMLElement } | undefined {
    let bubble: HTMLElement | undefined;
    for (const node of event.composedPath()) {
      if (!(node instanceof HTMLElement)) continue;
      // A link keeps the browser's own menu (open in a new tab, copy the address).
      if (node instanceof HTMLAnchorElement && node.href) return undefined;
      if (node.classList.contains('bubble')) {
        bubble = node;
        break;
      }
    }
    const row = bubble?.closest<HTMLElement>('.row');
    const item = row ? this.layout.items[Number(row.dataset.index)] : undefined;
    return bubble && item && item.id === row!.dataset.id && hasMenu(item) ? { item, bubble } : undefined;
  }

  /** Opens the menu of `item` at a point of the viewport. */
  private openMenuAt(item: MessageItem, bubble: HTMLElement, x: number, y: number): void {
    const box = bubble.getBoundingClientRect();
    this.menu = { id: item.id, at: { x: x - box.left, y: y - box.top } };
  }

  private readonly onContextMenu = (event: MouseEvent) => {
    const target = this.menuTarget(event);
    if (!target) return;
    event.preventDefault();
    // A touch held: the browser's own long-press menu and ours are one gesture, opened once.
    if (this.press) {
      clearTimeout(this.press.timer);
      if (this.press.opened) return;
      this.press.opened = true;
      this.swallowClick = true;
    }
    this.openMenuAt(target.item, target.bubble, event.clientX, event.clientY);
  };

  private readonly onPointerDown = (event: PointerEvent) => {
    this.swallowClick = false;
    this.endPress();
    if (event.pointerType !== 'touch') return;
    const target = this.menuTarget(event);
    if (!target) return;
    const { pointerId, clientX: x, clientY: y } = event;
    const timer = setTimeout(() => {
      if (this.press?.pointerId !== pointerId || this.press.opened || !target.bubble.isConnected) return;
      this.press.opened = true;
      this.swallowClick = true;
      this.openMenuAt(target.item, target.bubble, x, y);
    }, LONG_PRESS_MS);
    this.press = { pointerId, x, y, timer, opened: false };
    globalThis.addEventListener('pointermove', this.onPressMove, true);
    globalThis.addEventListener('pointerup', this.onPressEnd, true);
    globalThis.addEventListener('pointercancel', this.onPressEnd, true);
  };

  private readonly onPressMove = (event: PointerEvent) => {
    const press = this.press;
    if (press && event.pointerId === press.pointerId && Math.hypot(event.clientX - press.x, event.clientY - press.y) > LONG_PRESS_SLOP) {
      this.endPress();
    }
  };

  private readonly onPressEnd = (event: PointerEvent) => {
    if (event.pointerId === this.press?.pointerId) this.endPress();
  };

  private endPress(): void {
    if (!this.press) return;
    clearTimeout(this.press.timer);
    this.press = undefined;
    globalThis.removeEventListener('pointermove', this.onPressMove, true);
    globalThis.removeEventListener('pointerup', this.onPressEnd, true);
    globalThis.removeEventListener('pointercancel', this.onPressEnd, true);
  }

  // The release of a long press: no tap. Browsers would make it a click, and the popover's light
  // dismiss would close the menu the press just opened.
  private readonly onTouchEnd = (event: TouchEvent) => {
    if (this.swallowClick && event.cancelable) event.preventDefault();
  };

  /** Capture listener: a click a long press brought along is dropped before it reaches the bubble. */
  private readonly clickGuard = {
    capture: true,
    handleEvent: (event: Event) => {
      if (!this.swallowClick) return;
      this.swallowClick = false;
      event.preventDefault();
      event.stopPropagation();
    },
  };

  private renderLightbox(strings: Strings) {
    const box = this.lightbox;
    if (!box) return nothing;
    return html`<dialog part="lightbox" class="lightbox" aria-label=${strings.image}
        @close=${() => { this.lightbox = undefined; }} @click=${(event: Event) => {
          if (event.target === event.currentTarget) (event.currentTarget as HTMLDialogElement).close();
        }}>
        <img src=${box.source} alt=${strings.image}>
        <button part="lightbox-close" type="button" class="close" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>${strings.close}</button>
      </dialog>`;
  }

  private act(name: 'im-message-retry' | 'im-message-discard', id: string): void {
    const conversation = { conversationType: this.conversationType, targetId: this.targetId };
    if (!this.emit(name, { ...conversation, id }, { cancelable: true })) return;
    const session = this.windows.current;
    if (!session) return;
    // The pressed button goes away with the failed state: keep keyboard focus in the list.
    this.keepFocus();
    if (name === 'im-message-retry') session.retry(conversation, id).catch(() => undefined);
    else session.discard(conversation, id);
  }

  /** Focus on a button about to vanish (its row changed or went) moves to the list after the render. */
  private keepFocus(): void {
    const active = (this.renderRoot as ShadowRoot).activeElement;
    if (!active || active === this.scroller) return;
    void this.updateComplete.then(() => {
      if (!active.isConnected) this.scroller?.focus({ preventScroll: true });
    });
  }

  /**
   * The messages whose rows stay rendered wherever they are scrolled to: the one holding keyboard
   * focus, and those where a text selection starts and ends (so that neither is lost to a row
   * recycled for another message).
   */
  private pinnedIds(): string[] {
    const ids: string[] = [];
    if (this.focusedId !== undefined) ids.push(this.focusedId);
    const root = this.renderRoot as ShadowRoot | undefined;
    const selection = (root as (ShadowRoot & { getSelection?: () => Selection | null }) | undefined)?.getSelection?.()
      ?? globalThis.document?.getSelection();
    if (root && selection && !selection.isCollapsed) {
      for (const node of [selection.anchorNode, selection.focusNode]) {
        if (!node || !root.contains(node)) continue;
        const element = node instanceof Element ? node : node.parentElement;
        const id = element?.closest<HTMLElement>('.row')?.dataset.id;
        if (id !== undefined && !ids.includes(id)) ids.push(id);
      }
    }
    return ids;
  }

  /** Last known index of each pinned message: found again without a scan of the window. */
  private readonly pinnedAt = new Map<string, number>();

  /** The rows to render: the range, plus the pinned rows (focus, selection) wherever they are, in message order. */
  private rowIndexes(): number[] {
    const { start, end } = this.range;
    const items = this.layout.items;
    const total = this.layout.count;
    const indexes: number[] = [];
    for (let i = start; i < Math.min(end, total); i++) indexes.push(i);
    const pinned = this.pinnedIds();
    for (const id of [...this.pinnedAt.keys()]) if (!pinned.includes(id)) this.pinnedAt.delete(id);
    for (const id of pinned) {
      const guess = this.pinnedAt.get(id);
      const index = guess !== undefined && items[guess]?.id === id ? guess : items.findIndex((item) => item.id === id);
      if (index < 0) {
        this.pinnedAt.delete(id);
        continue;
      }
      this.pinnedAt.set(id, index);
      // In document order, so that reading and tab order follow the messages.
      if (index < start || index >= end) indexes.push(index);
    }
    return indexes.length > end - start ? indexes.sort((a, b) => a - b) : indexes;
  }

  // ---- row recycling ----
  // Rows are keyed by a slot, not by their message: a message still rendered keeps its slot (its
  // DOM, its focus), and a row that left the range lends its DOM to a message that entered it,
  // which Lit updates in place (text, attributes, classes) instead of building a new one. A jump
  // across the history thus rewrites the same ~25 rows rather than creating them anew. Whatever
  // state a row's DOM holds beyond its bindings is kept from being carried over: focus and
  // selection pin their message's row (above), rows are never moved (see slotsFor), a freed row
  // that held the focus is dropped rather than lent, and media content is keyed by message (a
  // picture never shows in another's bubble while its own loads).
  /** Slot of each message rendered by the last render, in DOM order. */
  private slots = new Map<string, number>();
  private slotCount = 0;

  /**
   * Slots for the rows of `indexes` (in order). A message still rendered keeps its slot; a new one
   * takes a freed slot that lies, in the old DOM order, between the kept rows around it, else a
   * new slot. The slots thus keep their DOM order: Lit's repeat updates rows in place, inserts
   * and removes, and never moves a row (a move would blur the focus inside it). A jump, where
   * nothing is kept, reuses every row.
   */
  private slotsFor(indexes: readonly number[]): number[] {
    const items = this.layout.items;
    const previous = this.slots;
    const oldSlots = [...previous.values()];
    const oldIds = [...previous.keys()];
    const oldAt = new Map<number, number>();
    oldSlots.forEach((slot, position) => oldAt.set(slot, position));
    const n = indexes.length;
    const keys: Array<number | undefined> = new Array(n);
    const used = new Set<number>();
    for (let k = 0; k < n; k++) {
      const slot = previous.get(items[indexes[k]!]!.id);
      if (slot !== undefined) {
        keys[k] = slot;
        used.add(slot);
      }
    }
    // For each row, the old position of the next kept row after it: free slots must come before it.
    const limits: number[] = new Array(n);
    let limit = oldSlots.length;
    for (let k = n - 1; k >= 0; k--) {
      limits[k] = limit;
      if (keys[k] !== undefined) limit = oldAt.get(keys[k]!)!;
    }
    let pointer = 0;
    const next = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      if (keys[k] !== undefined) {
        pointer = Math.max(pointer, oldAt.get(keys[k]!)! + 1);
      } else {
        // A freed row that held the focus (its message went away) is not lent to another message.
        while (pointer < limits[k]! && (used.has(oldSlots[pointer]!) || oldIds[pointer] === this.focusedId)) pointer++;
        if (pointer < limits[k]!) {
          keys[k] = oldSlots[pointer++]!;
          used.add(keys[k]!);
        } else {
          keys[k] = this.slotCount++;
        }
      }
      next.set(items[indexes[k]!]!.id, keys[k]!);
    }
    this.slots = next;
    return keys as number[];
  }

  private renderRows(lang: Lang, strings: Strings, context: ContentContext) {
    const items = this.layout.items;
    const indexes = this.rowIndexes();
    const keys = this.slotsFor(indexes);
    return repeat(indexes, (_, k) => keys[k], (index) => this.renderRow(index, items.length, lang, strings, context));
  }

  override render() {
    const lang = this.language;
    const strings = stringsFor(lang);
    const shown = this.shown;
    const items = this.layout.items;
    const live = html`<div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>`;
    const loading = html`<div part="loading" class="loading">${strings.loadingOlder}</div>`;
    const context = this.contentContext(lang, strings);
    if (items.length === 0) {
      return html`
        <div part="list" class="scroller">
          ${shown?.loaded
            ? html`<slot name="empty"><p class="empty">${strings.noMessages}</p></slot>`
            : html`<div class="head">${loading}</div>`}
        </div>
        ${live}`;
    }
    return html`
      <div part="list" class="scroller" role="list" tabindex="0" aria-label=${strings.messages}
        aria-busy=${shown?.loadingOlder ? 'true' : 'false'}
        @scroll=${this.onScroll} @keydown=${this.onKeyDown} @focusin=${this.onFocusIn} @focusout=${this.onFocusOut} @pointerover=${this.onIntent}
        @contextmenu=${this.onContextMenu} @pointerdown=${this.onPointerDown} @touchend=${this.onTouchEnd} @click=${this.clickGuard}>
        <div class="spacer">
          <div class="head">
            ${shown?.loadingOlder || !shown?.loaded ? loading
              : !shown.hasOlder ? html`<div part="beginning" class="beginning">${strings.noOlder}</div>` : nothing}
          </div>
          ${this.renderRows(lang, strings, context)}
        </div>
      </div>
      ${this.newBelow && !this.stuck
        ? html`<button part="new-messages" class="new-messages" type="button" @click=${() => {
          this.keepFocus();
          this.scrollToBottom();
        }}>${strings.newMessages} ${icon('arrow-down')}</button>`
        : nothing}
      ${this.renderMenu(strings)}
      ${this.renderLightbox(strings)}
      ${live}`;
  }
}
