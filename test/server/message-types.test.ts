import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import type { im } from '../../src/core/protocol/generated/im.js';
import {
  CommandMessage, FileMessage, GIFMessage, GroupNotificationMessage, HQVoiceMessage, ImageMessage, InformationNotificationMessage,
  LocationMessage, MAX_THUMBNAIL_LENGTH, RecallCommandMessage, RecallNotificationMessage, ReferenceMessage, RichContentMessage,
  SightMessage, TextMessage, UnknownMessage, registerMessageType, type MessageContent,
} from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { connectClient, createGroup, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';
import { useTestServer } from '../helpers/server.js';

function inbox(client: IMClient) {
  const messages: IMMessage[] = [];
  client.on('message', (m) => messages.push(m));
  const until = (predicate: (m: IMMessage) => boolean, what: string) =>
    waitFor((check) => client.on('message', check), () => messages.find(predicate), what);
  return { messages, until };
}

const private_ = (targetId: string) => ({ conversationType: ConversationType.PRIVATE, targetId });
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const THUMB = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
// The sender's own info: the server drops a `user` that names someone else (identity.test.ts).
const user = { id: 'ada', name: 'Ada', portraitUri: 'https://example.test/ada.png', extra: '{"vip":true}' };

/** One valid content of every type a client may send. */
const samples: MessageContent[] = [
  new TextMessage({ content: 'hi @ben', mentionedInfo: { type: 2, userIdList: ['ben'], mentionedContent: '@ben' }, extra: 'x', user }),
  new ImageMessage({ content: THUMB, imageUri: 'https://cdn.example.test/a.png', user }),
  new GIFMessage({ gifDataSize: 30_000, remoteUrl: 'https://cdn.example.test/a.gif', width: 300, height: 200 }),
  new FileMessage({ name: 'report.pdf', size: 1000, type: 'pdf', fileUrl: 'https://cdn.example.test/report.pdf', extra: 'e' }),
  new HQVoiceMessage({ remoteUrl: 'https://cdn.example.test/v.aac', duration: 12.5 }),
  new SightMessage({ sightUrl: 'https://cdn.example.test/v.mp4', content: THUMB, duration: 10, size: 100, name: 'clip.mp4' }),
  new LocationMessage({ latitude: 39.9, longitude: -116.4, poi: 'Somewhere', content: THUMB }),
  new RichContentMessage({ title: 'Title', content: 'Summary', imageUri: 'https://example.test/i.png', url: 'http://example.test/article' }),
  new ReferenceMessage({
    referMsgUserId: 'ben', referMsg: { content: 'quoted text' }, referMsgUid: 'AAAA-BBBB-CCCC-DDDD', content: 'my answer', objName: 'RC:TxtMsg',
  }),
  new InformationNotificationMessage({ message: 'Ben joined', extra: 'info' }),
  new GroupNotificationMessage({ operatorUserId: 'ann', operation: 'Rename', data: '{"name":"new"}', message: 'renamed' }),
  new CommandMessage({ name: 'refresh', data: '{"what":"profile"}' }),
];

/** Field values that must be refused, per type: [content, why]. */
const invalid: Array<[objectName: string, fields: Record<string, unknown>, why: string]> = [
  ['RC:TxtMsg', { content: '' }, 'empty text'],
  ['RC:TxtMsg', { content: 'x', mentionedInfo: { type: 3 } }, 'mention type'],
  ['RC:TxtMsg', { content: 'x', mentionedInfo: { type: 2, userIdList: [] } }, 'mention of no one'],
  ['RC:TxtMsg', { content: 'x', extra: 5 }, 'extra not a string'],
  ['RC:ImgMsg', { imageUri: 'https://a.test/x.png', content: `data:image/png;base64,${THUMB}` }, 'thumbnail with a data-URI prefix'],
  ['RC:ImgMsg', { imageUri: 'https://a.test/x.png', content: 'A'.repeat(MAX_THUMBNAIL_LENGTH + 4) }, 'thumbnail over 10 KB'],
  ['RC:ImgMsg', { content: THUMB }, 'no imageUri'],
  ['RC:GIFMsg', { gifDataSize: -1, remoteUrl: 'https://a.test/x.gif', width: 1, height: 1 }, 'negative size'],
  ['RC:GIFMsg', { gifDataSize: 1, remoteUrl: 'https://a.test/x.gif', width: 'wide', height: 1 }, 'width not a number'],
  ['RC:FileMsg', { name: 'a', size: 1.5, fileUrl: 'https://a.test/f' }, 'fractional size'],
  ['RC:FileMsg', { name: 'x'.repeat(2000), size: 1, fileUrl: 'https://a.test/f' }, 'name too long'],
  ['RC:HQVCMsg', { remoteUrl: 'https://a.test/v.aac', duration: 61 }, 'voice over 60 s'],
  ['RC:HQVCMsg', { remoteUrl: 'https://a.test/v.aac', duration: 0 }, 'voice of 0 s'],
  ['RC:SightMsg', { sightUrl: 'https://a.test/v.mp4', duration: 1e400 }, 'infinite duration'],
  ['RC:LBSMsg', { latitude: 91, longitude: 0 }, 'latitude out of range'],
  ['RC:LBSMsg', { latitude: 0, longitude: -181 }, 'longitude out of range'],
  ['RC:ImgTextMsg', { content: 'no title' }, 'no title'],
  ['RC:ReferenceMsg', { referMsgUserId: 'ben', referMsg: 'text', content: 'a', objName: 'RC:TxtMsg' }, 'referMsg not an object'],
  ['RC:InfoNtf', { message: 42 }, 'message not a string'],
  ['RC:GrpNtf', { operation: 'Add' }, 'no operator'],
  ['RC:CmdMsg', { data: 'x' }, 'no command name'],
];

/** Every URL field, with the fields that make the rest of its content valid. */
const urlFields: Array<[objectName: string, field: string, rest: Record<string, unknown>]> = [
  ['RC:ImgMsg', 'imageUri', {}],
  ['RC:GIFMsg', 'remoteUrl', { gifDataSize: 1, width: 1, height: 1 }],
  ['RC:FileMsg', 'fileUrl', { name: 'f', size: 1 }],
  ['RC:HQVCMsg', 'remoteUrl', { duration: 1 }],
  ['RC:SightMsg', 'sightUrl', { duration: 1 }],
  ['RC:ImgTextMsg', 'imageUri', { title: 't' }],
  ['RC:ImgTextMsg', 'url', { title: 't' }],
];
const hostileUrls = ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'JavaScript:alert(1)', '//evil.test/x', 'vbscript:x'];

