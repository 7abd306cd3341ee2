// `npm run screenshots`: docs/screenshots/*.png, the widget as a visitor sees it: light, dark,
// Chinese, and a 375 px phone. A real server (a fresh data directory), real
// conversations sent through the core, the script-tag build in the system Chromium.
// Needs a build (`npm run build`) and, for faithful pictures, CJK and colour emoji fonts
// (Debian: fonts-noto-cjk, fonts-noto-color-emoji).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import WebSocket from 'ws';
import { signApiRequest } from '../dist/im-server-api.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs/screenshots');
const APP_KEY = 'shots-key';
const APP_SECRET = 'shots-secret';
const { IMClient, TextMessage, ConversationType } = await import(join(root, 'dist/im-core.js'));

try {
  const fonts = execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' });
  if (!/Noto Sans CJK/i.test(fonts) || !/Noto Color Emoji/i.test(fonts)) console.warn('screenshots: CJK or colour emoji fonts are missing; those characters will show as boxes');
} catch {
  // no fontconfig: nothing to check
}

const dataDir = mkdtempSync(join(tmpdir(), 'im-shots-'));
const server = spawn(process.execPath, [join(root, 'dist/im-server.js'), '--port', '0', '--data', dataDir,
  '--app-key', APP_KEY, '--app-secret', APP_SECRET, '--rate-limit', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const origin = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).once('line', (line) => {
    const match = /listening on (http:\/\/\S+)/.exec(line);
    if (match) resolve(match[1]);
    else reject(new Error(`unexpected: ${line}`));
  });
  server.once('exit', (code) => reject(new Error(`im-server exited (${code})`)));
});
const wsUrl = `${origin.replace(/^http/, 'ws')}/im`;

async function signed(path, body) {
  const text = JSON.stringify(body);
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method: 'POST', path, body: text }) },
    body: text,
  });
  const json = await response.json();
  if (json.code !== 200) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json;
}
const tokenOf = async (userId, name) => (await signed('/api/user/token', { userId, name })).token;

const clients = [];
async function clientOf(userId, name) {
  const client = new IMClient({ url: wsUrl, token: await tokenOf(userId, name), WebSocket, platform: 'node' });
  clients.push(client);
  await client.connect();
  return client;
}
const privateWith = (targetId) => ({ conversationType: ConversationType.PRIVATE, targetId });
const say = (client, to, content) => client.sendMessage(to, new TextMessage({ content }));

/** One person's conversations: a private chat, read by the other side, and a group. */
async function seed({ me, peer, third, group, lines, groupLines }) {
  const mine = await clientOf(me.id, me.name);
  const theirs = await clientOf(peer.id, peer.name);
  const other = await clientOf(third.id, third.name);
  await signed('/api/group/create', { groupId: group.id, groupName: group.name, userIds: [me.id, peer.id, third.id] });
  for (const [i, line] of groupLines.entries()) await say(i % 2 ? theirs : other, { conversationType: ConversationType.GROUP, targetId: group.id }, line);
  for (const [who, text] of lines) await say(who === 'me' ? mine : theirs, privateWith(who === 'me' ? peer.id : me.id), text);
  await theirs.clearUnreadCount(privateWith(me.id));
  return mine;
}

await seed({
  me: { id: 'alice', name: 'Alice Martin' }, peer: { id: 'bob', name: 'Bob Chen' }, third: { id: 'carol', name: 'Carol Diaz' },
  group: { id: 'launch', name: 'Launch team' },
  groupLines: ['Release checklist is in the doc.', 'Thanks! I will take the notes.'],
  lines: [
    ['peer', 'Hi Alice! Did you see the release notes?'],
    ['me', 'Yes, here they are: https://example.com/releases/2.0'],
    ['peer', 'Older messages load without moving what you are reading.'],
    ['me', 'And the cache keeps the chat while offline.'],
    ['peer', 'Lunch at 12:30?'],
    ['me', 'Sure, see you there.'],
  ],
});
await seed({
  me: { id: 'lilei', name: '李雷' }, peer: { id: 'hanmeimei', name: '韩梅梅' }, third: { id: 'wangfang', name: '王芳' },
  group: { id: 'project', name: '项目组' },
  groupLines: ['周五前提交设计稿。', '收到，我来整理会议纪要。'],
  lines: [
    ['peer', '你好！新版本的说明看了吗？'],
    ['me', '看了，在这里：https://example.com/releases/2.0'],
    ['peer', '加载更早的消息时，阅读位置不会跳动。'],
    ['me', '离线时也能看到缓存的会话。'],
    ['peer', '中午一起吃饭吗？'],
    ['me', '好的，十二点半见。'],
  ],
});

