#!/usr/bin/env node
/**
 * bench:tabs — how long the user's other tab needs to take the shared connection over when the
 * leading tab closes, against a tab that opens and connects on its own, in the same run.
 *
 *   npm run bench:tabs                  # builds dist/ (the server and the widget), then this file
 *   node --import tsx bench/tabs.mjs --rounds 20
 *
 * Each round opens the widget page twice in one browser profile (system Chromium, headless): the
 * first tab leads (holds the Web Lock and the socket), the second follows. The leader is closed;
 * `takeover` is the time from the close until the follower holds the lock and its own connection
 * is CONNECTED again (one clock: Date.now() in Node and in the page). `cold connect` is the
 * baseline: from navigation start to CONNECTED for the first tab of the round (page load, script,
 * IndexedDB open, socket and CONNACK). Figures are p50 / p90 / max over the rounds.
 *
 * A benchmark, not a test: it asserts nothing about timing.
 */
import { parseArgs } from 'node:util';
import { machine, table } from './report.mjs';
import { startTestServer, tokenFor } from '../test/helpers/server.ts';
import { launchChromium, newDevice, openChatPage, waitForStatus } from '../test/e2e/pages.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string' } }, strict: true });
const rounds = Number(values.rounds ?? 15);
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write('usage: node --import tsx bench/tabs.mjs [--rounds N]\n');
  process.exit(2);
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return [percentile(sorted, 50), percentile(sorted, 90), sorted.at(-1)].map((ms) => ms.toFixed(0));
};

const server = await startTestServer();
const browser = await launchChromium();
const cold = [];
const takeover = [];
try {
  for (let round = 0; round < rounds; round++) {
    const device = await newDevice(browser, server);
    await device.addInitScript(() => addEventListener('im-status-change', (event) => {
      if (event.detail.status === 0) window.connectedAt ??= performance.now();
    }));
    const userId = `bench-tabs-${round}`;
    const leader = await openChatPage(device, server, await tokenFor(server, userId), '');
    await waitForStatus(leader, true);
    cold.push(await leader.evaluate(() => window.connectedAt));
    const follower = await openChatPage(device, server, await tokenFor(server, userId), '');
    await waitForStatus(follower, true);
    // The moment the follower's own connection is up, on the shared clock.
    const tookOver = follower.evaluate(() => new Promise((resolve) => {
      const client = document.querySelector('im-chat').session.client;
      const check = () => {
        if (client.isLeader && client.status === 0) resolve(Date.now());
      };
      client.on('status', check);
    }));
    const closedAt = Date.now();
    await leader.close();
    takeover.push((await tookOver) - closedAt);
    await device.close();
  }
} finally {
  await browser.close();
  await server.dispose();
}

const m = machine();
console.log(`bench:tabs — ${rounds} rounds · ${m.cpu} × ${m.cores} · ${m.memory} · Node ${m.node} · ${m.os}\n`);
const coldFigures = summary(cold);
const takeoverFigures = summary(takeover);
console.log(table(['measure', 'what', 'p50 ms', 'p90 ms', 'max ms'], [
  ['cold connect', 'new tab: navigation → CONNECTED', ...coldFigures],
  ['takeover', 'leader closed → follower CONNECTED', ...takeoverFigures],
]));
console.log(`\ntakeover / cold connect (p50): ${(Number(takeoverFigures[0]) / Number(coldFigures[0])).toFixed(2)}×`);
