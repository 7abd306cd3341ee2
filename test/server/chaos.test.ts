import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import type { FaultRates } from '../helpers/fault-proxy.js';
import { runChaos } from '../helpers/chaos-run.js';

// Sized for a 2-core CI machine: the whole file (both transports) stays well under 90 s.
const USERS = 12;
/** Per device; user 0 has two devices, so 13 × 200 = 2,600 messages per transport. */
const MESSAGES_PER_DEVICE = 200;
const DEVICES = USERS + 1;
const WINDOW = 8;
const KILL_AFTER_ACKED = [550, 1200, 1850];
/** Longer than a heartbeat: every client notices a dead link, and its reconnects are held too. */
const FREEZE = { afterAcked: 1500, ms: 3000 };
const HEARTBEAT_SECONDS = 2;
const FAULTS: FaultRates = {
  cut: 0.25, reset: 0.15, stall: 0.25, blackhole: 0.05,
  bytes: [200, 32 * 1024], stallMs: [50, 1500],
};
const SEED = Number(process.env.CHAOS_SEED) || randomInt(1, 2 ** 31);

for (const transport of ['websocket', 'polling'] as const) describe(`chaos over ${transport}`, () => {
  it('faults, cuts mid-frame, a network freeze and SIGKILL restarts lose, duplicate and reorder nothing', async (t) => {
    const replay = `seed ${SEED} (CHAOS_SEED=${SEED} replays the fault plan)`;
    t.diagnostic(replay);
    const result = await runChaos({
      transport, users: USERS, messagesPerDevice: MESSAGES_PER_DEVICE, window: WINDOW, killAfterAcked: KILL_AFTER_ACKED,
      faults: FAULTS, freeze: FREEZE, seed: SEED, heartbeatSeconds: HEARTBEAT_SECONDS, requestTimeoutMs: 3000,
      reconnect: { minDelay: 50, maxDelay: 500 }, sendDeadlineMs: 40_000, deliveryDeadlineMs: 15_000,
    });
    const faults = result.faults;
    t.diagnostic(`${result.sent} sent, ${result.delivered}/${result.expectedDeliveries} delivered, ${result.kills} kills, `
      + `faults: ${faults.cuts} cuts, ${faults.resets} resets, ${faults.stalls} stalls, ${faults.blackholes} black holes, `
      + `${faults.connections} connections, ${result.reconnectMs.length} reconnects`);

    assert.deepEqual(result.rejected, [], `sends rejected although the outbox should carry them; ${replay}`);
    assert.equal(result.unresolved, 0, `sends unresolved at the deadline; ${replay}`);
    assert.equal(result.acked, DEVICES * MESSAGES_PER_DEVICE);
    assert.equal(result.lost, 0, `lost deliveries; ${replay}\n${result.lostReport}`);
    assert.equal(result.duplicated, 0, `duplicated deliveries; ${replay}`);
    assert.equal(result.unexpected, 0, `deliveries to a device that should not get them; ${replay}`);
    assert.equal(result.outOfOrder, 0, `deliveries out of seq order within a conversation; ${replay}`);
    assert.deepEqual(result.historyProblems, [], `stored history differs from what was sent; ${replay}`);

    // And the run was really chaotic: the server died each time, and every kind of fault struck.
    assert.equal(result.kills, KILL_AFTER_ACKED.length, `the server was killed each time; ${replay}`);
    assert.equal(result.freezes, 1, 'the network froze once');
    for (const kind of ['cuts', 'resets', 'stalls', 'blackholes'] as const) assert.ok(faults[kind] > 0, `no ${kind}; ${replay}`);
  });
});
