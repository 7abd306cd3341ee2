import { expect } from '@open-wc/testing';
import { SoundLeader, TitleBadge } from '../../src/components/agent-console/attention.js';

describe('agent console: title badge', () => {
  const original = document.title;
  afterEach(() => { document.title = original; });

  it('prefixes the unread count, gives the title back at 0, and keeps a title the page set meanwhile', () => {
    document.title = 'Support desk';
    const badge = new TitleBadge(document);
    badge.set(3);
    expect(document.title).to.equal('(3) Support desk');
    badge.set(120);
    expect(document.title).to.equal('(99+) Support desk');
    badge.set(0);
    expect(document.title).to.equal('Support desk');
    badge.set(1);
    document.title = 'Orders — Support desk'; // the page's own change
    badge.set(2);
    expect(document.title).to.equal('(2) Orders — Support desk');
    badge.restore();
    expect(document.title).to.equal('Orders — Support desk');
  });
});

describe('agent console: one sound per browser', () => {
  it('lets one console of a user lead, and the next take over when it stops', async () => {
    const name = `test-${Date.now()}`;
    const first = new SoundLeader(name);
    await first.leads;
    const second = new SoundLeader(name);
    expect(first.claim('m1')).to.equal(true);
    expect(second.claim('m1')).to.equal(false, 'the other console stays silent');
    first.stop();
    await second.leads;
    expect(second.claim('m2')).to.equal(true);
    expect(first.claim('m2')).to.equal(false);
    second.stop();
  });

  it('keeps users apart: each user\'s consoles have a leader of their own', async () => {
    const ann = new SoundLeader(`ann-${Date.now()}`);
    const bob = new SoundLeader(`bob-${Date.now()}`);
    await Promise.all([ann.leads, bob.leads]);
    expect([ann.claim('x'), bob.claim('x')]).to.deep.equal([true, true]);
    ann.stop();
    bob.stop();
  });
});
