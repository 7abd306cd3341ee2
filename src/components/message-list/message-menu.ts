import { css, html, nothing } from 'lit';
import type { ChatSession } from '../../core/client/chat-session.js';
import type { MessageItem } from '../../core/store/chat-state.js';
import { adoptStyles } from '../internal/adopt-styles.js';
import type { ImEventDetails } from '../internal/im-element.js';
import { icon } from '../internal/icons.js';
import { onMenuKey } from '../internal/menu-keys.js';
import type { Strings } from '../internal/strings.js';
import { placeMenu as placement, type Box } from './menu-position.js';
import { plainText } from './message-content.js';
import type { MessageAction } from './message-list.js';

/**
 * What the message list shows only once the reader asks for it: a message's menu (copy, reply,
 * recall, delete for me) and the readers of an own group message. Part of the actions chunk (see
 * ../internal/actions.ts); the list keeps the state (the menu asked for, the readers shown), the
 * ⋯ and receipts buttons, and the ways to open the menu (a click, a right click, a long press),
 * and calls in here once the chunk is loaded: a menu asked for before opens on its arrival.
 */

/**
 * The open message menu: whose, and where. Below the message's ⋯ button, or, when `at` is set,
 * where a pointer asked for it (right click, long press): `at` is that point's offset from the
 * bubble's top-left corner, so that the menu follows the bubble as the list scrolls.
 */
export interface MenuRequest {
  id: string;
  at?: { x: number; y: number };
}

/** The own group message whose readers are shown, and what the server said of them. */
export interface Readers {
  id: string;
  read?: string[];
  unread?: string[];
  delivered?: string[];
}

/** What the menu and the readers take from the list (ImMessageList implements it). */
export interface MessageMenuHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly conversationType: number;
  readonly targetId: string;
  /** How long after sending own messages offer "recall", in seconds. */
  readonly recallWindow: number;
  /** The menu asked for (reactive: setting it re-renders the list). */
  menu: MenuRequest | undefined;
  /** The readers shown (reactive). */
  readersFor: Readers | undefined;
  readonly windows: { readonly current: ChatSession | undefined };
  /** The list's scroll container. */
  readonly scroller: HTMLElement | null;
  /** The menu as drawn (null while none is). */
  readonly menuElement: HTMLElement | null;
  /** The rendered row of a message. */
  rowOf(id: string): HTMLElement | undefined;
  nameOf(userId: string): string;
  /** Closes the menu; with `restoreFocus`, focus in it goes back to the message's ⋯ button. */
  closeMenu(restoreFocus: boolean): void;
  emit<K extends keyof ImEventDetails>(name: K, detail: ImEventDetails[K], options?: { cancelable?: boolean }): boolean;
}

// In the top layer (a popover) or, without the Popover API, a fixed box over everything; placed by
// the list. Hidden until open: a popover not showing would otherwise take this display.
const styles = css`
  .menu {
    display: none; position: fixed; inset: auto; margin: 0;
    min-width: 9em; max-width: calc(100vw - 16px); max-height: calc(100vh - 16px); overflow-y: auto;
    padding: 4px; border-radius: var(--_radius-s); border: 1px solid var(--_border);
    background: var(--_bg); color: var(--_text); box-shadow: 0 4px 16px rgb(0 0 0 / 0.25);
  }
  .menu:popover-open { display: grid; }
  .menu.fallback { display: grid; z-index: 2147483647; }
  .menu button { font: inherit; text-align: start; padding: 6px 10px; border: 0; border-radius: var(--_radius-s); background: none; color: var(--_text); cursor: pointer; }
  .menu button:hover, .menu button:focus-visible { background: var(--_surface); }
  .readers {
    justify-self: end; margin-top: 4px; padding: 6px 10px; max-width: 16em; font-size: 0.85em;
    border: 1px solid var(--_border); border-radius: var(--_radius-s); background: var(--_bg); color: var(--_text);
  }
  .readers p { margin: 2px 0; }
  .readers-title { color: var(--_muted); }
  .readers ul { margin: 0 0 4px; padding-left: 1.2em; }
  .reader-state { color: var(--_muted); }
  .reader-state .icon { vertical-align: -0.15em; }
`;

