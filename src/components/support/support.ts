// The launcher is what every page of a site pays for, chat or no chat: it is a plain
// HTMLElement with its own few lines of CSS, and imports neither Lit nor the core. The panel
// (Lit, the core, the conversation elements) is a separate module, fetched on first use.
import type { ImEventDetails } from '../internal/im-element.js';
import type { ImSupportPanel } from './support-panel.js';
import { hasStoredVisitor } from './visitor-store.js';

/** Where there is no DOM (server-side rendering), the class still has to be definable. */
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

let panelModule: Promise<typeof import('./support-panel.js')> | undefined;
const loadPanel = () => (panelModule ??= import('./support-panel.js'));

/** Attributes handed to the panel as they are. */
const FORWARDED = ['server', 'group', 'user', 'token', 'theme', 'lang'] as const;

const STYLE = `
:host {
  --_size: var(--im-support-bubble-size, 56px);
  --_offset: var(--im-support-offset, 20px);
  --_color: var(--im-support-bubble-color, var(--im-color-primary, #2563eb));
  --_on-color: var(--im-support-bubble-text-color, var(--im-color-on-primary, #fff));
  position: fixed; z-index: var(--im-support-z-index, 2147483000);
  right: var(--_offset); bottom: var(--_offset); left: auto;
  font-family: var(--im-font-family, system-ui, sans-serif);
}
:host([position='left']) { left: var(--_offset); right: auto; }
[part='bubble'] {
  all: unset; box-sizing: border-box; display: grid; place-items: center; cursor: pointer;
  width: var(--_size); height: var(--_size); border-radius: 50%;
  background: var(--_color); color: var(--_on-color);
  box-shadow: 0 4px 14px rgb(0 0 0 / 0.25); transition: transform .15s ease;
}
[part='bubble']:hover { transform: scale(1.05); }
[part='bubble']:focus-visible { outline: 3px solid var(--im-color-focus, #1d4ed8); outline-offset: 3px; }
svg { width: 50%; height: 50%; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
[part='badge'] {
  position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 6px; box-sizing: border-box;
  border-radius: 10px; background: var(--im-color-badge, #dc2626); color: #fff; border: 2px solid #fff;
  font: 600 12px/16px var(--im-font-family, system-ui, sans-serif); text-align: center; cursor: pointer;
}
[part='badge'][hidden] { display: none; }
[part='panel'] {
  position: absolute; bottom: calc(var(--_size) + 16px); right: 0;
  width: min(var(--im-support-panel-width, 380px), calc(100vw - 2 * var(--_offset)));
  height: min(var(--im-support-panel-height, 600px), calc(100vh - var(--_size) - 16px - 2 * var(--_offset)));
  border-radius: var(--im-support-panel-radius, 16px); overflow: hidden;
  box-shadow: 0 12px 40px rgb(0 0 0 / 0.3);
}
:host([position='left']) [part='panel'] { right: auto; left: 0; }
[part='panel'][hidden] { display: none; }
/* A phone: the panel takes the whole screen; the bubble steps aside (it would cover the
   composer's send button), the panel's own close button closes it. */
@media (max-width: 599.98px) {
  [part='panel'] { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
  [part='bubble'][aria-expanded='true'], [part='bubble'][aria-expanded='true'] + [part='badge'] { display: none; }
}
`;

// A speech bubble (the chat icon) and a cross (close), drawn as paths: no icon font needed.
const CHAT_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.8A8 8 0 1 1 21 12z"/></svg>';
const CLOSE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>';

/** The launcher's own words; the panel has the rest. */
const WORDS = {
  en: { open: 'Chat with us', close: 'Close chat', unread: (n: number) => `${n} unread message${n === 1 ? '' : 's'}` },
  zh: { open: '联系客服', close: '关闭聊天', unread: (n: number) => `${n} 条未读消息` },
};