const classes: Record<string, new (fields: any) => MessageContent> = Object.fromEntries(
  [TextMessage, ImageMessage, GIFMessage, FileMessage, HQVoiceMessage, SightMessage, LocationMessage, RichContentMessage,
    ReferenceMessage, InformationNotificationMessage, GroupNotificationMessage, CommandMessage]
    .map((type) => [type.objectName, type]));

const Card = registerMessageType<{ title: string; price?: number }>('Test:Card', { isPersited: true, isCounted: true }, ['title', 'price']);
const Silent = registerMessageType('Test:Silent', true, false);
const Ping = registerMessageType('Test:Ping', false, false);

describe('message types through the reference server', () => {
  const suite = useTestServer();
  const connect = suite.connect;

  it('every built-in type arrives with the content it was sent with; stored types are in history, a command is not', async () => {
    const ada = await connect('ada');
    const bo = await connect('bo');
    const boInbox = inbox(bo);
    for (const content of samples) {
      const sent = await ada.sendMessage(private_('bo'), content);
      const received = await boInbox.until((m) => m.messageUid === sent.messageUid, content.objectName);
      assert.equal(received.objectName, content.objectName);
      assert.equal(received.content.constructor, content.constructor, `${content.objectName} decodes to its class`);
      assert.deepEqual(received.content.toJSON(), content.toJSON(), `${content.objectName} round-trips`);
      if (content instanceof CommandMessage) {
        assert.equal(sent.seq, 0, 'a command has no seq');
        assert.equal(received.persisted, false);
      } else {
        assert.ok(sent.seq > 0);
      }
    }
    const history = await bo.getHistoryMessages(private_('ada'), { count: 50 });
    const stored = samples.filter((c) => !(c instanceof CommandMessage));
    assert.deepEqual(history.messages.map((m) => m.objectName), stored.map((c) => c.objectName));
    history.messages.forEach((m, i) => assert.deepEqual(m.content.toJSON(), stored[i]!.toJSON()));
    const [conversation] = await bo.getConversationList();
    // Text and the eight other content types count; InfoNtf and GrpNtf are notices.
    assert.equal(conversation!.unreadCount, 9);
  });

  it('HQVoiceMessage defaults its type to aac', () => {
    assert.equal(new HQVoiceMessage({ remoteUrl: 'https://a.test/v', duration: 1 }).type, 'aac');
  });

  it('custom types round-trip and are stored and counted as registered', async () => {
    const cy = await connect('cy');
    const di = await connect('di');
    const diInbox = inbox(di);
    const card = await cy.sendMessage(private_('di'), new Card({ title: 'Lamp', price: 12, ignored: true, extra: 'e' }));
    const silent = await cy.sendMessage(private_('di'), new Silent({ anything: { nested: [1, 2] } }));
    const ping = await cy.sendMessage(private_('di'), new Ping({ at: 5 }));
    assert.equal(ping.seq, 0);
    assert.equal(ping.cursor, 0);
    const gotCard = await diInbox.until((m) => m.messageUid === card.messageUid, 'card');
    const gotSilent = await diInbox.until((m) => m.messageUid === silent.messageUid, 'silent');
    const gotPing = await diInbox.until((m) => m.messageUid === ping.messageUid, 'ping, delivered live');
    assert.ok(gotCard.content instanceof Card);
    assert.deepEqual(gotCard.content.toJSON(), { title: 'Lamp', price: 12, extra: 'e' }, 'only the registered fields travel');
    // Fields are read as the built-in types' are: message.content.<field>.
    assert.equal(gotCard.content.title, 'Lamp');
    assert.equal(gotCard.content.price, 12);
    assert.equal(gotCard.content.extra, 'e');
    assert.deepEqual((gotSilent.content as InstanceType<typeof Silent>).anything, { nested: [1, 2] });
    assert.deepEqual(gotSilent.content.toJSON(), { anything: { nested: [1, 2] } });
    assert.ok(gotPing.content instanceof Ping);
    assert.deepEqual(gotPing.content.toJSON(), { at: 5 });
    assert.equal(gotPing.content.at, 5);

    const history = await di.getHistoryMessages(private_('cy'));
    assert.deepEqual(history.messages.map((m) => m.objectName), ['Test:Card', 'Test:Silent'], 'the unpersisted type is not stored');
    const [conversation] = await di.getConversationList();
    assert.equal(conversation!.unreadCount, 1, 'only the counted type counts');
    assert.equal(conversation!.latestMessage!.objectName, 'Test:Silent');

    // A message after the live-only one: no gap fill, no lost cursor.
    const text = await cy.sendMessage(private_('di'), new TextMessage({ content: 'after' }));
    const gotText = await diInbox.until((m) => m.messageUid === text.messageUid, 'text after the ping');
    assert.equal(gotText.seq, silent.seq + 1);
    assert.equal(diInbox.messages.filter((m) => m.messageUid === card.messageUid).length, 1, 'nothing delivered twice');
  });

  it("a live-only message reaches the sender's other devices and not those offline", async () => {
    const ed = await connect('ed');
    const edPhone = await connect('ed');
    const fay = await connect('fay');
    const phoneInbox = inbox(edPhone);
    const fayInbox = inbox(fay);
    const sent = await ed.sendMessage(private_('fay'), new CommandMessage({ name: 'typing' }));
    await fayInbox.until((m) => m.messageUid === sent.messageUid, 'command at fay');
    const mine = await phoneInbox.until((m) => m.messageUid === sent.messageUid, "command at ed's phone");
    assert.equal(mine.messageDirection, 1);
    const later = await connect('fay');
    const laterInbox = inbox(later);
    const marker = await ed.sendMessage(private_('fay'), new TextMessage({ content: 'marker' }));
    await laterInbox.until((m) => m.messageUid === marker.messageUid, 'marker');
    assert.ok(!laterInbox.messages.some((m) => m.objectName === 'RC:CmdMsg'), 'a device that was away never gets the command');
  });

  it('the client refuses invalid fields with PARAMETER_ERROR before sending', async () => {
    const gus = await connect('gus');
    for (const [objectName, fields, why] of invalid) {
      const Type = classes[objectName]!;
      await assert.rejects(gus.sendMessage(private_('hal'), new Type(fields)), (error: IMError) => {
        assert.equal(error.code, ErrorCode.PARAMETER_ERROR, why);
        assert.match(error.message, new RegExp(objectName), why);
        return true;
      }, why);
    }
    for (const [objectName, field, rest] of urlFields) {
      for (const url of hostileUrls) {
        const Type = classes[objectName]!;
        await assert.rejects(gus.sendMessage(private_('hal'), new Type({ ...rest, [field]: url })),
          (error: IMError) => error.code === ErrorCode.PARAMETER_ERROR && error.message.includes(field), `${objectName} ${field} ${url}`);
      }
    }
    await assert.rejects(gus.sendMessage(private_('hal'), new TextMessage({ content: 'x', user: { portraitUri: 'javascript:alert(1)' } })),
      (error: IMError) => error.code === ErrorCode.PARAMETER_ERROR);
    await assert.rejects(gus.sendMessage(private_('hal'), new Card({ title: 'x', user: { portraitUri: 'data:text/html,x' } })),
      (error: IMError) => error.code === ErrorCode.PARAMETER_ERROR, 'custom types check the common fields too');
    assert.deepEqual((await gus.getConversationList()), [], 'nothing was sent');
  });

  it('the server refuses invalid fields from a client that skips the checks, and stores nothing', async () => {
    const socket = await RawSocket.connected(suite.server.wsUrl, await tokenFor(suite.server, 'ivy'));
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ...invalid,
      ...urlFields.flatMap(([objectName, field, rest]) => hostileUrls.map((url) =>
        [objectName, { ...rest, [field]: url }, `${objectName} ${field} ${url}`] as [string, Record<string, unknown>, string])),
      ['RC:TxtMsg', { content: 'x', user: { portraitUri: 'javascript:alert(1)' } }, 'portrait URL'],
      ['Test:Card', { title: 'x', user: { portraitUri: 'data:text/html,x' } }, 'custom type portrait URL'],
      ['RC:RcCmd', { messageUId: 'AAAA-AAAA-AAAA-AAAA', conversationType: 1, targetId: 'jo', sentTime: 1, operatorId: 'ivy', recallTime: 1,
        originalObjectName: 'RC:TxtMsg' }, 'a forged recall command'],
      ['RC:RcNtf', { operatorId: 'ivy', recallTime: 1, originalObjectName: 'RC:TxtMsg' }, 'a forged recall notice'],
    ];
    let requestId = 0;
    for (const [objectName, fields, why] of cases) {
      requestId++;
      socket.send({ type: FrameType.PUBLISH, qos: 1, body: { requestId, outgoing: {
        clientMsgId: `bad-${requestId}`, conversationType: ConversationType.PRIVATE, targetId: 'jo', objectName, content: json(fields),
        counted: true, persisted: true,
      } } });
      const ack = (await socket.next(FrameType.PUBACK)).body as im.PubAck;
      assert.equal(ack.requestId, requestId);
      assert.equal(ack.code, ErrorCode.PARAMETER_ERROR, why);
      assert.ok(ack.reason.includes(objectName), `${why}: the reason names the type (${ack.reason})`);
    }
    socket.close();
    const jo = await connect('jo');
    assert.deepEqual((await jo.getHistoryMessages(private_('ivy'))).messages, []);
    assert.deepEqual(await jo.getConversationList(), []);
  });

  it('a received content the client cannot accept decodes to UnknownMessage', async () => {
    const socket = await RawSocket.connected(suite.server.wsUrl, await tokenFor(suite.server, 'kai'));
    const lu = await connect('lu');
    const luInbox = inbox(lu);
    socket.send({ type: FrameType.PUBLISH, qos: 1, body: { requestId: 1, outgoing: {
      clientMsgId: 'odd-1', conversationType: ConversationType.PRIVATE, targetId: 'lu', objectName: 'Other:Thing',
      content: json({ a: 1 }), counted: true, persisted: true,
    } } });
    assert.equal(((await socket.next(FrameType.PUBACK)).body as im.PubAck).code, 0);
    const got = await luInbox.until((m) => m.objectName === 'Other:Thing', 'unknown type');
    assert.ok(got.content instanceof UnknownMessage);
    assert.deepEqual(got.content.toJSON(), { a: 1 });
    socket.close();
  });

  describe('recall', () => {
    it("replaces the message for every member and device, the sender's other devices included", async () => {
      await createGroup(suite.server, 'recallers', ['mo', 'ned', 'ola']);
      const group = { conversationType: ConversationType.GROUP, targetId: 'recallers' };
      const mo = await connect('mo');
      const moTablet = await connect('mo');
      const ned = await connect('ned');
      const nedPhone = await connect('ned');
      const ola = await connect('ola');
      const inboxes = [mo, moTablet, ned, nedPhone, ola].map(inbox);
      const first = await ned.sendMessage(group, new TextMessage({ content: 'stays' }));
      const sent = await mo.sendMessage(group, new ImageMessage({ imageUri: 'https://a.test/secret.png', content: THUMB }));
      await inboxes[4]!.until((m) => m.messageUid === sent.messageUid, 'image at ola');
      assert.equal((await ola.getConversationList())[0]!.unreadCount, 2);

      const command = await mo.recallMessage(group, { messageUid: sent.messageUid, sentTime: sent.sentTime });
      assert.equal(command.objectName, 'RC:RcCmd');
      assert.ok(command.content instanceof RecallCommandMessage);
      assert.equal(command.content.messageUId, sent.messageUid);
      assert.equal(command.content.operatorId, 'mo');
      assert.equal(command.content.originalObjectName, 'RC:ImgMsg');
      assert.equal(command.content.sentTime, sent.sentTime);

      for (const [i, box] of inboxes.entries()) {
        const got = await box.until((m) => m.objectName === 'RC:RcCmd', `recall command at device ${i}`);
        assert.equal((got.content as RecallCommandMessage).messageUId, sent.messageUid);
      }
      for (const client of [mo, ned, ola]) {
        const history = await client.getHistoryMessages(group);
        assert.deepEqual(history.messages.map((m) => m.objectName), ['RC:TxtMsg', 'RC:RcNtf'], 'the command is not a row in history');
        const replaced = history.messages[1]!;
        assert.equal(replaced.messageUid, sent.messageUid);
        assert.equal(replaced.seq, sent.seq);
        assert.ok(replaced.content instanceof RecallNotificationMessage);
        assert.deepEqual(replaced.content.toJSON(), { operatorId: 'mo', recallTime: command.content.recallTime, originalObjectName: 'RC:ImgMsg' });
        assert.ok(!JSON.stringify(replaced.content).includes('secret'), 'the original content is gone');
        const [conversation] = await client.getConversationList();
        assert.equal(conversation!.latestMessage!.objectName, 'RC:RcNtf', 'the preview shows the replacement');
      }
      assert.equal((await ola.getConversationList())[0]!.unreadCount, 1, 'a recalled message is no longer unread');
      assert.equal(first.seq + 1, sent.seq);

      // A device that was away hears of it by sync.
      const olaLaptop = await connect('ola');
      const laptopInbox = inbox(olaLaptop);
      await laptopInbox.until((m) => m.objectName === 'RC:RcCmd', 'recall command by sync');
      const original = laptopInbox.messages.find((m) => m.messageUid === sent.messageUid);
      assert.equal(original?.objectName, 'RC:RcNtf', 'sync hands out the replaced message, not the original');

      // Recalling again answers with the first command and tells no one twice.
      const again = await mo.recallMessage(group, { messageUid: sent.messageUid });
      assert.equal(again.messageUid, command.messageUid);
    });

    it('refuses a recall by anyone but the sender', async () => {
      const pia = await connect('pia');
      const quin = await connect('quin');
      const sent = await pia.sendMessage(private_('quin'), new TextMessage({ content: 'mine' }));
      await assert.rejects(quin.recallMessage(private_('pia'), { messageUid: sent.messageUid }),
        (error: IMError) => error.code === ErrorCode.RC_MSG_UNAUTHORIZED);
      await assert.rejects(pia.recallMessage(private_('quin'), { messageUid: 'NONE-NONE-NONE-NONE' }),
        (error: IMError) => error.code === ErrorCode.PARAMETER_ERROR);
      const history = await quin.getHistoryMessages(private_('pia'));
      assert.deepEqual(history.messages.map((m) => m.objectName), ['RC:TxtMsg']);
    });
  });
});

describe('recall window', () => {
  let server: TestServer;
  const clients: IMClient[] = [];
  before(async () => {
    server = await startTestServer({ extra: ['--recall-window', '1'] });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    await server.dispose();
  });

  it('refuses a recall once the window has passed, with RECALL_MESSAGE', async () => {
    const rae = await connectClient(server, 'rae');
    const sam = await connectClient(server, 'sam');
    clients.push(rae, sam);
    const sent = await rae.sendMessage(private_('sam'), new TextMessage({ content: 'too late to take back' }));
    // The server and the test share a clock: wait until its 1 s window, counted from the
    // message's own sentTime, is over.
    const wait = sent.sentTime + 1000 + 50 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    assert.ok(Date.now() - sent.sentTime > 1000);
    await assert.rejects(rae.recallMessage(private_('sam'), { messageUid: sent.messageUid }), (error: IMError) => {
      assert.equal(error.code, ErrorCode.RECALL_MESSAGE);
      assert.match(error.message, /window/);
      return true;
    });
    const history = await sam.getHistoryMessages(private_('rae'));
    assert.deepEqual(history.messages.map((m) => m.objectName), ['RC:TxtMsg']);
  });
});
