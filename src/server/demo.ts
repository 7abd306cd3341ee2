import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { ConversationType } from '../core/protocol/codes.js';
import { DEFAULT_TOKEN_TTL_MS, signToken } from './auth.js';
import { sendJson } from './app-api.js';
import type { FanoutBus } from './bus.js';
import type { ChatService } from './chat-service.js';
import type { ChatStore } from './storage/chat-store.js';

/**
 * Demo mode (`--demo`) only: demo users and a group, a bot that answers, the demo pages, and
 * unsigned tokens for the demo users. A real site gets tokens from its own server through the
 * signed API; none of this exists without `--demo`.
 */

export const DEMO_USERS = [
  { userId: 'alice', name: 'Alice', portraitUri: '' },
  { userId: 'bob', name: 'Bob', portraitUri: '' },
  { userId: 'carol', name: 'Carol', portraitUri: '' },
  { userId: 'bot', name: 'Echo Bot', portraitUri: '' },
];
export const DEMO_GROUP = { groupId: 'demo-group', name: 'Demo group' };
const BOT = 'bot';
/** The seed's messages come from no session; the bot leaves them alone. */
const SEED_SESSION = 'demo-seed';

const text = (content: string) => new TextEncoder().encode(JSON.stringify({ content }));
const ignoreAck = () => undefined;

/**
 * Users, the group and first messages: in the group, from the bot to Alice, and between Alice
 * and Bob, so that the two side by side see each other at once. Sends carry fixed ids: seeding
 * twice stores nothing new.
 */
export async function seedDemo(store: ChatStore, service: ChatService): Promise<void> {
  for (const user of DEMO_USERS) await store.upsertUser(user);
  await store.createGroup(DEMO_GROUP.groupId, DEMO_GROUP.name, DEMO_USERS.map((user) => user.userId));
  await service.send('carol', SEED_SESSION, {
    clientMsgId: 'demo-welcome-1', conversationType: ConversationType.GROUP, targetId: DEMO_GROUP.groupId,
    objectName: 'RC:TxtMsg', content: text('Welcome to the demo group! Say "bot" here, or write to the bot directly.'),
  }, ignoreAck);
  await service.send(BOT, SEED_SESSION, {
    clientMsgId: 'demo-welcome-2', conversationType: ConversationType.PRIVATE, targetId: 'alice',
    objectName: 'RC:TxtMsg', content: text('Hi Alice, I am the echo bot. Write me anything.'),
  }, ignoreAck);
  await service.send('bob', SEED_SESSION, {
    clientMsgId: 'demo-welcome-3', conversationType: ConversationType.PRIVATE, targetId: 'alice',
    objectName: 'RC:TxtMsg', content: text('Hi Alice, Bob here. Write back: I see it in my window next to yours.'),
  }, ignoreAck);
}

/**
 * The bot answers every private message and every group message that mentions it. Its reply
 * id derives from the message's uid, so a message is answered once however often it is seen.
 */
export function startDemoBot(bus: FanoutBus, service: ChatService, log: (message: string) => void): () => void {
  return bus.subscribe((event) => {
    if (event.kind !== 'message' || event.fromSessionId === SEED_SESSION || event.message.senderUserId === BOT
      || !event.recipients.includes(BOT)) return;
    const message = event.message;
    if (message.objectName !== 'RC:TxtMsg') return;
    let said = '';
    try {
      said = String(JSON.parse(new TextDecoder().decode(message.content)).content ?? '');
    } catch {
      return;
    }
    const isGroup = message.conversationType === ConversationType.GROUP;
    if (isGroup && !/\bbot\b/i.test(said)) return;
    const targetId = isGroup ? message.conversationKey.slice(2) : message.senderUserId;
    const reply = isGroup ? `@${message.senderUserId} you called? (${said.length} characters received)` : `You said: ${said}`;
    service.send(BOT, 'demo-bot', {
      clientMsgId: `re-${message.messageUid}`, conversationType: message.conversationType, targetId,
      objectName: 'RC:TxtMsg', content: text(reply.slice(0, 2000)),
    }, ignoreAck).catch((error) => log(`demo bot: ${(error as Error).message}`));
  });
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A plain page: nothing but the IIFE script tag and one <im-chat> with its two attributes. */
function chatPage(request: IncomingMessage, userId: string, token: string): string {
  const host = request.headers.host ?? 'localhost';
  const server = `ws://${host}/im`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeAttribute(userId)} · im-widget</title>
  <style>html, body { margin: 0; height: 100%; } im-chat { --im-chat-height: 100vh; --im-chat-radius: 0; border: 0; }</style>
  <script src="/im-widget.iife.js"></script>
</head>
<body>
  <im-chat server="${escapeAttribute(server)}" token="${escapeAttribute(token)}"></im-chat>
</body>
</html>
`;
}

/** The demo's static files by path: the demo page and the widget's script-tag build (with its sibling modules). */
export type DemoFiles = Readonly<Record<'/' | '/im-widget.iife.js' | '/im-emoji-data.js' | '/im-widget-media.js' | '/im-widget-composer-media.js'
  | '/im-widget-send-files.js' | '/im-widget-long-poll.js' | '/im-widget-chatroom.js' | '/im-widget-emoji-picker.js' | '/im-widget-actions.js', string>>;

export async function handleDemo(
  request: IncomingMessage, response: ServerResponse,
  options: { appKey: string; appSecret: string; files?: DemoFiles },
): Promise<boolean> {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url ?? '/', 'http://localhost');
  const tokenFor = (userId: string) =>
    signToken({ appKey: options.appKey, userId, issuedAt: Date.now(), expiresAt: Date.now() + DEFAULT_TOKEN_TTL_MS }, options.appSecret);
  const demoUser = (value: string | null) => DEMO_USERS.find((user) => user.userId === value && user.userId !== BOT);

  if (url.pathname === '/demo/token' || url.pathname === '/chat') {
    const user = demoUser(url.searchParams.get('userId') ?? url.searchParams.get('user'));
    if (!user) {
      sendJson(response, 400, { code: 400, errorMessage: 'userId must be one of alice, bob, carol' });
      return true;
    }
    if (url.pathname === '/demo/token') {
      sendJson(response, 200, { code: 200, userId: user.userId, token: tokenFor(user.userId) });
    } else {
      send(response, 'text/html; charset=utf-8', Buffer.from(chatPage(request, user.userId, tokenFor(user.userId))));
    }
    return true;
  }
  if (url.pathname === '/favicon.ico') {
    response.writeHead(204).end();
    return true;
  }
  const file = options.files && Object.hasOwn(options.files, url.pathname) ? options.files[url.pathname as keyof DemoFiles] : undefined;
  if (!file) return false;
  try {
    const body = await readFile(file);
    send(response, file.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8', body);
  } catch {
    return false;
  }
  return true;
}

function send(response: ServerResponse, type: string, body: Buffer): void {
  response.writeHead(200, {
    'content-type': type,
    'content-length': body.length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; frame-src 'self'",
  });
  response.end(body);
}
