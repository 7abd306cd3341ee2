import { performance } from 'node:perf_hooks';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient, TransportKind } from '../../src/core/client/client.js';
import type { Conversation, IMMessage } from '../../src/core/client/types.js';
import { FaultProxy, NO_FAULTS, type FaultRates, type FaultStats } from './fault-proxy.js';
import { connectClient, createGroup, startTestServer, waitFor, type TestServer } from './server.js';
import { startCluster, terminateBackends } from './cluster.js';
import { readFileSync } from 'node:fs';

/**
 * One chaos run: a real server behind a fault-injecting proxy, many clients streaming messages
 * through it while the server is SIGKILLed and restarted, then an account of what arrived.
 * Shared by test/server/chaos.test.ts (asserts on it) and bench/chaos.mjs (prints it).
 */
export interface ChaosOptions {
  transport: TransportKind;
  /** Users in the ring; each talks privately to both neighbours and in one group of all. */
  users: number;
  /** Messages each device sends (user 0 has two devices, both sending). */
  messagesPerDevice: number;
  /** Sends each device keeps unresolved at once. */
  window: number;
  /** Acknowledged-message counts at which the server is SIGKILLed and restarted. */
  killAfterAcked: number[];
  faults: FaultRates;
  /** Optionally, an acknowledged-message count at which the whole network freezes for `ms`. */
  freeze?: { afterAcked: number; ms: number };
  seed: number;
  heartbeatSeconds: number;
  requestTimeoutMs: number;
  reconnect: { minDelay: number; maxDelay: number };
  /** From the first send until every send must have resolved, ms. */
  sendDeadlineMs: number;
  /** From the last resolved send until every delivery must have arrived, ms. */
  deliveryDeadlineMs: number;
  /**
   * Cluster mode: this many nodes on one PostgreSQL database and one Redis (test/helpers/cluster.ts),
   * devices spread over them (each knowing every node's URL, its own first), and these faults at
   * acknowledged counts instead of the single server's kills. No proxy: `faults` and `freeze`
   * must be off.
   */
  cluster?: { nodes: number; events: ClusterEvent[] };
  log?: (line: string) => void;
}

/** A fault of cluster mode, at an acknowledged count. */
export interface ClusterEvent {
  afterAcked: number;
  fault: { kind: 'kill-node'; node: number } | { kind: 'restart-redis' } | { kind: 'kill-pubsub' } | { kind: 'terminate-pg' };
}

export interface ChaosResult {
  transport: TransportKind;
  seed: number;
  devices: number;
  /** Sends issued (all of them, unless the send deadline stopped the senders). */
  sent: number;
  acked: number;
  /** Sends that rejected: each one is a finding, since the outbox should carry them through. */
  rejected: string[];
  /** Sends still unresolved at the send deadline. */
  unresolved: number;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  /** Receipts beyond the first of a payload or a messageUid on one device. */
  duplicated: number;
  /** Receipts of a payload the device was never meant to get (its own sends, say). */
  unexpected: number;
  /** Receipts whose seq did not exceed the previous one of that conversation on that device. */
  outOfOrder: number;
  /** Differences between each conversation's stored history and what was sent. */
  historyProblems: string[];
  /** Per device: what is missing, when something is. */
  lostReport: string;
  kills: number;
  /** Whole-network freezes (the proxy paused). */
  freezes: number;
  faults: FaultStats;
  /** Client `disconnect` → `reconnect`, ms, every occurrence on every device. */
  reconnectMs: number[];
  /** First send → last send resolved, ms. */
  sendMs: number;
  /** First send → last expected delivery, ms. */
  deliverMs: number;
  /** CPU seconds the server processes used from the first send to the last delivery (nodes alive throughout only). */
  serverCpuSeconds: number;
  /** Cluster mode: the faults that struck, in order. */
  clusterFaults: string[];
}

interface Device {
  name: string;
  userId: string;
  client: IMClient;
  /** Payloads this device must receive, each once. */
  expected: Set<string>;
  receivedPayloads: Map<string, number>;
  receivedUids: Set<string>;
  lastSeq: Map<string, number>;
  missing: number;
  barrier: boolean;
}

interface PlannedSend {
  conversation: Conversation;
  key: string;
  payload: string;
}

const GROUP_ID = 'chaos-group';
const BARRIER_PREFIX = 'barrier:';

