import type { TemplateResult } from 'lit';
import { AsyncDirective, directive, type PartInfo } from 'lit/async-directive.js';

/**
 * A part of the widget that is only needed on a user action (rendering media, sending files,
 * recording voice) and is loaded the first time it is wanted: a chunk of the ES module build,
 * a sibling module of the script-tag build (see rollup.config.mjs). `load()` may be called any
 * number of times (on intent, when idle, when needed): one fetch at a time, and after a failed
 * one (offline) the next call tries again. `module` is there, synchronously, once loaded.
 */
export class LazyChunk<M> {
  module: M | undefined;
  private pending: Promise<M> | undefined;
  /** An idle prefetch is scheduled (every element's first render asks: one is enough). */
  private idleScheduled = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly importer: () => Promise<M>) {}

  load(): Promise<M> {
    if (this.module) return Promise.resolve(this.module);
    this.pending ??= this.importer().then(
      (module) => {
        this.module = module;
        this.pending = undefined;
        for (const listener of [...this.listeners]) listener();
        return module;
      },
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      });
    return this.pending;
  }

  /** Starts loading, ignoring a failure (it shows, with a retry, where the chunk is needed). */
  prefetch(): void {
    if (!this.module) this.load().catch(() => undefined);
  }

  /** Starts loading when the browser is idle (after the first render, say). */
  prefetchWhenIdle(): void {
    if (this.module || this.idleScheduled || typeof window === 'undefined') return;
    this.idleScheduled = true;
    const prefetch = () => {
      this.idleScheduled = false;
      this.prefetch();
    };
    const idle = (window as { requestIdleCallback?: (callback: () => void, options?: { timeout: number }) => number }).requestIdleCallback;
    if (idle) idle(prefetch, { timeout: 4000 });
    else setTimeout(prefetch, 1000);
  }

  /** Calls `listener` once the chunk is loaded (by anyone); returns the unsubscribe function. */
  onLoad(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

type Draw<M> = (module: M) => unknown;
type Placeholder = (failed: boolean, retry: () => void) => TemplateResult;

/**
 * Renders with a lazy chunk: `draw(module)` once it is loaded (synchronously when it already
 * is, so a loaded chunk never flashes a placeholder), else `placeholder(false)` while it loads
 * and `placeholder(true, retry)` when it could not be loaded. The placeholder keeps the place
 * of what it stands for, so nothing moves when the real content comes.
 */
class LazyDirective extends AsyncDirective {
  private chunk: LazyChunk<unknown> | undefined;
  private draw: Draw<unknown> | undefined;
  private placeholder: Placeholder | undefined;
  private failed = false;
  private fetching = false;
  /** Stops listening for the chunk (loaded by this part, another one, or a prefetch). */
  private unsubscribe: (() => void) | undefined;

  constructor(part: PartInfo) {
    super(part);
  }

  render<M>(chunk: LazyChunk<M>, draw: Draw<M>, placeholder: Placeholder): unknown {
    if (chunk !== this.chunk) this.stopListening();
    this.chunk = chunk as LazyChunk<unknown>;
    this.draw = draw as Draw<unknown>;
    this.placeholder = placeholder;
    if (chunk.module) return draw(chunk.module);
    this.listen();
    if (!this.failed) this.fetch();
    return placeholder(this.failed, this.retry);
  }

  /** Whoever loads the chunk, this part shows its content then (a failed one too). */
  private listen(): void {
    if (this.unsubscribe || !this.isConnected) return;
    const chunk = this.chunk!;
    this.unsubscribe = chunk.onLoad(() => {
      this.stopListening();
      this.failed = false;
      if (this.isConnected && this.chunk === chunk && chunk.module) this.setValue(this.draw!(chunk.module));
    });
  }

  private stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private fetch(): void {
    if (this.fetching) return;
    this.fetching = true;
    const chunk = this.chunk!;
    chunk.load().catch(() => {
      this.fetching = false;
      this.failed = true;
      if (this.isConnected && this.chunk === chunk && !chunk.module) this.setValue(this.placeholder!(true, this.retry));
    });
  }

  private readonly retry = () => {
    this.failed = false;
    this.fetching = false;
    this.setValue(this.placeholder!(false, this.retry));
    this.fetch();
  };

  protected override disconnected(): void {
    this.stopListening();
  }

  protected override reconnected(): void {
    if (this.chunk?.module && this.draw) this.setValue(this.draw(this.chunk.module));
    else this.listen();
  }
}

/** `${lazy(chunk, (module) => …, (failed, retry) => …)}` in a template: see LazyDirective. */
export const lazy = directive(LazyDirective) as <M>(chunk: LazyChunk<M>, draw: Draw<M>, placeholder: Placeholder) => unknown;

