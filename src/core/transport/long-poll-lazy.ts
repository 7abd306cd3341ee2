import type { LongPollTransportOptions, Transport, TransportHandlers } from './transport.js';

/**
 * HTTP long-polling (./long-poll-transport.ts) is a fallback, needed only where WebSocket cannot
 * connect: it is loaded when the client first opens it, not with the client (a chunk of the ES
 * module builds, a sibling module of the script tag: rollup.config.mjs). A failed load (offline)
 * is tried again on the next connect.
 */
type LongPoll = typeof import('./long-poll-transport.js');

let loading: Promise<LongPoll> | undefined;

export function loadLongPoll(): Promise<LongPoll> {
  loading ??= import('./long-poll-transport.js').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * A LongPollTransport made once its module is loaded; until then sends are dropped (as before
 * the transport opens) and `close()` ends it at once (`onClose` once, `opened: false`). A failed
 * load closes it the same way, with the reason: the client goes on as for an unreachable endpoint.
 */
export class LazyLongPollTransport implements Transport {
  readonly name = 'polling';
  private inner: Transport | undefined;
  private done = false;

  /** `load` is for tests (a module that fails to load, or a stand-in). */
  constructor(url: string, private readonly handlers: TransportHandlers, options: LongPollTransportOptions = {}, load: () => Promise<Pick<LongPoll, 'LongPollTransport'>> = loadLongPoll) {
    load().then(
      ({ LongPollTransport }) => {
        if (!this.done) this.inner = new LongPollTransport(url, handlers, options);
      },
      (error: unknown) => this.end(`could not load the long-polling module: ${(error as Error)?.message ?? error}`),
    );
  }

  send(bytes: Uint8Array): void {
    this.inner?.send(bytes);
  }

  close(): void {
    if (this.inner) this.inner.close();
    else this.end('closed by client');
  }

  private end(reason: string): void {
    if (this.done || this.inner) return;
    this.done = true;
    this.handlers.onClose({ opened: false, reason });
  }
}
