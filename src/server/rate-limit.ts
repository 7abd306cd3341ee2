/** A per-key limit that may be kept elsewhere (a cluster's is kept in Redis, so it is async). */
export interface SendLimiter {
  take(key: string): boolean | Promise<boolean>;
  sweep(): void;
}

/**
 * Per-key token bucket: `ratePerSecond` sends a second on average, bursts up to the same number.
 * A rate of 0 turns limiting off.
 */
export class RateLimiter implements SendLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(private readonly ratePerSecond: number, private readonly now: () => number = Date.now) {}

  /** Takes one token for `key`; false when the key is over its rate. */
  take(key: string): boolean {
    if (this.ratePerSecond <= 0) return true;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.ratePerSecond, updated: now };
    bucket.tokens = Math.min(this.ratePerSecond, bucket.tokens + ((now - bucket.updated) / 1000) * this.ratePerSecond);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Drops buckets that have refilled, so idle users cost no memory. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updated) / 1000) * this.ratePerSecond >= this.ratePerSecond) this.buckets.delete(key);
    }
  }
}

/**
 * Per-key count in a fixed window: at most `max` takes per `windowMs`, the window starting at a
 * key's first take. For limits stated per minute or hour, where a per-second bucket would not do.
 */
export class WindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly max: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  take(key: string): boolean {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) this.windows.set(key, (window = { start: now, count: 0 }));
    if (window.count >= this.max) return false;
    window.count++;
    return true;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}
