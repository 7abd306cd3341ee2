/** A small seeded PRNG (mulberry32): the same seed gives the same draws, so a failure reproduces. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = ReturnType<typeof seededRandom>;

/** An integer from 0 to `max`, both included. */
export const int = (r: Random, max: number) => Math.floor(r() * (max + 1));

export const pick = <T>(r: Random, items: readonly T[]) => items[int(r, items.length - 1)]!;
