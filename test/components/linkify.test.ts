// linkify: which parts of a message's text become links, with which href, and what stays text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkify, type TextSegment } from '../../src/components/message-list/linkify.js';

const text = (value: string): TextSegment => ({ kind: 'text', text: value });
const link = (value: string, href = value): TextSegment => ({ kind: 'link', text: value, href });

describe('linkify', () => {
  const cases: Array<[string, string, TextSegment[]]> = [
    ['no address', 'just words, and a.b.c', [text('just words, and a.b.c')]],
    ['empty', '', []],
    ['an address alone', 'https://example.com/a?b=1&c=2#d', [link('https://example.com/a?b=1&c=2#d')]],
    ['http too', 'see http://example.com', [text('see '), link('http://example.com', 'http://example.com/')]],
    ['www. gets https://', 'www.example.com/x', [link('www.example.com/x', 'https://www.example.com/x')]],
    ['scheme and host in capitals', 'HTTPS://EXAMPLE.COM/Path', [link('HTTPS://EXAMPLE.COM/Path', 'https://example.com/Path')]],
    ['a full stop ends the sentence', 'Go to https://x.test/a.', [text('Go to '), link('https://x.test/a'), text('.')]],
    ['every sentence mark', 'https://x.test/a,;:!?\'. next', [link('https://x.test/a'), text(',;:!?\'. next')]],
    ['a dot inside stays', 'https://x.test/a.html', [link('https://x.test/a.html')]],
    ['brackets around', '(https://x.test/a)', [text('('), link('https://x.test/a'), text(')')]],
    ['brackets of the address', 'https://en.wikipedia.org/wiki/Foo_(bar)', [link('https://en.wikipedia.org/wiki/Foo_(bar)')]],
    ['both', '(see https://en.wikipedia.org/wiki/Foo_(bar)).', [
      text('(see '), link('https://en.wikipedia.org/wiki/Foo_(bar)'), text(').'),
    ]],
    ['square brackets', '[https://x.test/a]', [text('['), link('https://x.test/a'), text(']')]],
    ['quotes around', '"https://x.test/a" and “https://x.test/b”', [
      text('"'), link('https://x.test/a'), text('" and “'), link('https://x.test/b'), text('”'),
    ]],
    ['full-width punctuation', '看这个https://x.test/a。好吗？https://x.test/b！（https://x.test/c）', [
      text('看这个'), link('https://x.test/a'), text('。好吗？'), link('https://x.test/b'), text('！（'), link('https://x.test/c'), text('）'),
    ]],
    ['CJK text right after', '链接https://x.test/a很好，', [text('链接'), link('https://x.test/a'), text('很好，')]],
    ['an emoji right after', 'https://x.test/a😀', [link('https://x.test/a'), text('😀')]],
    ['an ellipsis right after', 'https://x.test/a…', [link('https://x.test/a'), text('…')]],
    ['two in a row', 'https://a.test https://b.test', [link('https://a.test', 'https://a.test/'), text(' '), link('https://b.test', 'https://b.test/')]],
    ['line breaks', 'one\nhttps://x.test/a\ntwo', [text('one\n'), link('https://x.test/a'), text('\ntwo')]],
    ['an @ in the path', 'https://x.test/@bob', [link('https://x.test/@bob')]],
    ['part of a word', 'xhttps://x.test and bob@www.x.test and a.www.x.test', [text('xhttps://x.test and bob@www.x.test and a.www.x.test')]],
    ['a bare scheme', 'https:// and www. and http://', [text('https:// and www. and http://')]],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(linkify(input), expected));
  }

  it('keeps every character, in order', () => {
    const input = 'a https://x.test/(b)). www.y.test, “https://z.test/q”。end';
    assert.equal(linkify(input).map((segment) => segment.text).join(''), input);
  });

  it('never makes a link of anything but absolute http(s)', () => {
    const hostile = [
      'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)',
      'file:///etc/passwd', '/relative/path', '//x.test/protocol-relative', 'www.javascript:alert(1)', 'http://[::1', 'https://x:99999/',
    ];
    for (const input of hostile) assert.deepEqual(linkify(input), [text(input)], input);
    // What follows an address in the text never joins its href.
    const segments = linkify('https://x.test/"><img src=x onerror=alert(1)>');
    assert.deepEqual(segments, [link('https://x.test/'), text('"><img src=x onerror=alert(1)>')]);
    const injected = linkify('https://x.test/<script>alert(1)</script>');
    assert.deepEqual(injected, [link('https://x.test/'), text('<script>alert(1)</script>')]);
    for (const segment of [...segments, ...injected]) {
      if (segment.kind === 'link') assert.match(segment.href, /^https?:\/\/[^\s"<>]+$/);
    }
  });

  it('stays linear on long hostile runs', () => {
    const dots = `https://x.test/${'.'.repeat(200_000)}`;
    assert.deepEqual(linkify(dots), [link('https://x.test/'), text('.'.repeat(200_000))]);
    const brackets = `https://x.test/${')'.repeat(200_000)}`;
    assert.deepEqual(linkify(brackets), [link('https://x.test/'), text(')'.repeat(200_000))]);
    const broken = 'http://['.repeat(50_000);
    assert.deepEqual(linkify(broken), [text(broken)]);
    const many = 'www.a.test '.repeat(20_000);
    assert.equal(linkify(many).filter((segment) => segment.kind === 'link').length, 20_000);
  });
});
