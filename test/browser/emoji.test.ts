// The emoji module's HTML in Chromium: every string of the Big List of Naughty Strings, alone and
// with emoji and symbols around it, through emojiToHTML and symbolToHTML, parsed by DOMParser:
// no element but the emoji spans, no on* attribute, the text shown is the input's.
import { expect } from '@open-wc/testing';
import { createEmoji, type Emoji } from '../../src/emoji/index.js';

const SPAN_ATTRIBUTES = ['aria-label', 'class', 'data-symbol', 'role'];

/** Parses `html` as a body's content and checks that only emoji spans came out of it; returns the body. */
function parseChecked(emoji: Emoji, html: string, what: string): HTMLElement {
  const doc = new DOMParser().parseFromString(`<!doctype html><html><head></head><body>${html}</body></html>`, 'text/html');
  expect(doc.head.childNodes.length, `${what}: nothing in head`).to.equal(0);
  const symbols = new Map(emoji.list.map((e) => [e.symbol, e.emoji.replace(/\uFE0F/g, '')]));
  for (const element of doc.body.querySelectorAll('*')) {
    expect(element.tagName, what).to.equal('SPAN');
    expect(element.getAttributeNames().sort(), what).to.deep.equal(SPAN_ATTRIBUTES);
    expect(element.className, what).to.equal(emoji.className);
    expect(element.getAttribute('role'), what).to.equal('img');
    const symbol = element.getAttribute('data-symbol') ?? '';
    expect(symbols.get(symbol), `${what}: ${symbol}`).to.equal((element.textContent ?? '').replace(/\uFE0F/g, ''));
    expect(`[${element.getAttribute('aria-label')}]`, what).to.equal(symbol);
    expect(element.childNodes.length, what).to.equal(1);
    expect(element.firstChild?.nodeType, what).to.equal(Node.TEXT_NODE);
  }
  for (const element of doc.querySelectorAll('*')) {
    for (const name of element.getAttributeNames()) expect(name.startsWith('on'), `${what}: ${name}`).to.equal(false);
  }
  return doc.body;
}

/** What the text looks like once HTML has carried it: NUL cannot be represented (see html.ts). */
const shown = (text: string): string => text.replace(/\0/g, '\uFFFD');

describe('emoji HTML in Chromium', () => {
  let naughty: string[] = [];

  before(async () => {
    naughty = await (await fetch('/node_modules/big-list-of-naughty-strings/blns.json')).json();
  });

  it('loads the Big List of Naughty Strings', () => {
    expect(naughty.length).to.be.greaterThan(400);
    expect(naughty.some((s) => s.includes('<script>'))).to.equal(true);
  });

  for (const lang of ['zh', 'en'] as const) {
    it(`emojiToHTML and symbolToHTML keep every naughty string text, with only emoji spans (${lang})`, () => {
      const emoji = createEmoji({ lang });
      const [grinning, thumbs] = [emoji.list[0], emoji.list[56]];
      expect(grinning?.emoji).to.equal('😀');
      expect(thumbs?.emoji).to.equal('👍');
      let spans = 0;
      for (const s of naughty) {
        for (const text of [s, `😀${s}${grinning?.symbol}`, `[${s}]👍🏽${thumbs?.symbol}[${grinning?.symbol}]`, `${s}❄️${s}`]) {
          const fromEmoji = parseChecked(emoji, emoji.emojiToHTML(text), `emojiToHTML(${JSON.stringify(text)})`);
          expect(fromEmoji.textContent, JSON.stringify(text)).to.equal(shown(text));
          const fromSymbols = parseChecked(emoji, emoji.symbolToHTML(text), `symbolToHTML(${JSON.stringify(text)})`);
          expect(fromSymbols.textContent, JSON.stringify(text)).to.equal(shown(emoji.symbolToEmoji(text)));
          spans += fromEmoji.querySelectorAll('span').length + fromSymbols.querySelectorAll('span').length;
        }
      }
      expect(spans).to.be.greaterThan(naughty.length * 6);
    });
  }

  it('carries CR, controls, lone surrogates and line separators through HTML (NUL becomes U+FFFD)', () => {
    const emoji = createEmoji();
    const text = 'a\rb\r\nc\0d\uD83De\uDE00f\u2028g\u0085h\u000Ci\u001Bj😀\uFEFF[笑嘻嘻]\uFFFF';
    const fromEmoji = parseChecked(emoji, emoji.emojiToHTML(text), 'controls');
    expect(fromEmoji.textContent).to.equal(text.replace('\0', '\uFFFD'));
    expect(fromEmoji.querySelectorAll('span').length).to.equal(1);
    const fromSymbols = parseChecked(emoji, emoji.symbolToHTML(text), 'controls');
    expect(fromSymbols.textContent).to.equal(text.replace('\0', '\uFFFD').replace('[笑嘻嘻]', '😀'));
    expect(fromSymbols.querySelectorAll('span').length).to.equal(2);
  });

  it('shows the issue\'s example literally, with one emoji, and runs nothing when inserted', () => {
    const emoji = createEmoji();
    const body = parseChecked(emoji, emoji.symbolToHTML('<img src=x onerror=alert(1)>[笑嘻嘻]'), 'example');
    expect(body.textContent).to.equal('<img src=x onerror=alert(1)>😀');
    expect(body.querySelectorAll('span').length).to.equal(1);

    const calls: unknown[] = [];
    const alert = window.alert;
    window.alert = (message?: unknown) => { calls.push(message); };
    try {
      const host = document.createElement('div');
      host.innerHTML = emoji.symbolToHTML('<img src=x onerror=alert(1)><svg onload=alert(2)>[笑嘻嘻]');
      document.body.append(host);
      expect(host.querySelectorAll('img, svg').length).to.equal(0);
      host.remove();
    } finally {
      window.alert = alert;
    }
    expect(calls).to.deep.equal([]);
  });

  it('draws sprite emoji at the configured size and position, with the emoji kept for copying', () => {
    const sprite = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    const emoji = createEmoji({ url: sprite, size: 48 });
    const host = document.createElement('div');
    host.innerHTML = emoji.emojiToHTML('a😁b');
    document.body.append(host);
    try {
      const span = host.querySelector('span');
      expect(span).to.not.equal(null);
      const style = getComputedStyle(span as HTMLSpanElement);
      expect(style.width).to.equal('48px');
      expect(style.height).to.equal('48px');
      expect(style.backgroundImage).to.equal(`url("${sprite}")`);
      expect(style.backgroundPosition).to.equal('-50px 0px');
      expect(style.backgroundSize).to.equal('auto 48px');
      expect(host.textContent).to.equal('a😁b');
    } finally {
      host.remove();
    }
  });

  it('keeps a hostile sprite URL inside its CSS string', () => {
    const url = 'img/x.png");position:fixed;top:0;left:0;width:100%;height:100%;background:red;x:url("';
    const emoji = createEmoji({ url });
    const body = new DOMParser().parseFromString(emoji.emojiToHTML('😀'), 'text/html').body;
    const span = body.querySelector('span') as HTMLSpanElement;
    expect(span.style.position).to.equal('');
    expect(span.style.width).to.equal('24px');
    expect(span.style.backgroundImage).to.equal(`url("${url.replace(/"/g, '\\"')}")`);
    expect(() => createEmoji({ url: 'javascript:alert(1)' })).to.throw(TypeError, /url must be/);
  });
});
