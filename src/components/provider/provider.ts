import { html } from 'lit';
import { property } from 'lit/decorators.js';
import { provide } from '@lit/context';
import { ImElement } from '../internal/im-element.js';
import { sessionContext } from '../internal/context.js';
import { IMClient } from '../../core/client/client.js';
import type { IMError } from '../../core/client/errors.js';
import { ErrorCode } from '../../core/protocol/codes.js';
import { ChatSession, type ChatSessionOptions } from '../../core/client/chat-session.js';
import { canShareConnection, TabSharedClient } from '../../core/client/tab-shared-client.js';
import { userIdOfToken } from '../../core/client/token.js';
import { httpBaseOf } from '../../core/client/upload.js';
import { setStorageFallback, type UserInfo } from '../../core/store/chat-state.js';
import { DegradingStore, MemoryStore, type KeyValueStore } from '../../core/storage/key-value-store.js';
import { deleteUserData, openUserStore } from '../../core/storage/indexeddb-store.js';

/**
 * Gives every im-* element inside it one chat session (client + store). Set `session`, or let
 * it make one from `server` and `token` (or `tokenProvider`). Use it to build a custom layout
 * from the individual elements; `im-chat` does the same for its own layout.
 *
 * @summary Provides the chat session to the elements inside it.
 *
 * The user's conversations, last messages, drafts and unsent messages are kept in IndexedDB (one
 * database per user and server) and shown at the next visit before the server answers; tabs of
 * the same user share one connection. Where IndexedDB is unavailable, the cache lives in memory
 * and `im-storage-fallback` says why.
 *
 * @event im-status-change - The connection status changed: `{status}` (a ConnectionStatus value).
 * @event im-storage-fallback - The cache lives in memory only: `{reason}` (IndexedDB missing, blocked or full).
 *
 * @slot - The elements that use the session.
 */
export class ImProvider extends ImElement {
  /** The session in use; set it to share one session between several providers. */
  @provide({ context: sessionContext })
  @property({ attribute: false })
  session?: ChatSession;

  /**
   * WebSocket URL of the server's `/im` endpoint, e.g. `wss://chat.example.com/im`; several,
   * separated by spaces, to connect to the fastest that answers and fall over to the others.
   */
  @property() server = '';
  /** The user's token (from your app server). */
  @property() token = '';
  /** Called for a token when `token` is empty, and again when the token expires. */
  @property({ attribute: false }) tokenProvider?: () => Promise<string>;
  /** Names and avatars of users by id; messages that carry a `user` need no lookup. */
  @property({ attribute: false }) userInfoProvider?: (userId: string) => Promise<UserInfo | undefined>;
  /**
   * The user the token is for; it keys the offline cache. Read from the token when it is the
   * reference server's; give it for tokens of another shape (without it, nothing is cached).
   */
  @property({ attribute: 'user-id' }) userId = '';
  /** `indexeddb` (default): the cache survives reloads; `memory`: nothing is kept on this device. */
  @property() cache: 'indexeddb' | 'memory' = 'indexeddb';
  /** `off`: this element connects on its own instead of sharing the connection of the user's other tabs. */
  @property({ attribute: 'share-tabs' }) shareTabs: 'on' | 'off' = 'on';
  /** Messages kept per conversation in the cache. */
  @property({ type: Number, attribute: 'cache-size' }) cacheSize = 50;

  private ownSession: ChatSession | undefined;
  private ownStorage: KeyValueStore | undefined;
  private unsubscribeStatus: (() => void) | undefined;
  /** Bumped when the element lets go of its session: a session still being made is then dropped. */
  private generation = 0;

  /**
   * A session is to be made at the next update: after connecting to the document, and after a
   * change of what it is made from. Not after `logout()`: the element stays signed out until
   * it gets a new server or token, or is connected again.
   */
  private sessionWanted = false;
  private making = false;

  override connectedCallback(): void {
    super.connectedCallback();
    // The session is made at the next update, not here: frameworks set properties (server,
    // token, user-id, …) right after inserting the element, and all of them should count.
    this.sessionWanted = true;
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.releaseOwnSession();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // What the session is made from: a change after it was made makes a new one.
    const madeFrom = ['server', 'token', 'userId', 'cache', 'shareTabs', 'cacheSize'] as const;
    if (madeFrom.some((name) => changed.has(name) && changed.get(name) !== undefined)) {
      if (this.ownSession || this.making) this.releaseOwnSession();
      this.sessionWanted = true;
    }
    // The client always asks the tokenProvider in effect: a new one needs no new session.
    if (changed.has('tokenProvider') && !this.session) this.sessionWanted = true;
    // Names and avatars: a provider set at any time applies to the users already shown.
    if (changed.has('userInfoProvider') && this.ownSession) this.ownSession.setUserInfoProvider(this.userInfoProvider);
    // One session in the making at a time; the one being made asks for an update when done.
    if (this.sessionWanted && !this.making) {
      this.sessionWanted = false;
      this.ensureSession();
    }
    if (changed.has('session')) this.watchStatus();
  }

