import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { IMClient } from '../../src/core/client/client.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { signToken } from '../../src/server/auth.js';
import { im } from '../../src/core/protocol/generated/im.js';
import { APP_KEY, APP_SECRET, api, connectClient, createGroup, startTestServer, tokenFor, type TestServer } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';

const text = (content: string) => new TextEncoder().encode(JSON.stringify({ content }));

describe('authentication and authorization', () => {
  let server: TestServer;
  const clients: IMClient[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    await server.dispose();
  });

  const connectWith = (token: string) => {
    const client = new IMClient({ url: server.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor });
    clients.push(client);
    return client.connect();
  };
  const refusedWith = (code: number) => (error: { code: number }) => {
    assert.equal(error.code, code);
    return true;
  };

  it('accepts a token from the signed API', async () => {
    assert.deepEqual(await connectWith(await tokenFor(server, 'nina')), { userId: 'nina' });
  });

  it('refuses a forged token with the token-incorrect code', async () => {
    const genuine = await tokenFor(server, 'nina');
    const [payload] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, u: 'admin' })).toString('base64url');
    await assert.rejects(connectWith(`${forgedPayload}.${genuine.split('.')[1]}`), refusedWith(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR));
    await assert.rejects(connectWith(signToken({ appKey: APP_KEY, userId: 'nina', issuedAt: Date.now() - 120_000, expiresAt: Date.now() + 60_000 }, 'guessed-secret')),
      refusedWith(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR));
    await assert.rejects(connectWith('garbage'), refusedWith(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR));
  });

  it('refuses an expired token with the token-expired code, and a tokenProvider renews it', async () => {
    const expired = signToken({ appKey: APP_KEY, userId: 'omar', issuedAt: Date.now() - 120_000, expiresAt: Date.now() - 1000 }, APP_SECRET);
    await assert.rejects(connectWith(expired), refusedWith(ErrorCode.RC_CONN_TOKEN_EXPIRE));
    let calls = 0;
    const client = new IMClient({
      url: server.wsUrl, token: expired, WebSocket: WebSocket as unknown as WebSocketConstructor,
      tokenProvider: async () => {
        calls++;
        return tokenFor(server, 'omar');
      },
    });
    clients.push(client);
    assert.deepEqual(await client.connect(), { userId: 'omar' });
    assert.equal(calls, 1);
  });

  it('refuses another app\'s token', async () => {
    const foreign = signToken({ appKey: 'other-app', userId: 'nina', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 }, 'other-secret');
    await assert.rejects(connectWith(foreign), refusedWith(ErrorCode.RC_CONN_NOT_AUTHRORIZED));
  });

  it('a non-member can neither send to nor read a group', async () => {
    await createGroup(server, 'club', ['pam', 'quin']);
    const pam = await connectClient(server, 'pam');
    const rex = await connectClient(server, 'rex');
    clients.push(pam, rex);
    const club = { conversationType: ConversationType.GROUP, targetId: 'club' };
    await pam.sendMessage(club, new TextMessage({ content: 'members only' }));
    await assert.rejects(rex.sendMessage(club, new TextMessage({ content: 'let me in' })), refusedWith(ErrorCode.NOT_IN_GROUP));
    await assert.rejects(rex.getHistoryMessages(club), refusedWith(ErrorCode.NOT_IN_GROUP));
    await assert.rejects(rex.clearUnreadCount(club), refusedWith(ErrorCode.NOT_IN_GROUP));
    await assert.rejects(rex.sendMessage({ conversationType: ConversationType.GROUP, targetId: 'no-such-group' }, new TextMessage({ content: 'x' })),
      refusedWith(ErrorCode.RC_DISCUSSION_GROUP_ID_INVALID));
    assert.deepEqual(await rex.getConversationList(), []);

    // Leaving ends access; joining grants it.
    assert.equal((await api(server, 'POST', '/api/group/quit', { groupId: 'club', userIds: ['pam'] })).status, 200);
    await assert.rejects(pam.getHistoryMessages(club), refusedWith(ErrorCode.NOT_IN_GROUP));
    assert.equal((await api(server, 'POST', '/api/group/join', { groupId: 'club', userIds: ['rex'] })).status, 200);
    const history = await rex.getHistoryMessages(club);
    assert.deepEqual(history.messages.filter((m) => m.objectName === 'RC:TxtMsg').map((m) => (m.content as TextMessage).content), ['members only']);
    assert.deepEqual(history.messages.filter((m) => m.objectName === 'RC:GrpNtf').map((m) => m.senderUserId), ['im:group', 'im:group'], 'and the server\'s notices: pam left, rex joined');
  });

  it('a user cannot send as someone else', async () => {
    const socket = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'sam'));
    socket.send({
      type: FrameType.PUBLISH, qos: 1,
      body: { requestId: 7, outgoing: {
        clientMsgId: 'spoof-1', conversationType: ConversationType.PRIVATE, targetId: 'tia', objectName: 'RC:TxtMsg',
        content: text('I am tia'), senderUserId: 'tia',
      } },
    });
    const ack = (await socket.next(FrameType.PUBACK)).body as im.PubAck;
    assert.equal(ack.requestId, 7);
    assert.equal(ack.code, ErrorCode.RC_MSG_UNAUTHORIZED);
    const tia = await connectClient(server, 'tia');
    clients.push(tia);
    assert.deepEqual(await tia.getConversationList(), [], 'nothing was stored');
    socket.close();
  });

  it('a resend with the same clientMsgId is stored once and delivered once', async () => {
    const uma = await connectClient(server, 'uma');
    clients.push(uma);
    const received: string[] = [];
    uma.on('message', (m) => received.push(m.clientMsgId));
    const socket = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'vic'));
    const outgoing = { clientMsgId: 'once-1', conversationType: ConversationType.PRIVATE, targetId: 'uma', objectName: 'RC:TxtMsg', content: text('once') };
    socket.send({ type: FrameType.PUBLISH, qos: 1, body: { requestId: 1, outgoing } });
    socket.send({ type: FrameType.PUBLISH, qos: 1, dup: true, body: { requestId: 2, outgoing } });
    const first = (await socket.next(FrameType.PUBACK)).body as im.PubAck;
    const second = (await socket.next(FrameType.PUBACK)).body as im.PubAck;
    assert.equal(first.code, 0);
    assert.equal(second.code, 0);
    assert.equal(second.messageUid, first.messageUid, 'the resend gets the first ack');
    assert.equal(second.seq, first.seq);
    // A later resend, after other traffic, still maps to the first message.
    socket.send({ type: FrameType.PUBLISH, qos: 1, body: { requestId: 3, outgoing: { ...outgoing, clientMsgId: 'once-2' } } });
    socket.send({ type: FrameType.PUBLISH, qos: 1, dup: true, body: { requestId: 4, outgoing } });
    const third = (await socket.next(FrameType.PUBACK)).body as im.PubAck;
    const fourth = (await socket.next(FrameType.PUBACK)).body as im.PubAck;
    assert.equal(third.seq, first.seq + 1);
    assert.equal(fourth.messageUid, first.messageUid);

    const history = await uma.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'vic' });
    assert.deepEqual(history.messages.map((m) => m.clientMsgId), ['once-1', 'once-2']);
    // Everything uma was pushed arrived before the history answer (one ordered socket).
    assert.deepEqual(received, ['once-1', 'once-2']);
    assert.equal((await uma.getConversationList())[0]!.unreadCount, 2);
    socket.close();
  });
});

