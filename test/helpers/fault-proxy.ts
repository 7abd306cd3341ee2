import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './random.js';

/**
 * How often each kind of fault strikes. Every connection draws one plan from the seeded PRNG
 * when it opens, and a fresh plan each time a stall ends: a fault (or none) at a random byte
 * offset counted over both directions, so cuts land mid-frame, mid-header, mid-body.
 */
export interface FaultRates {
  /** Chance of destroying both sides at the chosen byte (an abrupt FIN, mid-frame). */
  cut: number;
  /** Chance of an RST on both sides at the chosen byte. */
  reset: number;
  /** Chance of holding both directions for `stallMs`, then delivering what was held. */
  stall: number;
  /** Chance of silently discarding everything from the chosen byte on, until a peer gives up. */
  blackhole: number;
  /** Range of the byte offset (from the plan's start) at which the fault strikes. */
  bytes: [number, number];
  /** Range of a stall's length, ms. */
  stallMs: [number, number];
}

export const NO_FAULTS: FaultRates = { cut: 0, reset: 0, stall: 0, blackhole: 0, bytes: [0, 0], stallMs: [0, 0] };

export interface FaultStats {
  connections: number;
  /** Connections refused because the upstream was down (a restarting server). */
  refused: number;
  cuts: number;
  resets: number;
  stalls: number;
  blackholes: number;
  /** Connections ended by cutAll(). */
  cutAll: number;
  bytes: number;
}

type FaultKind = 'cut' | 'reset' | 'stall' | 'blackhole';
interface Plan {
  kind: FaultKind;
  /** Fires when the connection's byte count reaches this. */
  at: number;
  stallMs: number;
}

class ProxiedConnection {
  private upstream: Socket | undefined;
  private upstreamReady = false;
  private bytes = 0;
  private plan: Plan | undefined;
  private stalled = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private blackholed = false;
  private ended = false;
  /** Held while stalled, paused or connecting: [direction, bytes], in arrival order. */
  private held: Array<[toUpstream: boolean, chunk: Buffer]> = [];
  /** What the server sent while holdDownstream() held it. */
  private heldDownstream: Buffer[] = [];
  /** A side that ended while its data was held: its end is passed on once the data is. */
  private pendingEnd = { client: false, upstream: false };