const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--force-color-profile=srgb', '--hide-scrollbars'],
});
mkdirSync(out, { recursive: true });

/** A plain page on the server's origin: the script tag and one <im-chat>, as a site has it. */
async function shoot(file, { userId, peer, theme = 'light', lang = 'en', width = 1024, height = 640, waitFor }) {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1, colorScheme: theme === 'dark' ? 'dark' : 'light' });
  const token = await tokenOf(userId);
  await page.route(`${origin}/im-widget.iife.js`, (route) => route.fulfill({ path: join(root, 'dist/im-widget.iife.js'), contentType: 'text/javascript' }));
  await page.route(`${origin}/shot.html`, (route) => route.fulfill({
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
      <style>html, body { margin: 0; height: 100%; background: ${theme === 'dark' ? '#030712' : '#ffffff'}; }
      im-chat { --im-chat-height: 100vh; --im-chat-radius: 0; }</style>
      <script src="/im-widget.iife.js"></script></head>
      <body><im-chat server="${wsUrl}" token="${token}" theme="${theme}" lang="${lang}" cache="memory" share-tabs="off"
        conversation-type="1" target-id="${peer}"></im-chat></body></html>`,
  }));
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${origin}/shot.html`);
  // Reads count only on a focused page (what the reader sees): the open conversation is read.
  await page.bringToFront();
  try {
    await page.getByText(waitFor).first().waitFor({ state: 'visible', timeout: 20_000 });
  } catch (error) {
    await page.screenshot({ path: join(out, `failed-${file}`) });
    throw new Error(`${file}: "${waitFor}" never showed (docs/screenshots/failed-${file}); the page said: ${problems.join(' | ') || 'nothing'}`);
  }
  // Everything settled: read ticks, names and avatars, fonts.
  await page.waitForFunction(() => document.fonts.status === 'loaded');
  await page.waitForFunction(() => {
    const list = document.querySelector('im-chat')?.shadowRoot?.querySelector('im-chat-panel')?.shadowRoot?.querySelector('im-message-list');
    return list?.shadowRoot?.querySelectorAll('[data-status="read"]').length > 0;
  }, undefined, { timeout: 20_000 });
  await page.waitForFunction((key) => document.querySelector('im-chat')?.session?.state.conversations.byKey[key]?.unreadCount === 0, `1:${peer}`, { timeout: 20_000 });
  await page.screenshot({ path: join(out, file) });
  await page.close();
  console.log(`docs/screenshots/${file}`);
}

try {
  await shoot('light.png', { userId: 'alice', peer: 'bob', waitFor: 'Lunch at 12:30?' });
  await shoot('dark.png', { userId: 'alice', peer: 'bob', theme: 'dark', waitFor: 'Lunch at 12:30?' });
  await shoot('zh-CN.png', { userId: 'lilei', peer: 'hanmeimei', lang: 'zh-CN', waitFor: '中午一起吃饭吗？' });
  await shoot('phone-375.png', { userId: 'alice', peer: 'bob', width: 375, height: 667, waitFor: 'Lunch at 12:30?' });
} finally {
  await browser.close();
  await Promise.all(clients.map((client) => client.disconnect()));
  server.kill();
  rmSync(dataDir, { recursive: true, force: true });
}