/** One name for a conversation, whichever member looks at it. */
function canonicalKey(conversationType: number, targetId: string, viewerId: string): string {
  if (conversationType === ConversationType.GROUP) return `group:${targetId}`;
  return `private:${[viewerId, targetId].sort().join('+')}`;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  const { transport, users } = options;
  const userIds = Array.from({ length: users }, (_, i) => `${transport}-u${i}`);
  const cluster = options.cluster ? await startCluster(options.cluster.nodes, { heartbeat: options.heartbeatSeconds, rateLimit: 0 }) : undefined;
  let server = cluster ? cluster.nodes[0]! : await startTestServer({ heartbeat: options.heartbeatSeconds, rateLimit: 0 });
  const proxy = await FaultProxy.start({ upstreamPort: server.port, seed: options.seed });
  /** Servers to ask for tokens and read history from: a live node in cluster mode. */
  const live = (): TestServer => (cluster ? cluster.nodes.find((node) => node.process.exitCode === null && node.process.signalCode === null)! : server);
  const direct: IMClient[] = [];
  const devices: Device[] = [];
  try {
    await createGroup(server, GROUP_ID, userIds);
    const proxiedUrl = `ws://127.0.0.1:${proxy.port}/im`;
    const reconnectMs: number[] = [];
    const urlsFor = (index: number): string | string[] => {
      if (!cluster) return proxiedUrl;
      const nodes = cluster.nodes.map((node) => node.wsUrl);
      return [...nodes.slice(index % nodes.length), ...nodes.slice(0, index % nodes.length)];
    };
    const connectDevice = async (userId: string, name: string): Promise<Device> => {
      const client = await connectClient(live(), userId, {
        url: urlsFor(devices.length), transports: [transport], reconnect: options.reconnect, requestTimeout: options.requestTimeoutMs,
      });
      const device: Device = {
        name, userId, client, expected: new Set(), receivedPayloads: new Map(), receivedUids: new Set(), lastSeq: new Map(),
        missing: 0, barrier: false,
      };
      let lostAt: number | undefined;
      client.on('disconnect', () => { lostAt = performance.now(); });
      client.on('reconnect', () => {
        if (lostAt !== undefined) reconnectMs.push(performance.now() - lostAt);
        lostAt = undefined;
      });
      return device;
    };
    for (const [i, userId] of userIds.entries()) {
      devices.push(await connectDevice(userId, userId));
      // A second device of one user: it must get that user's sends from the first one, and the reverse.
      if (i === 0) devices.push(await connectDevice(userId, `${userId}#2`));
    }

    // The whole plan up front, so every device knows exactly what it must receive.
    const plans = new Map<Device, PlannedSend[]>();
    const sentPerConversation = new Map<string, string[]>();
    for (const device of devices) {
      const i = userIds.indexOf(device.userId);
      const neighbours = [userIds[(i + 1) % users]!, userIds[(i + users - 1) % users]!];
      const plan: PlannedSend[] = [];
      for (let n = 0; n < options.messagesPerDevice; n++) {
        const conversation: Conversation = n % 3 === 0
          ? { conversationType: ConversationType.GROUP, targetId: GROUP_ID }
          : { conversationType: ConversationType.PRIVATE, targetId: neighbours[n % 3 - 1]! };
        const key = canonicalKey(conversation.conversationType, conversation.targetId, device.userId);
        const payload = `${device.name}|${key}|${n}`;
        plan.push({ conversation, key, payload });
        if (!sentPerConversation.has(key)) sentPerConversation.set(key, []);
        sentPerConversation.get(key)!.push(payload);
        const members = conversation.conversationType === ConversationType.GROUP ? userIds : [device.userId, conversation.targetId];
        for (const receiver of devices) {
          if (receiver !== device && members.includes(receiver.userId)) receiver.expected.add(payload);
        }
      }
      plans.set(device, plan);
    }
    let outstanding = 0;
    for (const device of devices) {
      device.missing = device.expected.size;
      outstanding += device.missing;
    }
    const expectedDeliveries = outstanding;

    let duplicated = 0;
    let unexpected = 0;
    let outOfOrder = 0;
    let lastDelivery = 0;
    for (const device of devices) {
      device.client.on('message', (message: IMMessage) => {
        const payload = (message.content as TextMessage).content;
        if (payload.startsWith(BARRIER_PREFIX)) {
          device.barrier = true;
          return;
        }
        const key = canonicalKey(message.conversationType, message.targetId, device.userId);
        const last = device.lastSeq.get(key) ?? 0;
        if (message.seq <= last) outOfOrder++;
        else device.lastSeq.set(key, message.seq);
        if (device.receivedUids.has(message.messageUid)) duplicated++;
        device.receivedUids.add(message.messageUid);
        const seen = device.receivedPayloads.get(payload) ?? 0;
        device.receivedPayloads.set(payload, seen + 1);
        if (!device.expected.has(payload)) unexpected++;
        else if (seen > 0) duplicated++;
        else {
          device.missing--;
          outstanding--;
          lastDelivery = performance.now();
        }
      });
    }

    // Faults only now: connecting is not what is under test, and a client whose very first
    // connect fails gives up by design. cutAll() puts the open connections under the faults.
    proxy.faults = options.faults;
    const f = options.faults;
    if (f.cut + f.reset + f.stall + f.blackhole > 0) proxy.cutAll();

    const killAt = [...options.killAfterAcked].sort((a, b) => a - b);
    let kills = 0;
    let acked = 0;
    let restarting: Promise<void> | undefined;
    let freezes = 0;
    const maybeFreeze = () => {
      if (!options.freeze || freezes > 0 || acked < options.freeze.afterAcked) return;
      freezes++;
      log(`network frozen for ${options.freeze.ms} ms after ${acked} acknowledged`);
      proxy.pause();
      setTimeout(() => proxy.resume(), options.freeze.ms);
    };
    const clusterEvents = [...options.cluster?.events ?? []].sort((a, b) => a.afterAcked - b.afterAcked);
    const clusterFaults: string[] = [];
    const maybeClusterFault = () => {
      if (!cluster || restarting || clusterFaults.length >= clusterEvents.length || acked < clusterEvents[clusterFaults.length]!.afterAcked) return;
      const { fault } = clusterEvents[clusterFaults.length]!;
      const name = fault.kind === 'kill-node' ? `SIGKILL node ${fault.node}` : fault.kind;
      clusterFaults.push(name);
      log(`${name} after ${acked} acknowledged`);
      restarting = (async () => {
        if (fault.kind === 'kill-node') {
          await cluster.kill(fault.node);
          await cluster.restart(fault.node);
        } else if (fault.kind === 'restart-redis') await cluster.redis.restart();
        else if (fault.kind === 'kill-pubsub') await cluster.redis.killPubSubConnections();
        else await terminateBackends(cluster.database.name);
        restarting = undefined;
      })();
    };
    const maybeKill = () => {
      maybeClusterFault();
      if (cluster || restarting || kills >= killAt.length || acked < killAt[kills]!) return;
      kills++;
      log(`SIGKILL ${kills} after ${acked} acknowledged`);
      restarting = (async () => {
        await server.kill('SIGKILL');
        server = await server.restart();
        restarting = undefined;
      })();
    };
    const rejected: string[] = [];
    const servers = () => (cluster ? cluster.nodes : [server]);
    const cpuAtStart = new Map(servers().map((node) => [node.process.pid, processCpuSeconds(node.process.pid)] as const));
    const started = performance.now();
    let lastAck = started;
    let unresolved = 0;
    let sendsOver = false;
    let issued = 0;
    const sendAll = async (device: Device) => {
      const inFlight = new Set<Promise<void>>();
      for (const send of plans.get(device)!) {
        if (sendsOver) break;
        const promise = device.client.sendMessage(send.conversation, new TextMessage({ content: send.payload })).then(() => {
          acked++;
          lastAck = performance.now();
          maybeKill();
          maybeFreeze();
        }, (error: { code?: number; message?: string }) => {
          rejected.push(`${send.payload}: ${error.code} ${error.message}`);
        }).finally(() => inFlight.delete(promise));
        inFlight.add(promise);
        issued++;
        unresolved++;
        void promise.then(() => { unresolved--; });
        if (inFlight.size >= options.window) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    };
    let sendTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(devices.map(sendAll)),
      new Promise<void>((resolve) => { sendTimer = setTimeout(resolve, options.sendDeadlineMs); }),
    ]);
    clearTimeout(sendTimer);
    sendsOver = true;
    const sendMs = lastAck - started;
    if (unresolved > 0) log(`${unresolved} sends unresolved after ${options.sendDeadlineMs} ms`);
    await restarting;

    // Quiesce: no new faults, every client reconnects once more and syncs from its cursor (a
    // wrong cursor would show as duplicates), then a barrier message from a client that talks
    // to the server directly. Sync delivers in cursor order and holds pushes until it is done,
    // so a device that has its barrier has also received everything that can still come.
    proxy.faults = NO_FAULTS;
    proxy.resume();
    proxy.cutAll();
    const sentinel = await connectClient(live(), `${transport}-sentinel`, { transports: [transport] });
    direct.push(sentinel);
    await Promise.all(userIds.map((userId) => sentinel.sendMessage(
      { conversationType: ConversationType.PRIVATE, targetId: userId }, new TextMessage({ content: `${BARRIER_PREFIX}${userId}` }),
    )));
    const subscribeAll = (check: () => void) => {
      const offs = devices.map((d) => d.client.on('message', check));
      return () => offs.forEach((off) => off());
    };
    let lostReport = '';
    try {
      await waitFor(subscribeAll, () => outstanding === 0 && devices.every((d) => d.barrier), 'every delivery and barrier',
        options.deliveryDeadlineMs);
    } catch {
      lostReport = devices.filter((d) => d.missing > 0 || !d.barrier).map((d) => {
        const missing = [...d.expected].filter((p) => !d.receivedPayloads.has(p));
        return `${d.name} (status ${d.client.status}, barrier ${d.barrier}): ${missing.length} of ${d.expected.size} missing, `
          + `e.g. ${missing.slice(0, 5).join(', ')}`;
      }).join('\n');
    }
    const deliverMs = (lastDelivery || performance.now()) - started;
    let serverCpuSeconds = 0;
    for (const node of servers()) {
      const before = cpuAtStart.get(node.process.pid);
      const now = processCpuSeconds(node.process.pid);
      if (before !== undefined && now !== undefined) serverCpuSeconds += now - before;
    }

    // Stored: each conversation's history, read over a direct connection by one of its members.
    const historyProblems: string[] = [];
    for (const [key, payloads] of sentPerConversation) {
      const [kind, rest] = key.split(':') as [string, string];
      const [member, peer] = kind === 'group' ? [userIds[0]!, rest] : rest.split('+') as [string, string];
      const reader = await connectClient(live(), member, { transports: [transport] });
      direct.push(reader);
      const conversation: Conversation = kind === 'group'
        ? { conversationType: ConversationType.GROUP, targetId: peer }
        : { conversationType: ConversationType.PRIVATE, targetId: peer };
      const stored: IMMessage[] = [];
      for (let page = await reader.getHistoryMessages(conversation, { count: 200 }); ;) {
        stored.unshift(...page.messages);
        if (!page.hasMore || page.messages.length === 0) break;
        page = await reader.getHistoryMessages(conversation, { count: 200, before: stored[0]!.seq });
      }
      historyProblems.push(...compareHistory(key, stored, payloads));
      await reader.disconnect();
    }

    let delivered = 0;
    for (const device of devices) delivered += device.expected.size - device.missing;
    return {
      transport, seed: options.seed, devices: devices.length, sent: issued, acked, rejected, unresolved,
      expectedDeliveries, delivered, lost: expectedDeliveries - delivered, duplicated, unexpected, outOfOrder,
      historyProblems, lostReport, kills, freezes, faults: { ...proxy.stats }, reconnectMs, sendMs, deliverMs, serverCpuSeconds, clusterFaults,
    };
  } finally {
    await Promise.all([...devices.map((d) => d.client), ...direct].map((client) => client.disconnect().catch(() => undefined)));
    await proxy.close();
    await (cluster ? cluster.dispose() : server.dispose());
  }
}