  constructor(private readonly client: Socket, private readonly proxy: FaultProxy) {
    client.setNoDelay(true);
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    client.on('data', (chunk) => this.onData(true, chunk));
    client.on('end', () => this.onEnd(true));
    this.plan = proxy.drawPlan(0);
    const upstream = connect({ host: '127.0.0.1', port: proxy.upstreamPort, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('connect', () => {
      this.upstreamReady = true;
      this.release();
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!this.upstreamReady && error.code === 'ECONNREFUSED') this.proxy.stats.refused++;
      this.destroy();
    });
    upstream.on('close', () => this.destroy());
    upstream.on('data', (chunk) => this.onData(false, chunk));
    upstream.on('end', () => this.onEnd(false));
  }

  private get holding(): boolean {
    return !this.upstreamReady || this.proxy.paused || this.stalled || this.held.length > 0;
  }

  private onData(toUpstream: boolean, chunk: Buffer): void {
    if (this.ended || this.blackholed) return;
    if (!toUpstream && this.proxy.holdingDownstream) {
      this.heldDownstream.push(chunk);
      this.proxy.noteHeldDownstream(this.heldFromServer());
      return;
    }
    if (this.holding) {
      this.held.push([toUpstream, chunk]);
      return;
    }
    this.forward(toUpstream, chunk);
  }

  /** Forwards a chunk, striking the planned fault at its exact byte. */
  private forward(toUpstream: boolean, chunk: Buffer): void {
    const plan = this.plan;
    if (plan && this.bytes + chunk.length >= plan.at) {
      const head = chunk.subarray(0, plan.at - this.bytes);
      const tail = chunk.subarray(head.length);
      this.write(toUpstream, head);
      this.strike(plan, toUpstream, tail);
      return;
    }
    this.write(toUpstream, chunk);
  }

  private write(toUpstream: boolean, chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.bytes += chunk.length;
    this.proxy.stats.bytes += chunk.length;
    (toUpstream ? this.upstream : this.client)?.write(chunk);
  }

  private strike(plan: Plan, toUpstream: boolean, rest: Buffer): void {
    this.plan = undefined;
    switch (plan.kind) {
      case 'cut':
        this.proxy.stats.cuts++;
        this.destroy();
        return;
      case 'reset':
        this.proxy.stats.resets++;
        this.destroy(true);
        return;
      case 'blackhole':
        this.proxy.stats.blackholes++;
        this.blackholed = true;
        this.held = [];
        return;
      case 'stall':
        this.proxy.stats.stalls++;
        this.stalled = true;
        this.held.unshift([toUpstream, rest]);
        this.stallTimer = setTimeout(() => {
          this.stalled = false;
          this.plan = this.proxy.drawPlan(this.bytes);
          this.release();
        }, plan.stallMs);
    }
  }

  /** Delivers what was held, in arrival order, unless a new stall or fault strikes on the way. */
  release(): void {
    while (!this.ended && !this.blackholed) {
      if (!this.upstreamReady || this.proxy.paused || this.stalled) return;
      const next = this.held.shift();
      if (!next) break;
      this.forward(next[0], next[1]);
    }
    if (!this.ended && !this.blackholed && !this.holding) {
      if (this.pendingEnd.client) this.upstream?.end();
      if (this.pendingEnd.upstream) this.client.end();
    }
  }

  heldFromServer(): Buffer {
    return Buffer.concat(this.heldDownstream);
  }

  /** Hands the client what the server sent meanwhile, in one write. */
  releaseDownstream(): void {
    const held = this.heldFromServer();
    this.heldDownstream = [];
    if (!this.ended && held.length) this.forward(false, held);
  }

  private onEnd(fromClient: boolean): void {
    if (this.ended) return;
    if (this.blackholed) {
      // Nothing more gets through a black hole, the FIN included; only a close ends it.
      return;
    }
    if (this.holding) {
      this.pendingEnd[fromClient ? 'client' : 'upstream'] = true;
      return;
    }
    (fromClient ? this.upstream : this.client)?.end();
  }

  destroy(reset = false): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.stallTimer);
    this.held = [];
    for (const socket of [this.client, this.upstream]) {
      if (!socket || socket.destroyed) continue;
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
    this.proxy.forget(this);
  }
}

/**
 * A TCP proxy on 127.0.0.1 (port 0) in front of a server's port, injecting faults chosen by a
 * seeded PRNG. It works below HTTP, so WebSocket and long-polling traffic meet the same faults.
 * Faults are drawn from `faults` when a connection opens: change them, then `cutAll()` to put
 * long-lived connections under the new regime.
 */
export class FaultProxy {
  readonly stats: FaultStats = { connections: 0, refused: 0, cuts: 0, resets: 0, stalls: 0, blackholes: 0, cutAll: 0, bytes: 0 };
  faults: FaultRates;
  upstreamPort: number;
  private readonly random: () => number;
  private readonly server: Server;
  private readonly connections = new Set<ProxiedConnection>();
  private pausedValue = false;
  private holdingDownstreamValue = false;
  private heldWatchers: Array<{ test: (held: Buffer) => boolean; resolve: () => void }> = [];

  private constructor(readonly seed: number, upstreamPort: number, faults: FaultRates) {
    this.random = seededRandom(seed);
    this.upstreamPort = upstreamPort;
    this.faults = faults;
    // Half-open on both sides: a FIN is passed on like any other byte, in order.
    this.server = createServer({ allowHalfOpen: true }, (socket) => {
      this.stats.connections++;
      this.connections.add(new ProxiedConnection(socket, this));
    });
  }

