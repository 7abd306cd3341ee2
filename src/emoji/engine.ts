/**
 * The conversion engine: one left-to-right pass over the input that finds table emoji (a trie of
 * UTF-16 code units, longest match, accepted only on grapheme-cluster boundaries), `[symbol]`s
 * (the text between the last `[` and the next `]`, looked up in a Map) and, for HTML output,
 * the characters to escape. Text between conversions is copied in slices; an input with nothing
 * to convert is returned as it is. No regular expression is built per call.
 */
import { isClusterEnd, isClusterStart } from './grapheme.js';
import { HTML_ESCAPES } from './html.js';

/** What a match turns into, per output kind. */
export interface Target {
  /** `[name]` in the table's language. */
  readonly symbol: string;
  /** The emoji itself (fully qualified). */
  readonly emoji: string;
  /** The opening tag of the HTML span, up to and including `>`. */
  readonly spanOpen: string;
  /** The whole span, holding `emoji`. */
  readonly html: string;
}

interface TrieNode {
  target: Target | undefined;
  /** The span for the key that ends here, as written (built once, not per match). */
  html: string;
  next: Map<number, TrieNode> | undefined;
}

/** Bits of Table.flags: what a UTF-16 code unit may start. */
const EMOJI_START = 1;
const BRACKET = 2;
const ESCAPED = 4;

export interface Table {
  /** For every UTF-16 code unit, EMOJI_START | BRACKET | ESCAPED bits: what it may start. */
  readonly flags: Uint8Array;
  readonly root: Map<number, TrieNode>;
  /** Symbol name (without brackets) → target. */
  readonly names: Map<string, Target>;
  readonly maxNameLength: number;
}

export const SPAN_CLOSE = '</span>';

/** Builds the table from `[emoji string, target]` pairs (aliases included) and `[name, target]` pairs. */
export function buildTable(keys: Iterable<readonly [string, Target]>, names: Iterable<readonly [string, Target]>): Table {
  const flags = new Uint8Array(0x10000);
  flags[0x5b] = flags[0x5d] = BRACKET;
  HTML_ESCAPES.forEach((replacement, unit) => { if (replacement !== undefined) flags[unit] = ESCAPED; });
  const root = new Map<number, TrieNode>();
  for (const [key, target] of keys) {
    let level = root;
    let node: TrieNode | undefined;
    for (let i = 0; i < key.length; i++) {
      const unit = key.charCodeAt(i);
      if (i === 0) flags[unit] = (flags[unit] ?? 0) | EMOJI_START;
      node = level.get(unit);
      if (node === undefined) {
        node = { target: undefined, html: '', next: undefined };
        level.set(unit, node);
      }
      if (i < key.length - 1) level = node.next ??= new Map();
    }
    if (node !== undefined) {
      node.target = target;
      node.html = target.spanOpen + key + SPAN_CLOSE;
    }
  }
  const nameMap = new Map<string, Target>();
  let maxNameLength = 0;
  for (const [name, target] of names) {
    nameMap.set(name, target);
    maxNameLength = Math.max(maxNameLength, name.length);
  }
  return { flags, root, names: nameMap, maxNameLength };
}

// The result of the last successful matchEmoji (kept here rather than in an allocated object).
let matched: TrieNode | undefined;

/**
 * The end of the longest table emoji starting at `start` if it starts and ends on
 * grapheme-cluster boundaries, else -1. A key is one grapheme cluster, so none of its proper
 * prefixes can end on a boundary: only the longest match needs checking.
 */
function matchEmoji(text: string, start: number, table: Table): number {
  let level: Map<number, TrieNode> | undefined = table.root;
  let end = -1;
  let found: TrieNode | undefined;
  for (let i = start; level !== undefined && i < text.length; i++) {
    const node = level.get(text.charCodeAt(i));
    if (node === undefined) break;
    if (node.target !== undefined) {
      end = i + 1;
      found = node;
    }
    level = node.next;
  }
  if (found === undefined) return -1;
  if (!isClusterStart(text, start, text.codePointAt(start) ?? 0)) return -1;
  const last = text.charCodeAt(end - 1);
  const lastCp = last >= 0xdc00 && last <= 0xdfff ? text.codePointAt(end - 2) ?? last : last;
  if (!isClusterEnd(text, end, lastCp)) return -1;
  matched = found;
  return end;
}