/**
 * The customer-service launcher for visitors: a round chat bubble fixed in a corner of the page
 * that opens a chat panel with the site's support team. One script and one element:
 *
 * ```html
 * <script type="module" src="im-support.js"></script>
 * <im-support server="wss://chat.example.com/im" group="sales"></im-support>
 * ```
 *
 * Visitors need no account: on first open, the launcher asks the server for an anonymous
 * identity (`POST /cs/visitor`, kept in this browser's localStorage, per server, and renewed on
 * each visit), so a returning visitor finds their conversation again. Sites with their own
 * sign-in give a verified identity instead: `user` and `token` attributes, or `identify()`.
 *
 * The panel shows, as the group's settings and the session say: a pre-chat form, the
 * conversation with the queue position, a "Talk to a person" button while a robot answers, an
 * away notice with a leave-a-message form outside business hours, and a rating once the
 * conversation is resolved. It is loaded (with Lit and the core) when first opened, or when the
 * browser is idle for a returning visitor, so that the unread badge is live.
 *
 * @summary Customer-service chat bubble and panel for visitors.
 *
 * @attr server - WebSocket URL of the chat server's `/im` endpoint.
 * @attr group - The skill group to talk to (`service` by default).
 * @attr user - The user id of a verified identity (with `token`).
 * @attr token - A token minted by the site's app server for `user`; without it the visitor is anonymous.
 * @attr position - `right` (default) or `left`: the corner of the bubble.
 * @attr theme - `light`, `dark` or `auto`, passed to the panel.
 * @attr lang - `en` or `zh-CN`; empty: the page's or the browser's.
 *
 * @event im-open - The panel opened.
 * @event im-close - The panel closed.
 * @event im-unread-change - The count of unread messages from the support team changed: `{count}`.
 * @event im-identity - The identity in effect: `{userId, anonymous}` (after minting, renewing or `identify()`).
 *
 * @csspart bubble - The round button.
 * @csspart badge - The unread count on the bubble.
 * @csspart panel - The chat panel (a card above the bubble; the whole screen under 600px).
 * @csspart header - The panel's header (group name and close button).
 *
 * @cssproperty --im-support-bubble-color - Background of the bubble (`--im-color-primary`, #2563eb).
 * @cssproperty --im-support-bubble-text-color - The icon's colour (#fff).
 * @cssproperty --im-support-bubble-size - Diameter of the bubble (56px).
 * @cssproperty --im-support-offset - Distance of the bubble from the page's edges (20px).
 * @cssproperty --im-support-panel-width - Width of the panel card (380px).
 * @cssproperty --im-support-panel-height - Height of the panel card (600px).
 * @cssproperty --im-support-panel-radius - Corner radius of the panel card (16px).
 * @cssproperty --im-support-z-index - Stacking order of the launcher (2147483000).
 */
export class ImSupport extends Base {
  static get observedAttributes(): string[] {
    return [...FORWARDED, 'position'];
  }

