export interface BackoffOptions {
  /** First delay, ms. */
  minDelay: number;
  /** Cap, ms. */
  maxDelay: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with equal jitter
 * (half fixed, half random) so that clients dropped together by a server restart spread out.
 */
export function backoffDelay(attempt: number, { minDelay, maxDelay }: BackoffOptions, random = Math.random): number {
  const ceiling = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