/** Output kinds. */
export const TO_SYMBOL = 0;
export const TO_EMOJI = 1;
export const TO_HTML = 2;
export type Output = typeof TO_SYMBOL | typeof TO_EMOJI | typeof TO_HTML;

/**
 * Converts `text` in one pass.
 * @param emojiIn convert table emoji found in the text
 * @param symbolsIn convert `[name]` symbols of the table's language
 * @param output what a match becomes; with TO_HTML every other character is escaped
 */
export function convert(text: string, table: Table, emojiIn: boolean, symbolsIn: boolean, output: Output): string {
  if (!emojiIn && output !== TO_HTML) return convertSymbols(text, table, output);
  const html = output === TO_HTML;
  const { flags, names, maxNameLength } = table;
  const mask = (emojiIn ? EMOJI_START : 0) | (symbolsIn ? BRACKET : 0) | (html ? ESCAPED : 0);
  const n = text.length;
  let out = '';
  let flushed = 0; // text[flushed, i) is still to be copied to `out`
  let open = -1; // index of the last `[` that may start a symbol
  for (let i = 0; i < n; i++) {
    // the hot loop: skip what can start nothing
    let c = text.charCodeAt(i);
    let kind = (flags[c] ?? 0) & mask;
    while (kind === 0 && ++i < n) {
      c = text.charCodeAt(i);
      kind = (flags[c] ?? 0) & mask;
    }
    if (kind === 0) break;
    if (kind & EMOJI_START) {
      const end = matchEmoji(text, i, table);
      if (end > 0) {
        const node = matched as TrieNode;
        out += text.slice(flushed, i);
        out += output === TO_SYMBOL ? (node.target as Target).symbol : output === TO_HTML ? node.html : (node.target as Target).emoji;
        flushed = end;
        i = end - 1;
        open = -1;
      }
    } else if (kind & BRACKET) {
      if (c === 0x5b) {
        open = i;
      } else if (open >= 0) {
        const start = open;
        const length = i - start - 1;
        open = -1;
        // `start >= flushed`: names contain nothing that is escaped, so a name never straddles an escape
        const target = length > 0 && length <= maxNameLength && start >= flushed ? names.get(text.slice(start + 1, i)) : undefined;
        if (target !== undefined) {
          out += text.slice(flushed, start);
          out += output === TO_EMOJI ? target.emoji : output === TO_HTML ? target.html : target.symbol;
          flushed = i + 1;
        }
      }
    } else {
      out += text.slice(flushed, i) + (HTML_ESCAPES[c] as string);
      flushed = i + 1;
    }
  }
  return flushed === 0 ? text : out + text.slice(flushed);
}

/**
 * symbolToEmoji (or symbols to symbols): only brackets matter, so `indexOf` finds them. For each
 * `]`, the name starts after the last `[` before it; everything up to that `]` is then done with.
 */
function convertSymbols(text: string, table: Table, output: Output): string {
  const { names, maxNameLength } = table;
  let out = '';
  let flushed = 0;
  for (let pos = 0; ;) {
    const open = text.indexOf('[', pos);
    if (open < 0) break;
    const close = text.indexOf(']', open + 1);
    if (close < 0) break;
    const start = text.lastIndexOf('[', close);
    const length = close - start - 1;
    const target = length > 0 && length <= maxNameLength ? names.get(text.slice(start + 1, close)) : undefined;
    if (target !== undefined) {
      out += text.slice(flushed, start) + (output === TO_EMOJI ? target.emoji : target.symbol);
      flushed = close + 1;
    }
    pos = close + 1;
  }
  return flushed === 0 ? text : out + text.slice(flushed);
}