  static async start(options: { upstreamPort: number; seed: number; faults?: FaultRates }): Promise<FaultProxy> {
    const proxy = new FaultProxy(options.seed, options.upstreamPort, options.faults ?? NO_FAULTS);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  /**
   * The next fault for a connection that has moved `bytes` so far, or none. Whether there is one
   * is drawn by the rates; its kind too, except that a kind with a rate that has not struck yet
   * comes first: every kind strikes in a run with a few faults, however short the run.
   */
  drawPlan(bytes: number): Plan | undefined {
    const f = this.faults;
    const roll = this.random();
    const at = bytes + between(this.random(), f.bytes);
    const stallMs = between(this.random(), f.stallMs);
    const kinds = ['cut', 'reset', 'stall', 'blackhole'] as const;
    if (roll >= kinds.reduce((sum, kind) => sum + f[kind], 0)) return undefined;
    const struck = { cut: this.stats.cuts, reset: this.stats.resets, stall: this.stats.stalls, blackhole: this.stats.blackholes };
    const missing = kinds.find((kind) => f[kind] > 0 && struck[kind] === 0);
    if (missing) return { kind: missing, at: Math.max(at, bytes + 1), stallMs };
    let edge = 0;
    for (const kind of kinds) {
      edge += f[kind];
      if (roll < edge) return { kind, at: Math.max(at, bytes + 1), stallMs };
    }
    return undefined;
  }

  /** Ends every open connection at once, as a network switch-over would. */
  cutAll(): void {
    for (const connection of [...this.connections]) {
      this.stats.cutAll++;
      connection.destroy();
    }
  }

  /** Holds all traffic (both directions, every connection) until resume(). */
  pause(): void {
    this.pausedValue = true;
  }

  resume(): void {
    this.pausedValue = false;
    for (const connection of [...this.connections]) connection.release();
  }

  /**
   * Holds what servers send (every connection) until releaseDownstream(), which hands each client
   * its held bytes in one write: the client then reads several frames at once, as after a hiccup
   * of the network. What clients send still goes through.
   */
  holdDownstream(): void {
    this.holdingDownstreamValue = true;
  }

  releaseDownstream(): void {
    this.holdingDownstreamValue = false;
    for (const connection of [...this.connections]) connection.releaseDownstream();
  }

  get holdingDownstream(): boolean {
    return this.holdingDownstreamValue;
  }

  /**
   * Resolves once the bytes held from the server for one connection contain `text` (UTF-8) `times`
   * times, or once `test` says so of them: at once when they already do.
   */
  untilHeldDownstream(text: string | ((held: Buffer) => boolean), times = 1): Promise<void> {
    const test = typeof text === 'function' ? text : (held: Buffer) => countOf(held, Buffer.from(text)) >= times;
    if ([...this.connections].some((connection) => test(connection.heldFromServer()))) return Promise.resolve();
    return new Promise((resolve) => this.heldWatchers.push({ test, resolve }));
  }

  /** Resolves once the bytes held from the server name `text` once more than they do now (one connection held). */
  untilHeldDownstreamAgain(text: string): Promise<void> {
    return this.untilHeldDownstream(text, countOf(this.heldDownstream(), Buffer.from(text)) + 1);
  }

  /** What is held from the server now (every connection's bytes, one after the other). */
  heldDownstream(): Buffer {
    return Buffer.concat([...this.connections].map((connection) => connection.heldFromServer()));
  }

  noteHeldDownstream(held: Buffer): void {
    const met = this.heldWatchers.filter((watcher) => watcher.test(held));
    this.heldWatchers = this.heldWatchers.filter((watcher) => !met.includes(watcher));
    for (const watcher of met) watcher.resolve();
  }

  get openConnections(): number {
    return this.connections.size;
  }

  forget(connection: ProxiedConnection): void {
    this.connections.delete(connection);
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function between(unit: number, [min, max]: [number, number]): number {
  return Math.floor(min + unit * (max - min + 1));
}

function countOf(held: Buffer, text: Buffer): number {
  let found = 0;
  for (let at = held.indexOf(text); at >= 0; at = held.indexOf(text, at + text.length)) found++;
  return found;
}
