/**
 * The HTML and CSS escaping behind the emoji spans, and the sprite URL allow-list.
 * Everything here works on strings: no DOM.
 */

/**
 * Replacement for each ASCII code unit that may not appear literally in text or in a quoted
 * attribute value. U+0000 cannot be represented in HTML at all (the parser drops it, and `&#0;`
 * becomes U+FFFD), so it becomes U+FFFD; CR becomes `&#13;` because the parser would otherwise
 * turn it into LF.
 */
export const HTML_ESCAPES: readonly (string | undefined)[] = (() => {
  const table: (string | undefined)[] = new Array(0x3f).fill(undefined);
  table[0x00] = '\uFFFD';
  table[0x0d] = '&#13;';
  table[0x22] = '&quot;';
  table[0x26] = '&amp;';
  table[0x27] = '&#39;';
  table[0x3c] = '&lt;';
  table[0x3e] = '&gt;';
  return table;
})();

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  let out = '';
  let flushed = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const replacement = c < 0x3f ? HTML_ESCAPES[c] : undefined;
    if (replacement !== undefined) {
      out += text.slice(flushed, i) + replacement;
      flushed = i + 1;
    }
  }
  return flushed === 0 ? text : out + text.slice(flushed);
}

/** A CSS string literal (double-quoted) holding `value`: quotes, backslashes and controls escaped. */
export function cssString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 0x20 || c === 0x7f || c === 0x22 || c === 0x5c ? `\\${c.toString(16)} ` : ch;
  }
  return `${out}"`;
}

/** Schemes a sprite URL may use; a URL without a scheme (relative, `//host/…`) is allowed too. */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Checks a sprite image URL against the allow-list (http:, https:, data:image/…, or relative)
 * and returns it; throws a TypeError for anything else (`javascript:`, `data:text/html`, …).
 * Browsers ignore tabs and newlines inside a URL and leading spaces and controls, so the check
 * looks at the URL the way a browser would.
 */
export function checkSpriteUrl(url: unknown, what = 'url'): string {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new TypeError(`emoji: ${what} must be a non-empty string`);
  }
  const seen = url.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');
  const scheme = SCHEME.exec(seen)?.[1]?.toLowerCase();
  const ok = scheme === undefined || scheme === 'http' || scheme === 'https'
    || (scheme === 'data' && /^data:image\//i.test(seen));
  if (!ok) {
    const shown = url.length > 40 ? `${url.slice(0, 40)}…` : url;
    throw new TypeError(`emoji: ${what} must be an http(s), data:image/ or relative URL, not ${JSON.stringify(shown)}`);
  }
  return url;
}