/** User + system CPU time of a process so far, in seconds (Linux /proc). */
function processCpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

/**
 * What is wrong with one conversation's stored history: a payload missing or stored twice, a
 * stranger, a seq that is not 1..n, or a sender's messages out of the order it sent them.
 */
function compareHistory(key: string, stored: IMMessage[], sent: string[]): string[] {
  const problems: string[] = [];
  const payloads = stored.map((m) => (m.content as TextMessage).content);
  const counts = new Map<string, number>();
  for (const p of payloads) counts.set(p, (counts.get(p) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([p]) => p);
  const missing = sent.filter((p) => !counts.has(p));
  const strangers = payloads.filter((p) => !sent.includes(p));
  if (twice.length) problems.push(`${key}: stored twice: ${twice.slice(0, 5).join(', ')}`);
  if (missing.length) problems.push(`${key}: ${missing.length} not stored: ${missing.slice(0, 5).join(', ')}`);
  if (strangers.length) problems.push(`${key}: not sent here: ${strangers.slice(0, 5).join(', ')}`);
  const seqs = stored.map((m) => m.seq);
  if (seqs.some((seq, i) => seq !== i + 1)) problems.push(`${key}: seqs are not 1..${seqs.length}`);
  const lastIndex = new Map<string, number>();
  for (const payload of payloads) {
    const [sender, , index] = payload.split('|') as [string, string, string];
    if (Number(index) <= (lastIndex.get(sender) ?? -1)) problems.push(`${key}: ${payload} stored after a later send of ${sender}`);
    lastIndex.set(sender, Number(index));
  }
  return problems;
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
