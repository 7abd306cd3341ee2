import { html } from 'lit';
import { property } from 'lit/decorators.js';
import { provide } from '@lit/context';
import { ImElement } from '../internal/im-element.js';
import { sessionContext } from '../internal/context.js';
import { IMClient } from '../../core/client/client.js';
import { ChatSession, type ChatSessionOptions } from '../../core/client/chat-session.js';
import type { UserInfo } from '../../core/store/chat-state.js';

/**
 * Gives every im-* element inside it one chat session (client + store). Set `session`, or let
 * it make one from `server` and `token` (or `tokenProvider`). Use it to build a custom layout
 * from the individual elements; `im-chat` does the same for its own layout.
 *
 * @summary Provides the chat session to the elements inside it.
 *
 * @event im-status-change - The connection status changed: `{status}` (a ConnectionStatus value).
 *
 * @slot - The elements that use the session.
 */
export class ImProvider extends ImElement {
  /** The session in use; set it to share one session between several providers. */
  @provide({ context: sessionContext })
  @property({ attribute: false })
  session?: ChatSession;

  /** WebSocket URL of the server's `/im` endpoint, e.g. `wss://chat.example.com/im`. */
  @property() server = '';
  /** The user's token (from your app server). */
  @property() token = '';
  /** Called for a token when `token` is empty, and again when the token expires. */
  @property({ attribute: false }) tokenProvider?: () => Promise<string>;
  /** Names and avatars of users by id; messages that carry a `user` need no lookup. */
  @property({ attribute: false }) userInfoProvider?: (userId: string) => Promise<UserInfo | undefined>;

  private ownSession: ChatSession | undefined;
  private unsubscribeStatus: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.ensureSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.releaseOwnSession();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('server') || changed.has('token') || changed.has('tokenProvider')) {
      if (this.ownSession && (changed.get('server') !== undefined || changed.get('token') !== undefined)) this.releaseOwnSession();
      this.ensureSession();
    }
    if (changed.has('session')) this.watchStatus();
  }

  /** Makes a session from `server` and `token` when none was given. */
  private ensureSession(): void {
    if (this.session || !this.isConnected || !this.server || (!this.token && !this.tokenProvider)) return;
    const options: ChatSessionOptions = {};
    if (this.userInfoProvider) options.userInfoProvider = (userId) => this.userInfoProvider!(userId);
    const client = new IMClient({
      url: this.server,
      ...(this.token ? { token: this.token } : {}),
      ...(this.tokenProvider ? { tokenProvider: () => this.tokenProvider!() } : {}),
      platform: 'web',
    });
    this.ownSession = new ChatSession(client, options);
    this.session = this.ownSession;
    this.ownSession.start().catch((error) => console.warn(`im-widget: could not connect: ${(error as Error).message}`));
  }

  private releaseOwnSession(): void {
    const own = this.ownSession;
    if (!own) return;
    this.ownSession = undefined;
    if (this.session === own) this.session = undefined;
    this.unsubscribeStatus?.();
    this.unsubscribeStatus = undefined;
    own.dispose();
    void own.client.disconnect();
  }

  private watchStatus(): void {
    this.unsubscribeStatus?.();
    this.unsubscribeStatus = this.session?.client.on('status', (status) => this.emit('im-status-change', { status }));
  }

  override render() {
    return html`<slot></slot>`;
  }
}
