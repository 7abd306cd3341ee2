import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { langOf, stringsFor, type Lang, type Strings } from './strings.js';

export type Theme = 'light' | 'dark' | 'auto';

/** Base of every im-* element: theme, language, typed bubbling composed events. */
export class ImElement extends LitElement {
  /** `light`, `dark`, or `auto` (follow the system). */
  @property({ reflect: true }) theme: Theme = 'auto';

  /** `en` or `zh-CN` (`zh…`); empty: an ancestor's, the page's or the browser's. Re-renders on change. */
  @property({ reflect: true }) override lang!: string;

  /** The language in effect: this element's `lang`, an ancestor's, the page's or the browser's. */
  protected get language(): Lang {
    return langOf(this);
  }

  protected get strings(): Strings {
    return stringsFor(this.language);
  }

  /**
   * Dispatches `im-<name>` with `detail`; bubbles and crosses shadow roots. Returns false when a
   * listener called preventDefault() on a cancelable event (a vetoed request).
   */
  protected emit<K extends keyof ImEventDetails>(name: K, detail: ImEventDetails[K], options: { cancelable?: boolean } = {}): boolean {
    return this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }));
  }
}

/** `detail` of every im-* event, by event name. */
export interface ImEventDetails {
  /** A conversation was chosen in a list. */
  'im-conversation-select': { conversationType: number; targetId: string };
  /** A private conversation (type 1) is to be started with a user id; cancelable: preventDefault() opens nothing. */
  'im-conversation-start': { conversationType: number; targetId: string };
  /** The user asked to send; cancelable: preventDefault() keeps the message unsent. */
  'im-request-send': { conversationType: number; targetId: string; text: string };
  /** A message was handed to the client (it shows as sending). */
  'im-message-send': { conversationType: number; targetId: string; id: string };
  /** An emoji was picked. */
  'im-emoji-select': { emoji: string; symbol: string };
  /** The picker wants to close (Escape, or a pick). */
  'im-emoji-close': Record<string, never>;
  /** The reader asked for older messages. */
  'im-load-older': { conversationType: number; targetId: string };
  /** A failed message should be sent again / dropped. */
  'im-message-retry': { conversationType: number; targetId: string; id: string };
  'im-message-discard': { conversationType: number; targetId: string; id: string };
  /** The connection status changed (a ConnectionStatus value). */
  'im-status-change': { status: number };
  /** The offline cache lives in memory only, and why (IndexedDB missing, blocked or full). */
  'im-storage-fallback': { reason: string };
  /** An action was chosen in a message's menu; cancelable. */
  'im-message-action': { conversationType: number; targetId: string; id: string; action: 'copy' | 'reply' | 'recall' | 'delete' };
  /** Asks to go back to the list (narrow layout). */
  'im-back': Record<string, never>;
  /** `<im-support>`: its panel opened / closed. */
  'im-open': Record<string, never>;
  'im-close': Record<string, never>;
  /** `<im-support>`: the count of unread messages from customer service changed. */
  'im-unread-change': { count: number };
  /** `<im-support>`: the visitor's identity in effect (a minted anonymous one, or one given to `identify()`). */
  'im-identity': { userId: string; anonymous: boolean };
  /** Agent console: a session was chosen (its conversation opens); cancelable. */
  'im-session-select': { sessionId: number; conversationType: number; targetId: string };
  /** Agent console: the agent took a queued session (after the server agreed). */
  'im-session-take': { sessionId: number; targetId: string };
  /** Agent console: the agent resolved a session (after the server agreed). */
  'im-session-resolve': { sessionId: number; targetId: string };
  /** Agent console: the agent transferred a session to another agent or group's queue (after the server agreed). */
  'im-session-transfer': { sessionId: number; targetId: string; toAgentId?: string; toGroupId?: string };
  /** Agent console: the agent closed a visitor's ticket (after the server agreed). */
  'im-ticket-close': { ticketId: number; groupId: string };
}

declare global {
  interface HTMLElementEventMap {
    'im-conversation-select': CustomEvent<ImEventDetails['im-conversation-select']>;
    'im-conversation-start': CustomEvent<ImEventDetails['im-conversation-start']>;
    'im-request-send': CustomEvent<ImEventDetails['im-request-send']>;
    'im-message-send': CustomEvent<ImEventDetails['im-message-send']>;
    'im-emoji-select': CustomEvent<ImEventDetails['im-emoji-select']>;
    'im-emoji-close': CustomEvent<ImEventDetails['im-emoji-close']>;
    'im-load-older': CustomEvent<ImEventDetails['im-load-older']>;
    'im-message-retry': CustomEvent<ImEventDetails['im-message-retry']>;
    'im-message-discard': CustomEvent<ImEventDetails['im-message-discard']>;
    'im-status-change': CustomEvent<ImEventDetails['im-status-change']>;
    'im-back': CustomEvent<ImEventDetails['im-back']>;
    'im-storage-fallback': CustomEvent<ImEventDetails['im-storage-fallback']>;
    'im-message-action': CustomEvent<ImEventDetails['im-message-action']>;
    'im-open': CustomEvent<ImEventDetails['im-open']>;
    'im-close': CustomEvent<ImEventDetails['im-close']>;
    'im-unread-change': CustomEvent<ImEventDetails['im-unread-change']>;
    'im-identity': CustomEvent<ImEventDetails['im-identity']>;
    'im-session-select': CustomEvent<ImEventDetails['im-session-select']>;
    'im-session-take': CustomEvent<ImEventDetails['im-session-take']>;
    'im-session-resolve': CustomEvent<ImEventDetails['im-session-resolve']>;
    'im-session-transfer': CustomEvent<ImEventDetails['im-session-transfer']>;
    'im-ticket-close': CustomEvent<ImEventDetails['im-ticket-close']>;
  }
}
