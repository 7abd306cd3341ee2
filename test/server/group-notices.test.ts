import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { GroupNotificationMessage, TextMessage } from '../../src/core/messages/index.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { api, useTestServer, waitFor } from '../helpers/server.js';

const group = (targetId: string) => ({ conversationType: ConversationType.GROUP, targetId });
const notices = (messages: IMMessage[]) => messages.filter((m) => m.objectName === 'RC:GrpNtf').map((m) => m.content as GroupNotificationMessage);

describe('group notices: the server tells members of changes made through the app API', () => {
  const suite = useTestServer();

  it('create, join, kick, quit, rename, dismiss: a stored RC:GrpNtf each, in order with the messages, to the right members, never counted', async () => {
    const ann = await suite.connect('gn-ann');
    const bob = await suite.connect('gn-bob');
    const cy = await suite.connect('gn-cy');
    const heard = new Map<string, IMMessage[]>([['ann', []], ['bob', []], ['cy', []]]);
    for (const [name, client] of [['ann', ann], ['bob', bob], ['cy', cy]] as const) client.on('message', (m) => heard.get(name)!.push(m));
    const until = (name: string, count: number) => waitFor((check) => [ann, bob, cy].map((c) => c.on('message', check)).reduce((a, b) => () => { a(); b(); }),
      () => notices(heard.get(name)!).length >= count, `${name} hears ${count} notices`);

    assert.equal((await api(suite.server, 'POST', '/api/group/create', { groupId: 'gn', groupName: 'Team', userIds: ['gn-ann', 'gn-bob'], operatorUserId: 'gn-ann' })).status, 200);
    await until('bob', 1);
    const [created] = notices(heard.get('bob')!);
    assert.deepEqual([created!.operation, created!.operatorUserId], ['Create', 'gn-ann']);
    assert.deepEqual(JSON.parse(created!.data!).targetUserIds, ['gn-ann', 'gn-bob']);
    assert.match(created!.message!, /created the group "Team"/);
    assert.equal(heard.get('bob')![0]!.senderUserId, 'im:group', 'the server speaks, not a member');

    await ann.sendMessage(group('gn'), new TextMessage({ content: 'hello team' }));
    await api(suite.server, 'POST', '/api/group/join', { groupId: 'gn', userIds: ['gn-cy', 'gn-bob'], operatorUserId: 'gn-ann' });
    await until('cy', 1);
    const [joined] = notices(heard.get('cy')!);
    assert.equal(joined!.operation, 'Add');
    assert.deepEqual(JSON.parse(joined!.data!).targetUserIds, ['gn-cy'], 'only who really joined');

    await api(suite.server, 'POST', '/api/group/quit', { groupId: 'gn', userIds: ['gn-bob'], operatorUserId: 'gn-ann' });
    await until('bob', 3);
    assert.equal(notices(heard.get('bob')!)[2]!.operation, 'Kicked', 'removed by another: the seed\'s Kicked; bob hears it too');
    await api(suite.server, 'POST', '/api/group/quit', { groupId: 'gn', userIds: ['gn-cy'] });
    await until('cy', 3);
    assert.equal(notices(heard.get('cy')!)[2]!.operation, 'Quit');
    await api(suite.server, 'POST', '/api/group/rename', { groupId: 'gn', groupName: 'Crew' });
    await until('ann', 5);
    assert.deepEqual([notices(heard.get('ann')!)[4]!.operation, JSON.parse(notices(heard.get('ann')!)[4]!.data!).targetGroupName], ['Rename', 'Crew']);
    assert.equal(notices(heard.get('bob')!).length, 3, 'bob left: no rename for him');

    // Stored in order with the messages, not counted as unread.
    const history = await ann.getHistoryMessages(group('gn'), { count: 20 });
    assert.deepEqual(history.messages.map((m) => (m.objectName === 'RC:GrpNtf' ? (m.content as GroupNotificationMessage).operation : 'text')),
      ['Create', 'text', 'Add', 'Kicked', 'Quit', 'Rename']);
    assert.deepEqual(history.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6], 'gap-free');
    const unreadOf = async (client: typeof ann) => (await client.getConversationList()).find((c) => c.targetId === 'gn')?.unreadCount;
    assert.equal(await unreadOf(cy), 0, 'cy joined after the text: the notices count for nothing');
    assert.equal(await unreadOf(bob), 1, 'bob: the text only');

    await api(suite.server, 'POST', '/api/group/dismiss', { groupId: 'gn', operatorUserId: 'gn-ann' });
    await until('ann', 6);
    assert.equal(notices(heard.get('ann')!)[5]!.operation, 'Dismiss');
    assert.equal((await api(suite.server, 'POST', '/api/group/dismiss', { groupId: 'gn' })).status, 404);
    await assert.rejects(ann.sendMessage(group('gn'), new TextMessage({ content: 'anyone?' })), (error: { code?: number }) => error.code === 20407 || error.code === 22406);
    assert.equal((await api(suite.server, 'POST', '/api/group/rename', { groupId: 'nope', groupName: 'x' })).status, 404);
    assert.equal((await api(suite.server, 'POST', '/api/group/join', { groupId: 'gn2', userIds: ['a'], operatorUserId: 'visitor-x' })).status, 400);
  });
});