/** The Popover API puts the menu in the top layer, over everything; without it, a fixed box on top. */
const hasPopover = (): boolean => typeof HTMLElement === 'function' && typeof HTMLElement.prototype.showPopover === 'function';

/** The actions this message offers the reader. */
function actionsFor(host: MessageMenuHost, item: MessageItem): MessageAction[] {
  const actions: MessageAction[] = [];
  if (plainText(item) !== undefined) actions.push('copy');
  actions.push('reply');
  if (item.direction === 1 && Date.now() - item.sentTime < host.recallWindow * 1000) actions.push('recall');
  actions.push('delete');
  return actions;
}

/** The open menu of `item`, one for the list, outside the rows: nothing of a row (transform, stacking) contains it. */
export function renderMenu(host: MessageMenuHost, item: MessageItem, strings: Strings) {
  adoptStyles(host.renderRoot as ShadowRoot, styles);
  const labels: Record<MessageAction, string> = { copy: strings.copy, reply: strings.reply, recall: strings.recall, delete: strings.deleteForMe };
  const popover = hasPopover();
  return html`<div id="message-menu" part="menu" class="menu${popover ? '' : ' fallback'}" role="menu" aria-label=${strings.messageActions}
      popover=${popover ? 'auto' : nothing} @toggle=${(event: Event) => onToggle(host, event)} @keydown=${(event: KeyboardEvent) => onMenuKey(event, () => host.closeMenu(true))}>
      ${actionsFor(host, item).map((action) => html`<button part="menu-item" role="menuitem" type="button" tabindex="-1" data-action=${action}
        @click=${() => chooseAction(host, item, action)}>${labels[action]}</button>`)}
    </div>`;
}

/** After a render with the menu open: in the top layer, in place, and (just opened) focused on its first action. */
export function showMenu(host: MessageMenuHost, opened: boolean): void {
  const menu = host.menuElement;
  const request = host.menu;
  if (!menu || !request) return;
  // Shown only when just asked for: a render between a light dismiss and its toggle event must not bring it back.
  if (opened && menu.hasAttribute('popover') && !menu.matches(':popover-open')) {
    const button = request.at ? undefined : host.rowOf(request.id)?.querySelector<HTMLElement>('.actions-button');
    // Its button as the source: a click on the button toggles the menu instead of light-dismissing and reopening it.
    menu.showPopover(button ? { source: button } : undefined);
  }
  placeMenu(host);
  if (opened) menu.querySelector<HTMLElement>('[role="menuitem"]')?.focus({ preventScroll: true });
}

/**
 * Puts the open menu by its anchor (the ⋯ button, or the point it was opened at), in viewport
 * coordinates; closes it when its message left the list's viewport.
 */
export function placeMenu(host: MessageMenuHost): void {
  const menu = host.menuElement;
  const request = host.menu;
  const scroller = host.scroller;
  if (!menu || !request || !scroller) return;
  const row = host.rowOf(request.id);
  const bubble = row?.querySelector<HTMLElement>('.bubble');
  const button = row?.querySelector<HTMLElement>('.actions-button');
  const view = scroller.getBoundingClientRect();
  const box = bubble?.getBoundingClientRect();
  if (!box || !button || box.bottom <= view.top || box.top >= view.bottom) {
    host.closeMenu(true);
    return;
  }
  let anchor: Box;
  let align: 'start' | 'end';
  if (request.at) {
    const x = box.left + request.at.x;
    const y = box.top + request.at.y;
    anchor = { top: y, right: x, bottom: y, left: x };
    align = 'start';
  } else {
    anchor = button.getBoundingClientRect();
    // Away from the bubble: own bubbles are on the right, their button on their left.
    align = row!.classList.contains('own') ? 'end' : 'start';
  }
  const page = document.documentElement;
  const viewport = {
    width: Math.min(innerWidth, page.clientWidth || innerWidth),
    height: Math.min(innerHeight, page.clientHeight || innerHeight),
  };
  const place = placement(anchor, { width: menu.offsetWidth, height: menu.offsetHeight }, viewport, { align, gap: request.at ? 0 : 4 });
  menu.style.left = `${place.left}px`;
  menu.style.top = `${place.top}px`;
  // Without the top layer, a transformed ancestor in the page would be the fixed box's frame: correct by what shows.
  const shown = menu.getBoundingClientRect();
  if (Math.abs(shown.left - place.left) > 0.5) menu.style.left = `${2 * place.left - shown.left}px`;
  if (Math.abs(shown.top - place.top) > 0.5) menu.style.top = `${2 * place.top - shown.top}px`;
}

