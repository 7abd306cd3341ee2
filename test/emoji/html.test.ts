// HTML output is safe by construction: every character outside an emoji span is escaped,
// attribute values are escaped, and the sprite URL passes an allow-list. (The browser test
// parses the output with DOMParser; this one checks the strings.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSpriteUrl, createEmoji, escapeHtml, symbolToHTML } from '../../src/emoji/index.js';

const zh = createEmoji();
const span = (symbol: string, emoji: string): string =>
  `<span class="im-emoji" data-symbol="[${symbol}]" role="img" aria-label="${symbol}">${emoji}</span>`;

/** What a browser would show: the text with the spans' tags removed and entities decoded. */
function shown(html: string): string {
  const withoutSpans = html.replace(/<span class="im-emoji" data-symbol="\[[^"<>]*\]" role="img" aria-label="[^"<>]*">([^<>]*)<\/span>/g, '$1');
  assert.doesNotMatch(withoutSpans, /[<>"']/, 'no markup outside the spans');
  assert.doesNotMatch(withoutSpans.replace(/&(amp|lt|gt|quot|#39|#13);/g, ''), /&/, 'every & starts an entity');
  return withoutSpans.replace(/&(amp|lt|gt|quot|#39|#13);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#13': '\r' })[name] ?? '');
}

describe('HTML output', () => {
  it('shows the issue\'s example literally, with one emoji', () => {
    const html = symbolToHTML('<img src=x onerror=alert(1)>[笑嘻嘻]');
    assert.equal(html, `&lt;img src=x onerror=alert(1)&gt;${span('笑嘻嘻', '😀')}`);
    assert.equal(shown(html), '<img src=x onerror=alert(1)>😀');
  });

  it('escapes & < > " \' everywhere outside spans, CR as &#13;, and NUL (which HTML cannot hold) as U+FFFD', () => {
    assert.equal(zh.emojiToHTML(`a&b<c>d"e'f\rg\0h`), 'a&amp;b&lt;c&gt;d&quot;e&#39;f&#13;g\uFFFDh');
    assert.equal(zh.symbolToHTML(`<[笑嘻嘻]>&[<b>]`), `&lt;${span('笑嘻嘻', '😀')}&gt;&amp;[&lt;b&gt;]`);
    assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
  });

  it('wraps each emoji and each symbol in one span, keeping the text around them', () => {
    const text = '<p>早上好 😀[露齿而笑] 👍🏽 [不存在] & [[赞]]</p>';
    const html = zh.symbolToHTML(text);
    assert.equal(html.match(/<span /g)?.length, 3);
    assert.equal(shown(html), '<p>早上好 😀😁 👍🏽 [不存在] & [👍]</p>');
    assert.equal(shown(zh.emojiToHTML(text)), text);
    assert.equal(zh.emojiToHTML(text).match(/<span /g)?.length, 1);
  });

  it('keeps the emoji as written (the TSV form stays without U+FE0F) in emojiToHTML', () => {
    assert.equal(zh.emojiToHTML('☝'), span('第一', '☝'));
    assert.equal(zh.symbolToHTML('[第一]'), span('第一', '☝️'));
  });

  it('returns text without anything to escape or convert as it is', () => {
    assert.equal(zh.emojiToHTML('测试 Emoji'), '测试 Emoji');
    assert.equal(zh.symbolToHTML(''), '');
  });

  it('escapes the class name and keeps extension names free of markup', () => {
    const emoji = createEmoji({ className: 'x" onmouseover="alert(1)' });
    assert.match(emoji.emojiToHTML('😀'), /^<span class="x&quot; onmouseover=&quot;alert\(1\)" data-symbol=/);
    assert.throws(() => createEmoji({ extension: { dataSource: { u1F914: { zh: '" onclick="x' } } } }), TypeError);
  });

  it('draws from the sprite with the entry\'s position and the configured size', () => {
    const emoji = createEmoji({ url: 'https://cdn.example/emoji.png', size: 48 });
    const html = emoji.emojiToHTML('😁');
    assert.equal(html, '<span class="im-emoji" data-symbol="[露齿而笑]" role="img" aria-label="露齿而笑" style="'
      + 'display:inline-block;width:48px;height:48px;overflow:hidden;vertical-align:middle;text-indent:100%;white-space:nowrap;'
      + 'color:transparent;background-image:url(&quot;https://cdn.example/emoji.png&quot;);background-repeat:no-repeat;'
      + 'background-size:auto 48px;background-position:-50px 0px">😁</span>');
  });

  it('escapes the sprite URL for CSS, then for the attribute', () => {
    const emoji = createEmoji({ url: 'img/a"b)c\\d\ne&f<g>.png' });
    const style = /style="([^"]*)"/.exec(emoji.emojiToHTML('😀'))?.[1] ?? '';
    assert.ok(style.includes('background-image:url(&quot;img/a\\22 b)c\\5c d\\a e&amp;f&lt;g&gt;.png&quot;)'), style);
  });
});

describe('sprite URL allow-list', () => {
  const allowed = ['https://cdn.example/e.png', 'HTTP://cdn.example/e.png', '//f2e.cn.ronghub.com/sdk/emoji-48.png',
    '/img/e.png', 'img/e.png', './a:b.png', '?x=1', 'data:image/png;base64,iVBORw0KGgo=', 'DATA:image/svg+xml,<svg/>'];
  const refused = ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)',
    'java\nscript:alert(1)', '\u0001javascript:alert(1)', 'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>',
    'data:,x', 'file:///etc/passwd', 'blob:https://x/1', '', '  '];

  for (const url of allowed) {
    it(`allows ${JSON.stringify(url)}`, () => assert.equal(checkSpriteUrl(url), url));
  }
  for (const url of refused) {
    it(`refuses ${JSON.stringify(url)}`, () => {
      assert.throws(() => checkSpriteUrl(url), TypeError);
      assert.throws(() => createEmoji({ url }), /emoji: url must be/);
    });
  }
});
