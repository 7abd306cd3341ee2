/**
 * Extended grapheme-cluster boundaries (Unicode UAX #29) at the two ends of a candidate emoji,
 * so that a sequence is never split: `👍🏽` is not `👍` + `🏽`, the `❄️` inside `🐻‍❄️` is not
 * `❄️`, the second flag of `🇦🇨🇳` is not `🇨🇳`.
 *
 * Why not `Intl.Segmenter`: in V8 one `containing()` call costs 1–4 µs and walking every segment
 * of a 10 KB text ~40 ms, far over the budget of a conversion. Only two questions are asked
 * here, and only where a table emoji starts: is this a boundary (from the left context), and is
 * the end of the emoji one (from the next code point). The rules that can apply there are
 * GB9/9a/9b (Extend, ZWJ, SpacingMark, Prepend), GB11 (emoji ZWJ sequences) and GB12/13
 * (regional-indicator pairs); a table key always starts with an emoji code point and never ends
 * with ZWJ (emoji.ts checks extension keys), so the Hangul, CR LF and Indic-conjunct rules
 * never decide. SpacingMark is taken as General_Category Mc (plus U+0E33, U+0EB3), which differs
 * from UAX #29 for a handful of Mc characters. test/emoji/unicode.test.ts compares the result
 * with `Intl.Segmenter`.
 *
 * The regular expressions are sticky and compiled once: they test one code point at an index.
 */

/** GCB Extend (Grapheme_Extend or Emoji_Modifier), ZWJ or SpacingMark: no break before it (GB9, GB9a). */
const JOINS_PREVIOUS = /[\p{Grapheme_Extend}\p{Emoji_Modifier}\p{Mc}\u200D\u0E33\u0EB3]/uy;
/** GCB Extend alone (the `Extend*` of GB11). */
const EXTEND = /[\p{Grapheme_Extend}\p{Emoji_Modifier}]/uy;
const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/uy;
/** GCB Prepend (Unicode 17): no break after it (GB9b). */
const PREPEND = /[\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u0D4E\u{110BD}\u{110CD}\u{111C2}\u{111C3}\u{113D1}\u{1193F}\u{11941}\u{11A3A}\u{11A84}-\u{11A89}\u{11D46}\u{11F02}]/uy;

const ZWJ = 0x200d;

function test(re: RegExp, text: string, index: number): boolean {
  re.lastIndex = index;
  return re.test(text);
}

const isRegionalIndicator = (cp: number): boolean => cp >= 0x1f1e6 && cp <= 0x1f1ff;

/** Index of the code point that ends just before `index` (`index - 1` or `index - 2`). */
function previousIndex(text: string, index: number): number {
  const c = text.charCodeAt(index - 1);
  if (c >= 0xdc00 && c <= 0xdfff && index >= 2) {
    const h = text.charCodeAt(index - 2);
    if (h >= 0xd800 && h <= 0xdbff) return index - 2;
  }
  return index - 1;
}

// The last answer of regionalIndicatorsBefore. A conversion asks left to right, so a walk back
// over a run of regional indicators stops where the previous one started: a long run costs
// linear time, not quadratic.
let lastText: string | undefined;
let lastIndex = -1;
let lastCount = 0;

/** How many regional indicators come right before `index`. */
function regionalIndicatorsBefore(text: string, index: number): number {
  let n = 0;
  for (let i = index; i > 0; ) {
    if (i === lastIndex && text === lastText) {
      n += lastCount;
      break;
    }
    const p = previousIndex(text, i);
    if (!isRegionalIndicator(text.codePointAt(p) ?? 0)) break;
    n++;
    i = p;
  }
  lastText = text;
  lastIndex = index;
  lastCount = n;
  return n;
}

/**
 * Whether a grapheme cluster starts at `index`, where a table emoji (whose first code point is
 * `cp`) begins.
 */
export function isClusterStart(text: string, index: number, cp: number): boolean {
  if (index === 0) return true;
  const prevAt = previousIndex(text, index);
  const prev = text.codePointAt(prevAt) ?? 0;
  if (prev < 0x300) return true; // nothing below U+0300 is Prepend, ZWJ or a regional indicator
  if (prev >= 0x600 && (prev <= 0xd4e || (prev >= 0x110bd && prev <= 0x11f02)) && test(PREPEND, text, prevAt)) return false;
  if (prev === ZWJ && test(EXTENDED_PICTOGRAPHIC, text, index)) {
    // GB11: ExtPict Extend* ZWJ × ExtPict
    let i = prevAt;
    while (i > 0) {
      const p = previousIndex(text, i);
      if (test(EXTEND, text, p)) { i = p; continue; }
      if (test(EXTENDED_PICTOGRAPHIC, text, p)) return false;
      break;
    }
  }
  if (isRegionalIndicator(cp)) return regionalIndicatorsBefore(text, index) % 2 === 0; // GB12, GB13
  return true;
}

/**
 * Whether a grapheme cluster ends at `end`, where a table emoji (whose last code point is
 * `lastCp`) ends.
 */
export function isClusterEnd(text: string, end: number, lastCp: number): boolean {
  if (end >= text.length) return true;
  const c = text.charCodeAt(end);
  if (c < 0x300) return true; // nothing below U+0300 extends a cluster
  if (test(JOINS_PREVIOUS, text, end)) return false;
  if (isRegionalIndicator(lastCp) && isRegionalIndicator(text.codePointAt(end) ?? 0)) {
    return regionalIndicatorsBefore(text, end) % 2 === 0;
  }
  return true;
}