/** The popover closed by itself (light dismiss, Escape): the state follows. */
function onToggle(host: MessageMenuHost, event: Event): void {
  const menu = event.currentTarget as HTMLElement;
  // A late event of a menu element since replaced says nothing of the current one.
  if (menu.isConnected && !menu.matches(':popover-open')) host.closeMenu(false);
}

function chooseAction(host: MessageMenuHost, item: MessageItem, action: MessageAction): void {
  const conversation = { conversationType: host.conversationType, targetId: host.targetId };
  const allowed = host.emit('im-message-action', { ...conversation, id: item.id, action }, { cancelable: true });
  // A reply is written next: the composer takes the focus (it does when reply mode starts).
  host.closeMenu(!(allowed && action === 'reply'));
  if (!allowed) return;
  const session = host.windows.current;
  if (action === 'copy') void globalThis.navigator?.clipboard?.writeText(plainText(item) ?? '').catch(() => undefined);
  else if (action === 'reply') session?.replyTo(conversation, item);
  else if (action === 'recall') session?.recall?.(conversation, item).catch(() => undefined);
  else void session?.deleteForMe(conversation, item.id);
}

/** Opens (asking the server) or closes the list of who read an own group message. */
export function toggleReaders(host: MessageMenuHost, item: MessageItem): void {
  if (host.readersFor?.id === item.id) {
    host.readersFor = undefined;
    return;
  }
  host.readersFor = { id: item.id };
  fetchReaders(host, item);
}

/** Asks the server who read `item` (again, when a member read on while they are shown). */
export function fetchReaders(host: MessageMenuHost, item: MessageItem): void {
  const session = host.windows.current;
  if (!session || item.seq === undefined) return;
  session.getReaders({ conversationType: host.conversationType, targetId: host.targetId }, item.seq).then((readers) => {
    if (host.readersFor?.id === item.id) {
      host.readersFor = { id: item.id, read: readers.readUserIds, unread: readers.unreadUserIds, delivered: readers.deliveredUserIds };
    }
  }, () => undefined);
}

/** Who read the message of `host.readersFor` and who did not (those with their delivery mark), under its row's bubble. */
export function renderReaders(host: MessageMenuHost, strings: Strings) {
  const readers = host.readersFor;
  if (!readers) return nothing;
  adoptStyles(host.renderRoot as ShadowRoot, styles);
  const delivered = new Set(readers.delivered ?? []);
  const mark = (id: string) => {
    const label = delivered.has(id) ? strings.delivered : strings.sent;
    return html` <span class="reader-state" data-status=${delivered.has(id) ? 'delivered' : 'sent'} role="img" aria-label=${label}
      title=${label}>${icon(delivered.has(id) ? 'check-double' : 'check')}</span>`;
  };
  const names = (ids: string[] | undefined, marks = false) => (ids ?? []).map((id) => html`<li>${host.nameOf(id)}${marks ? mark(id) : nothing}</li>`);
  const total = (readers.read?.length ?? 0) + (readers.unread?.length ?? 0);
  return html`<div part="readers" class="readers" role="dialog" aria-label=${strings.readReceipts}
      @keydown=${(event: KeyboardEvent) => { if (event.key === 'Escape') host.readersFor = undefined; }}>
      ${readers.read === undefined
        ? strings.loading
        : html`<p class="readers-count">${strings.readBy(readers.read.length, total)}</p>
          <p class="readers-title">${strings.readList}</p><ul>${names(readers.read)}</ul>
          <p class="readers-title">${strings.unreadList}</p><ul>${names(readers.unread, true)}</ul>`}
    </div>`;
}