  /** Makes a session from `server` and `token` when none was given. */
  private ensureSession(): void {
    if (this.session || this.making || !this.isConnected || !this.server || (!this.token && !this.tokenProvider)) return;
    this.making = true;
    const generation = this.generation;
    this.makeSession().then((session) => {
      this.making = false;
      if (generation !== this.generation || !this.isConnected || this.session) {
        // Let go of while being made: a newer one may be wanted (see willUpdate).
        void session.dispose().then(() => session.client.disconnect()).then(() => session.storage?.close());
        this.requestUpdate();
        return;
      }
      this.ownSession = session;
      this.ownStorage = session.storage;
      // The provider in effect now, which may have been set while the session was being made.
      session.setUserInfoProvider(this.userInfoProvider);
      this.session = session;
      session.start().catch((error: IMError) => {
        // A disconnect asked for (the element removed, a new token) is no failure; the others
        // also show in the widget (state.connectionError).
        if (error?.code !== ErrorCode.RC_NET_CHANNEL_INVALID) console.warn(`im-widget: could not connect: ${error?.message ?? error}`);
      });
    }, (error) => {
      this.making = false;
      console.warn(`im-widget: could not start: ${(error as Error)?.message ?? error}`);
    });
  }

  private async makeSession(): Promise<ChatSession> {
    const server = this.server;
    let token = this.token;
    const tokenProvider = this.tokenProvider;
    if (!token && tokenProvider) token = await tokenProvider();
    const userId = this.userId || userIdOfToken(token);
    const opened = userId && this.cache !== 'memory'
      ? await openUserStore(server, userId)
      : { store: new MemoryStore(), fallbackReason: userId ? undefined : 'the user is not known before connecting' };
    let session: ChatSession | undefined;
    const storage = new DegradingStore(opened.store, (reason) => {
      session?.store.update((state) => setStorageFallback(state, reason));
      this.emit('im-storage-fallback', { reason });
    });
    if (opened.fallbackReason && this.cache !== 'memory') this.emit('im-storage-fallback', { reason: opened.fallbackReason });
    const urls = server.trim().split(/\s+/);
    const createClient = () => new IMClient({
      url: urls.length > 1 ? urls : urls[0]!,
      ...(token ? { token } : {}),
      // Whatever tokenProvider the element has when a token is needed, set before or after.
      tokenProvider: () => (this.tokenProvider ? this.tokenProvider() : Promise.reject(new Error('no tokenProvider is set'))),
      platform: 'web',
      storage,
      // A page opened offline shows the cache and connects when the network comes back.
      reconnect: { firstConnect: true },
      // The list and history show the past: a first visit does not replay the user's whole inbox.
      syncFrom: 'now',
    });
    const client = userId && this.shareTabs !== 'off' && canShareConnection()
      ? new TabSharedClient({ createClient, name: `${server}|${userId}` })
      : createClient();
    const options: ChatSessionOptions = {
      storage, userId: userId || undefined, cache: { messagesPerConversation: this.cacheSize },
      fileOrigins: urls.map((url) => new URL(httpBaseOf(url)).origin),
      ...(opened.fallbackReason ? { storageFallback: opened.fallbackReason } : {}),
    };
    session = new ChatSession(client, options);
    return session;
  }

  private releaseOwnSession(): void {
    this.generation++;
    const own = this.ownSession;
    if (!own) return;
    const storage = this.ownStorage;
    this.ownSession = undefined;
    this.ownStorage = undefined;
    if (this.session === own) this.session = undefined;
    this.unsubscribeStatus?.();
    this.unsubscribeStatus = undefined;
    void own.dispose().then(() => own.client.disconnect()).then(() => storage?.close());
  }

  /**
   * Signs the user out on this browser: disconnects and deletes the user's cached conversations,
   * messages, drafts and unsent messages (the server keeps the messages).
   */
  async logout(): Promise<void> {
    const own = this.ownSession;
    const userId = this.userId || own?.state.userId;
    const server = this.server;
    const storage = this.ownStorage;
    this.ownSession = undefined;
    this.ownStorage = undefined;
    this.generation++;
    if (own) {
      if (this.session === own) this.session = undefined;
      await own.logout();
      await storage?.close();
    }
    if (userId) await deleteUserData(server, userId);
  }

  private watchStatus(): void {
    this.unsubscribeStatus?.();
    this.unsubscribeStatus = this.session?.client.on('status', (status) => this.emit('im-status-change', { status }));
  }

  override render() {
    return html`<slot></slot>`;
  }
}
