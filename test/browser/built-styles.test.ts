import { expect } from '@open-wc/testing';
import '../../src/components/index.js';

/**
 * The builds minify the CSS of the elements' css`…` literals (rollup.config.mjs, minifyCss): the
 * stylesheets of dist/im-widget.iife.js, as the browser reads them, are those of the sources.
 */
const TAGS = ['im-chat', 'im-chat-panel', 'im-conversation-list', 'im-message-list', 'im-composer', 'im-emoji-picker'];

type StyledClass = { elementStyles: Array<{ styleSheet?: CSSStyleSheet; cssText: string }> };

function rulesOf(registry: CustomElementRegistry, tag: string): string[] {
  const element = registry.get(tag) as unknown as StyledClass | undefined;
  expect(element, `${tag} defined`).to.not.equal(undefined);
  return element!.elementStyles.flatMap((style) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(style.cssText);
    // Custom properties keep their text as written: whitespace there (after a comma in a
    // var() fallback, a line break in a list) is not meaningful, and is compared without it.
    return [...sheet.cssRules].map((rule) => rule.cssText.replace(/\s*([,(])\s*/g, '$1').replace(/\s+/g, ' '));
  });
}

describe('the built elements\' styles', () => {
  it('are the sources\' styles rule for rule, after minifying', async () => {
    const frame = document.createElement('iframe');
    frame.srcdoc = '<!doctype html><html><head><script src="/dist/im-widget.iife.js"></script></head><body></body></html>';
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    const built = frame.contentWindow!.customElements;
    for (const tag of TAGS) {
      const source = rulesOf(customElements, tag);
      expect(source.length, `${tag} has styles`).to.be.above(0);
      expect(rulesOf(built, tag), tag).to.deep.equal(source);
    }
    const raw = (built.get('im-chat-panel') as unknown as StyledClass).elementStyles.map((style) => style.cssText).join('');
    expect(raw, 'minified').to.include('.typing{font-style:italic;}');
    frame.remove();
  });
});
