import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { ChatSession } from '../../core/client/chat-session.js';
import type { ChatState } from '../../core/store/chat-state.js';
import { sessionContext } from './context.js';

/**
 * Gives an element one slice of the store: finds the session through context (or takes the
 * one set on the element), subscribes while connected, and requests an update only when the
 * selected value changes by `Object.is`.
 */
export class StoreController<T> implements ReactiveController {
  value: T | undefined;
  private session: ChatSession | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly consumer: ContextConsumer<typeof sessionContext, ReactiveControllerHost & HTMLElement>;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { session?: ChatSession },
    private readonly selector: (state: ChatState) => T,
  ) {
    host.addController(this);
    this.consumer = new ContextConsumer(host, {
      context: sessionContext,
      subscribe: true,
      callback: () => this.attach(),
    });
  }

  /** The session in use: the element's own `session` property first, then the context's. */
  get current(): ChatSession | undefined {
    return this.host.session ?? this.consumer.value;
  }

  hostConnected(): void {
    this.attach();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.session = undefined;
  }

  /** Re-attaches when the session changed (context arrived, or the property was set). */
  attach(): void {
    const session = this.current;
    if (session === this.session && this.unsubscribe) return;
    this.unsubscribe?.();
    this.session = session;
    this.unsubscribe = undefined;
    if (!session) {
      this.value = undefined;
      return;
    }
    this.value = this.selector(session.store.getState());
    this.unsubscribe = session.store.subscribe(() => {
      const next = this.selector(session.store.getState());
      if (!Object.is(next, this.value)) {
        this.value = next;
        this.host.requestUpdate();
      }
    });
    this.host.requestUpdate();
  }
}
