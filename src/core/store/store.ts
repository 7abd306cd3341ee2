/** The smallest observable state container: immutable snapshots, synchronous notifications. */
export interface ReadableStore<S> {
  getState(): S;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export class Store<S> implements ReadableStore<S> {
  private state: S;
  private readonly listeners = new Set<() => void>();

  constructor(initial: S) {
    this.state = initial;
  }

  getState = (): S => this.state;

  // Arrow functions: React's useSyncExternalStore and friends call these detached.
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Replaces the state with `update(state)`; no notification when it returns the same object. */
  update(update: (state: S) => S): void {
    const next = update(this.state);
    if (Object.is(next, this.state)) return;
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * Subscribes to a derived value: `onChange` runs only when `selector(state)` changes by
 * `Object.is` (or the given equality).
 */
export function watch<S, T>(store: ReadableStore<S>, selector: (state: S) => T, onChange: (value: T) => void,
  equals: (a: T, b: T) => boolean = Object.is): () => void {
  let current = selector(store.getState());
  return store.subscribe(() => {
    const next = selector(store.getState());
    if (!equals(current, next)) {
      current = next;
      onChange(next);
    }
  });
}
