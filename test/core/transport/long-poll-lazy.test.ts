import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LazyLongPollTransport, loadLongPoll } from '../../../src/core/transport/long-poll-lazy.js';
import type { Transport, TransportHandlers } from '../../../src/core/transport/transport.js';

type CloseInfo = { opened: boolean; reason: string };

/** Handlers that record what the transport tells, and a promise of its first close. */
function recorder() {
  const closes: CloseInfo[] = [];
  let closed!: (info: CloseInfo) => void;
  const firstClose = new Promise<CloseInfo>((resolve) => (closed = resolve));
  const handlers: TransportHandlers = {
    onOpen: () => undefined,
    onFrame: () => undefined,
    onClose: (info) => {
      closes.push(info);
      closed(info);
    },
  };
  return { handlers, closes, firstClose };
}

/** A stand-in LongPollTransport module: records what is made and sent. */
function standIn() {
  const made: Array<{ url: string; sent: Uint8Array[]; closed: number; handlers: TransportHandlers }> = [];
  class LongPollTransport implements Transport {
    readonly name = 'polling';
    private readonly record: (typeof made)[number];
    constructor(url: string, handlers: TransportHandlers) {
      this.record = { url, sent: [], closed: 0, handlers };
      made.push(this.record);
    }
    send(bytes: Uint8Array): void { this.record.sent.push(bytes); }
    close(): void {
      this.record.closed++;
      this.record.handlers.onClose({ opened: true, reason: 'closed by client' });
    }
  }
  let loaded!: () => void;
  const ready = new Promise<void>((resolve) => (loaded = resolve));
  const load = async () => {
    loaded();
    return { LongPollTransport } as unknown as typeof import('../../../src/core/transport/long-poll-transport.js');
  };
  return { made, load, ready };
}

describe('LazyLongPollTransport (long-polling loaded on first use)', () => {
  it('loads the real module on first use', async () => {
    const module = await loadLongPoll();
    assert.equal(typeof module.LongPollTransport, 'function');
    assert.equal(await loadLongPoll(), module, 'loaded once');
  });

  it('makes the transport once the module is there, and forwards sends and close to it', async () => {
    const { made, load, ready } = standIn();
    const { handlers, closes } = recorder();
    const transport = new LazyLongPollTransport('http://h/im/poll', handlers, {}, load);
    assert.equal(transport.name, 'polling');
    transport.send(new Uint8Array([1])); // before the module: dropped, as before a transport opens
    await ready;
    await Promise.resolve();
    assert.equal(made.length, 1);
    assert.equal(made[0]!.url, 'http://h/im/poll');
    transport.send(new Uint8Array([2]));
    assert.deepEqual(made[0]!.sent, [new Uint8Array([2])]);
    transport.close();
    assert.equal(made[0]!.closed, 1);
    assert.equal(closes.length, 1, 'onClose once, from the real transport');
  });

  it('closed before its module loads: onClose once at once, and no transport is made', async () => {
    const { made, load, ready } = standIn();
    const { handlers, closes } = recorder();
    const transport = new LazyLongPollTransport('http://h/im/poll', handlers, {}, load);
    transport.close();
    assert.deepEqual(closes, [{ opened: false, reason: 'closed by client' }]);
    await ready;
    await Promise.resolve();
    assert.equal(made.length, 0, 'nothing made after close');
    transport.close();
    assert.equal(closes.length, 1);
  });

  it('a module that fails to load closes the transport with the reason (the client goes on as for an unreachable endpoint)', async () => {
    const { handlers, closes, firstClose } = recorder();
    const transport = new LazyLongPollTransport('http://h/im/poll', handlers, {}, () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')));
    const info = await firstClose;
    assert.equal(info.opened, false);
    assert.match(info.reason, /could not load the long-polling module: Failed to fetch dynamically imported module/);
    transport.close();
    assert.equal(closes.length, 1, 'onClose once');
  });
});
