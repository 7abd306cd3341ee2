import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/support/index.js';
import type { ImSupport } from '../../src/components/support/support.js';
import { boxInViewport, expectSeen, isShown, untilShown } from './seen.js';

// The launcher alone (no `server`: nothing connects); the e2e suite covers it with a server.
describe('<im-support> launcher, as a visitor sees and operates it', () => {
  const partOf = (element: ImSupport, name: string) => element.shadowRoot!.querySelector<HTMLElement>(`[part="${name}"]`);

  it('sits in the chosen corner, reachable by Tab, opened by Enter and closed by Escape with the focus back on the bubble', async () => {
    const support = await fixture<ImSupport>(html`<im-support position="left" lang="en"></im-support>`);
    const bubble = partOf(support, 'bubble')!;
    expectSeen(bubble, 'the bubble');
    const box = boxInViewport(bubble, 'the bubble');
    expect(box.left, 'near the left edge').to.be.within(19, 21);
    expect(innerHeight - box.bottom, 'near the bottom edge').to.be.within(19, 21);
    expect(bubble.getAttribute('aria-label')).to.equal('Chat with us');
    expect(isShown(partOf(support, 'badge')), 'no badge without unread messages').to.equal(false);

    bubble.focus();
    const opened = new Promise((resolve) => support.addEventListener('im-open', resolve, { once: true }));
    await sendKeys({ press: 'Enter' });
    await opened;
    const panel = await untilShown(() => { const found = partOf(support, 'panel'); return isShown(found) && found; });
    expectSeen(panel, 'the panel');
    expect(panel.getBoundingClientRect().left, 'above the bubble, on its side').to.be.within(19, 21);
    expect(bubble.getAttribute('aria-expanded')).to.equal('true');
    expect(bubble.getAttribute('aria-label')).to.equal('Close chat');

    const closed = new Promise((resolve) => support.addEventListener('im-close', resolve, { once: true }));
    await sendKeys({ press: 'Escape' });
    await closed;
    expect(isShown(panel), 'the panel is hidden').to.equal(false);
    expect(support.shadowRoot!.activeElement, 'the focus back on the bubble').to.equal(bubble);
    expect(bubble.getAttribute('aria-expanded')).to.equal('false');
  });

  it('opened on a page that gives no server, says the chat is not set up instead of "Connecting…" forever', async () => {
    const support = await fixture<ImSupport>(html`<im-support lang="en"></im-support>`);
    await support.open();
    const panel = partOf(support, 'panel') as HTMLElement & { updateComplete: Promise<boolean> };
    await panel.updateComplete;
    const alert = await untilShown(() => { const found = panel.shadowRoot!.querySelector<HTMLElement>('[role="alert"]'); return isShown(found) && found; });
    expectSeen(alert, 'the message');
    expect(alert.textContent).to.equal('This chat is not set up: the page gives no server to connect to.');
    expect(panel.shadowRoot!.querySelector('[role="status"]'), 'no "Connecting…"').to.equal(null);
    support.close();
  });

  it('names the bubble in the page\'s language', async () => {
    const support = await fixture<ImSupport>(html`<im-support lang="zh-CN"></im-support>`);
    expect(partOf(support, 'bubble')!.getAttribute('aria-label')).to.equal('联系客服');
  });
});