describe('rate limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ rateLimit: 5 });
  });
  after(() => server.dispose());

  it('answers a burst over 5 messages/s with SEND_FREQUENCY_TOO_FAST and keeps the connection', async () => {
    const socket = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'wes'));
    for (let i = 1; i <= 8; i++) {
      socket.send({ type: FrameType.PUBLISH, qos: 1, body: { requestId: i, outgoing: {
        clientMsgId: `burst-${i}`, conversationType: ConversationType.PRIVATE, targetId: 'xia', objectName: 'RC:TxtMsg', content: text(`b${i}`),
      } } });
    }
    const codes: number[] = [];
    for (let i = 1; i <= 8; i++) {
      const ack = (await socket.next(FrameType.PUBACK)).body as im.PubAck;
      codes[ack.requestId - 1] = ack.code;
    }
    assert.deepEqual(codes, [0, 0, 0, 0, 0, ErrorCode.SEND_FREQUENCY_TOO_FAST, ErrorCode.SEND_FREQUENCY_TOO_FAST, ErrorCode.SEND_FREQUENCY_TOO_FAST]);
    socket.send({ type: FrameType.PINGREQ, body: undefined });
    await socket.next(FrameType.PINGRESP);
    socket.close();
  });

  it('typing signals have their own budget: they never use up the messages\' (and are limited too)', async () => {
    const socket = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'tia'));
    const publish = (requestId: number, objectName: string, content: Uint8Array) => socket.send({
      type: FrameType.PUBLISH, qos: 1, body: { requestId, outgoing: {
        clientMsgId: `typ-${requestId}`, conversationType: ConversationType.PRIVATE, targetId: 'uli', objectName, content,
      } },
    });
    const typing = new TextEncoder().encode(JSON.stringify({ typingContentType: 'RC:TxtMsg' }));
    for (let i = 1; i <= 6; i++) publish(i, 'RC:TypSts', typing);
    for (let i = 7; i <= 11; i++) publish(i, 'RC:TxtMsg', text(`t${i}`));
    const codes: number[] = [];
    for (let i = 1; i <= 11; i++) {
      const ack = (await socket.next(FrameType.PUBACK)).body as im.PubAck;
      codes[ack.requestId - 1] = ack.code;
    }
    assert.deepEqual(codes, [0, 0, 0, 0, 0, ErrorCode.SEND_FREQUENCY_TOO_FAST, 0, 0, 0, 0, 0]);
    socket.close();
  });

  it('the client holds rate-limited messages and sends them when allowed, in order', async () => {
    const yan = await connectClient(server, 'yan');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'zed' };
    const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => yan.sendMessage(conversation, new TextMessage({ content: `r${i}` }))));
    assert.deepEqual(acks.map((a) => a.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
    const history = await yan.getHistoryMessages(conversation);
    assert.deepEqual(history.messages.map((m) => (m.content as TextMessage).content), acks.map((_, i) => `r${i}`));
    await yan.disconnect();
  });
});
