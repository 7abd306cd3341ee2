import { safeUrl } from '../internal/safe-url.js';

/** A run of a message's text: plain text, or a web address the reader can follow. */
export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** Where an address may start: a scheme of the web, or `www.`. */
const START = /https?:\/\/|www\./iy;
/**
 * The characters an address runs over: anything up to white space, characters URLs never hold
 * unescaped, quotation marks and ellipses, emoji, and CJK text and punctuation. Chinese is
 * written without spaces ("看这个https://x.test/a很好" links the address only); a CJK path
 * copied from a browser's address bar arrives percent-encoded anyway.
 */
const BODY = /[^\s<>"`{}|\\^\u00AB\u00BB\u2018-\u201F\u2026\u2E80-\u9FFF\uA960-\uA97F\uAC00-\uD7FF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF\p{Extended_Pictographic}]*/uy;
/** Punctuation that ends the sentence rather than the address when it comes last. */
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', '\'']);
/**
 * A letter of an alphabet, a digit or one of these just before `https://` or `www.` makes it part
 * of a word (`bob@www.x.test`); CJK text does not (it has no spaces between words).
 */
const WORD_BEFORE = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}0-9_@.\-/]/u;

/**
 * The address starting at `start`: the run of address characters, less what ends the sentence.
 * A closing bracket is the sentence's too, unless the address opened it (Wikipedia's `Foo_(bar)`).
 */
function addressAt(text: string, start: number): string {
  BODY.lastIndex = start;
  const run = BODY.exec(text)?.[0] ?? '';
  // Brackets the run closes without opening them.
  let parentheses = 0;
  let squares = 0;
  for (const character of run) {
    if (character === ')') parentheses++;
    else if (character === '(') parentheses--;
    else if (character === ']') squares++;
    else if (character === '[') squares--;
  }
  let end = run.length;
  while (end > 0) {
    const last = run[end - 1]!;
    if (last === ')' && parentheses > 0) parentheses--;
    else if (last === ']' && squares > 0) squares--;
    else if (!TRAILING.has(last)) break;
    end--;
  }
  return run.slice(0, end);
}

/**
 * Splits a message's text into text and links: `http://…`, `https://…` and `www.…` addresses
 * (`www.` gets `https://`). Punctuation that closes the sentence (`.,;:!?'`, brackets the address
 * did not open, and every full-width mark such as 。，！？）) stays outside the link. An address
 * becomes a link only when its href passes `safeUrl` (absolute http(s)); every segment is text,
 * for the caller to render as text nodes. Linear in the length of the text.
 */
export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let plainFrom = 0;
  let at = 0;
  while (at < text.length) {
    START.lastIndex = at;
    const scheme = START.exec(text)?.[0];
    if (scheme === undefined || (at > 0 && WORD_BEFORE.test(text[at - 1]!))) {
      at++;
      continue;
    }
    const address = addressAt(text, at);
    // Something must follow the scheme: a bare "https://" or "www." is no address.
    const href = address.length > scheme.length
      ? safeUrl(scheme.toLowerCase() === 'www.' ? `https://${address}` : address)
      : undefined;
    if (href === undefined) {
      // Not an address: skip it whole, so that no part of it is tried again (and the scan stays linear).
      at += Math.max(address.length, scheme.length);
      continue;
    }
    if (at > plainFrom) segments.push({ kind: 'text', text: text.slice(plainFrom, at) });
    segments.push({ kind: 'link', text: address, href });
    at += address.length;
    plainFrom = at;
  }
  if (plainFrom < text.length) segments.push({ kind: 'text', text: text.slice(plainFrom) });
  return segments;
}
