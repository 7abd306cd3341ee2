import { expect } from '@open-wc/testing';

const env: { ws: string } = await (await fetch('/__im-test-env.json')).json();
const token = async (userId: string): Promise<string> => (await (await fetch(`/__im-token?userId=${userId}`)).json()).token;

describe('dist/im-widget.iife.js on a plain page', () => {
  it('works from one script tag and one element, beside RequireJS- and CommonJS-style globals', async () => {
    const frame = document.createElement('iframe');
    frame.style.cssText = 'width: 800px; height: 500px';
    frame.srcdoc = `<!doctype html><html lang="en"><head>
      <script>
        window.defineCalls = 0;
        window.define = function () { window.defineCalls++; };
        window.define.amd = {};
        window.module = { exports: {} };
        window.exports = window.module.exports;
      </script>
      <script src="/dist/im-widget.iife.js"></script>
      </head><body>
      <im-chat server="${env.ws}" token="${await token('iife-user')}"></im-chat>
      </body></html>`;
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    const win = frame.contentWindow as Window & { IMWidget?: Record<string, unknown>; defineCalls: number; module: { exports: object } };
    expect(win.IMWidget, 'one global').to.be.an('object');
    expect(typeof win.IMWidget!.IMClient).to.equal('function');
    expect(win.defineCalls).to.equal(0);
    expect(Object.keys(win.module.exports)).to.deep.equal([]);
    expect(win.customElements.get('im-chat')).to.be.a('function');

    const chat = win.document.querySelector('im-chat') as HTMLElement & { session?: { state: { status: number }; store: { subscribe(f: () => void): () => void } } };
    await new Promise<void>((resolve) => {
      const check = () => {
        if (chat.session?.state.status === 0) resolve();
      };
      const wait = () => (chat.session ? chat.session.store.subscribe(check) : requestAnimationFrame(wait));
      wait();
      check();
    });
    expect(chat.session!.state.status).to.equal(0, 'connected');
    // 64-bit fields (seq, times, cursors) decode to numbers in the built bundle too.
    const TextMessage = win.IMWidget!.TextMessage as new (fields: { content: string }) => object;
    const client = (chat.session as unknown as { client: { sendMessage(c: object, m: object): Promise<{ seq: unknown; sentTime: unknown }> } }).client;
    const sent = await client.sendMessage({ conversationType: 1, targetId: 'iife-peer' }, new TextMessage({ content: 'from the script tag' }));
    expect(sent.seq).to.equal(1);
    expect(sent.sentTime).to.be.a('number');
    expect(Math.abs((sent.sentTime as number) - Date.now())).to.be.below(60_000);
    frame.remove();
  });
});