  private bubble!: HTMLButtonElement;
  private badge!: HTMLElement;
  private panel: ImSupportPanel | undefined;
  private unread = 0;
  private opened = false;
  private idle: number | undefined;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}</style><button part="bubble" type="button" aria-expanded="false">${CHAT_ICON}</button><span part="badge" role="status" hidden></span>`;
    this.bubble = root.querySelector('button')!;
    this.badge = root.querySelector('[part=badge]')!;
    this.bubble.addEventListener('click', () => void this.toggle());
    // The badge lies over the bubble's edge: a pointer there means the bubble.
    this.badge.addEventListener('click', () => void this.toggle());
    // The panel says so when its unread count changes; the badge and the bubble's name follow.
    root.addEventListener('im-unread-change', (event) => this.showUnread((event as CustomEvent<{ count: number }>).detail.count));
  }

  /**
   * Escape closes the panel when the keyboard is in it, or nowhere (the focus fell to the page's
   * body); not while it is in the site's own content. The panel's controls that use Escape
   * themselves (a picker, a menu) take it first.
   */
  private readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || event.defaultPrevented || !this.opened) return;
    const focused = document.activeElement;
    if (event.composedPath().includes(this) || !focused || focused === document.body) this.close();
  };

  connectedCallback(): void {
    this.label();
    document.addEventListener('keydown', this.onKeydown);
    // A returning visitor (or a signed-in one) may have answers waiting: load the panel when
    // the page is idle, so its connection can keep the badge live. A first-time visitor has no
    // conversation yet and costs nothing until they open it.
    if (this.panel || this.idle !== undefined || !this.getAttribute('server')) return;
    if (!this.getAttribute('token') && !hasStoredVisitor(this.getAttribute('server')!)) return;
    const later = (run: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(run, { timeout: 3000 }) : setTimeout(run, 1500) as unknown as number);
    this.idle = later(() => void this.ensurePanel());
  }

  disconnectedCallback(): void {
    document.removeEventListener('keydown', this.onKeydown);
    if (this.idle !== undefined) (typeof cancelIdleCallback === 'function' ? cancelIdleCallback : clearTimeout)(this.idle);
    this.idle = undefined;
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'lang') this.label();
    if (!this.panel || !(FORWARDED as readonly string[]).includes(name)) return;
    if (value === null) this.panel.removeAttribute(name);
    else this.panel.setAttribute(name, value);
  }

  /** Whether the panel is open. */
  get isOpen(): boolean {
    return this.opened;
  }

  /** The count of unread messages from the support team, as the badge shows it. */
  get unreadCount(): number {
    return this.unread;
  }

  /** Opens the panel (loading it first if needed); the focus goes into it. */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    this.bubble.setAttribute('aria-expanded', 'true');
    this.label();
    const panel = await this.ensurePanel();
    if (!this.opened) return;
    panel.hidden = false;
    panel.active = true;
    this.emit('im-open', {});
    await panel.updateComplete;
    panel.focus();
  }

  /** Closes the panel; the focus goes back to the bubble if it was inside. */
  close(): void {
    if (!this.opened) return;
    this.opened = false;
    this.bubble.setAttribute('aria-expanded', 'false');
    this.label();
    if (this.panel) {
      const hadFocus = this.shadowRoot!.activeElement === this.panel;
      this.panel.hidden = true;
      this.panel.active = false;
      if (hadFocus) this.bubble.focus();
    }
    this.emit('im-close', {});
  }

  toggle(): Promise<void> {
    if (this.opened) {
      this.close();
      return Promise.resolve();
    }
    return this.open();
  }

  /**
   * Switches to a verified identity (a token minted by the site's app server for `userId`) and
   * reconnects; the anonymous identity stays in this browser for `reset()` to forget.
   */
  async identify(identity: { userId: string; token: string }): Promise<void> {
    this.setAttribute('user', identity.userId);
    this.setAttribute('token', identity.token);
    const panel = await this.ensurePanel();
    await panel.updateComplete;
  }

  /**
   * Forgets the anonymous visitor in this browser (its id, token, and the conversation cached
   * here) and signs out; the next open starts as a new visitor. A verified identity is dropped too.
   */
  async reset(): Promise<void> {
    this.removeAttribute('user');
    this.removeAttribute('token');
    const panel = await this.ensurePanel();
    await panel.reset();
  }

  private ensurePanel(): Promise<ImSupportPanel> {
    if (this.panel) return Promise.resolve(this.panel);
    return loadPanel().then(({ ImSupportPanel: Panel }) => {
      if (this.panel) return this.panel;
      const panel = new Panel();
      for (const name of FORWARDED) {
        const value = this.getAttribute(name);
        if (value !== null) panel.setAttribute(name, value);
      }
      panel.setAttribute('part', 'panel');
      panel.setAttribute('exportparts', 'header');
      panel.id = 'panel';
      panel.hidden = !this.opened;
      panel.active = this.opened;
      panel.onCloseRequest = () => this.close();
      this.bubble.setAttribute('aria-controls', 'panel');
      this.shadowRoot!.insertBefore(panel, this.bubble);
      this.panel = panel;
      return panel;
    });
  }

  private showUnread(count: number): void {
    if (count === this.unread) return;
    this.unread = count;
    this.badge.hidden = count === 0;
    this.badge.textContent = count > 99 ? '99+' : String(count);
    this.label();
  }

  /** The bubble's accessible name: what it does, and how many answers wait. */
  private label(): void {
    const words = /^zh/i.test(this.closest('[lang]')?.getAttribute('lang') ?? globalThis.navigator?.language ?? '') ? WORDS.zh : WORDS.en;
    const what = this.opened ? words.close : words.open;
    this.bubble.setAttribute('aria-label', this.unread ? `${what} (${words.unread(this.unread)})` : what);
    this.badge.setAttribute('aria-label', words.unread(this.unread));
    this.bubble.innerHTML = this.opened ? CLOSE_ICON : CHAT_ICON;
  }

  private emit<K extends 'im-open' | 'im-close'>(name: K, detail: ImEventDetails[K]): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'im-support': ImSupport;
  }
}
