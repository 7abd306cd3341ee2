import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_FAULTS } from '../helpers/fault-proxy.js';
import { runChaos, type ClusterEvent } from '../helpers/chaos-run.js';

// Sized for a 2-core CI machine, where three nodes, PostgreSQL, Redis and the clients share the cores.
const USERS = 9;
/** Per device; user 0 has two devices, so 10 × 150 = 1,500 messages. */
const MESSAGES_PER_DEVICE = 150;
const DEVICES = USERS + 1;
const EVENTS: ClusterEvent[] = [
  { afterAcked: 150, fault: { kind: 'kill-pubsub' } },
  { afterAcked: 400, fault: { kind: 'kill-node', node: 1 } },
  { afterAcked: 650, fault: { kind: 'terminate-pg' } },
  { afterAcked: 900, fault: { kind: 'restart-redis' } },
  { afterAcked: 1150, fault: { kind: 'kill-node', node: 2 } },
];

describe('chaos in cluster mode (3 nodes, PostgreSQL, Redis)', () => {
  it('a node SIGKILLed, Redis restarted, pub/sub connections and PostgreSQL backends cut: nothing lost, duplicated or reordered', async (t) => {
    const result = await runChaos({
      transport: 'websocket', users: USERS, messagesPerDevice: MESSAGES_PER_DEVICE, window: 8, killAfterAcked: [],
      faults: NO_FAULTS, seed: 1, heartbeatSeconds: 2, requestTimeoutMs: 3000,
      reconnect: { minDelay: 50, maxDelay: 500 }, sendDeadlineMs: 60_000, deliveryDeadlineMs: 20_000,
      cluster: { nodes: 3, events: EVENTS }, log: (line) => t.diagnostic(line),
    });
    t.diagnostic(`${result.acked} acknowledged, ${result.delivered}/${result.expectedDeliveries} delivered, faults: ${result.clusterFaults.join(', ')}, `
      + `${result.reconnectMs.length} reconnects`);

    assert.deepEqual(result.rejected, [], 'sends rejected although the outbox should carry them');
    assert.equal(result.unresolved, 0, 'sends unresolved at the deadline');
    assert.equal(result.acked, DEVICES * MESSAGES_PER_DEVICE);
    assert.equal(result.lost, 0, `lost deliveries\n${result.lostReport}`);
    assert.equal(result.duplicated, 0, 'duplicated deliveries');
    assert.equal(result.unexpected, 0, 'deliveries to a device that should not get them');
    assert.equal(result.outOfOrder, 0, 'deliveries out of seq order within a conversation');
    assert.deepEqual(result.historyProblems, [], 'stored history differs from what was sent');
    assert.deepEqual(result.clusterFaults, ['kill-pubsub', 'SIGKILL node 1', 'terminate-pg', 'restart-redis', 'SIGKILL node 2'], 'every fault struck');
  });
});
