/**
 * Per-key token bucket: `ratePerSecond` sends a second on average, bursts up to the same number.
 * A rate of 0 turns limiting off.
 */
export class RateLimiter {
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
