// The server's group notices (RC:GrpNtf from im:group) told in the reader's language, from the
// operation and the seed's data; anyone else's notice is left to the usual rendering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupNoticeText, previewText } from '../../src/components/internal/format.js';
import { stringsFor } from '../../src/components/internal/strings.js';
import { GroupNotificationMessage } from '../../src/core/messages/index.js';
import type { MessageItem } from '../../src/core/store/chat-state.js';

const data = (fields: Record<string, unknown>) => JSON.stringify({ operatorNickname: '', targetGroupName: '', targetUserIds: [], targetUserDisplayNames: [], ...fields });
const server = { objectName: 'RC:GrpNtf', senderUserId: 'im:group' };

describe('groupNoticeText', () => {
  const en = stringsFor('en');
  const zh = stringsFor('zh-CN');

  it('tells each operation in English and Chinese, with the operator when the app named one', () => {
    const create = { operation: 'Create', data: data({ operatorNickname: 'Ann', targetGroupName: 'Team' }), message: 'server text' };
    assert.equal(groupNoticeText(server, create, en), 'Ann created the group "Team"');
    assert.equal(groupNoticeText(server, create, zh), 'Ann 创建了群组“Team”');
    const add = { operation: 'Add', data: data({ targetUserDisplayNames: ['Bob', 'Cy'] }) };
    assert.equal(groupNoticeText(server, add, en), 'Bob, Cy joined');
    assert.equal(groupNoticeText(server, add, zh), 'Bob, Cy 加入了群组');
    assert.equal(groupNoticeText(server, { operation: 'Kicked', data: data({ operatorNickname: 'Ann', targetUserDisplayNames: ['Bob'] }) }, en), 'Ann removed Bob');
    assert.equal(groupNoticeText(server, { operation: 'Quit', data: data({ targetUserDisplayNames: ['Cy'] }) }, zh), 'Cy 退出了群组');
    assert.equal(groupNoticeText(server, { operation: 'Rename', data: data({ targetGroupName: 'Crew' }) }, en), 'The group was renamed "Crew"');
    assert.equal(groupNoticeText(server, { operation: 'Dismiss', data: data({}) }, zh), '群组已解散');
  });

  it('leaves members\' notices, unknown operations and prototype names to the usual rendering', () => {
    assert.equal(groupNoticeText({ objectName: 'RC:GrpNtf', senderUserId: 'ann' }, { operation: 'Create', data: data({}) }, en), undefined, 'a member cannot pass for the server');
    assert.equal(groupNoticeText(server, { operation: 'Promote', data: '{}' }, en), undefined);
    assert.equal(groupNoticeText(server, { operation: 'toString', data: '{}' }, en), undefined);
    assert.equal(groupNoticeText(server, { operation: 'Dismiss', data: 'not json' }, en), 'The group was dismissed', 'bad data: no names');
    assert.equal(groupNoticeText({ objectName: 'RC:InfoNtf', senderUserId: 'im:group' }, { operation: 'Create' }, en), undefined);
  });

  it('is the list\'s preview too', () => {
    const content = new GroupNotificationMessage({ operatorUserId: 'im:group', operation: 'Add', data: data({ targetUserDisplayNames: ['Dee'] }), message: 'Dee joined' });
    const item = { ...server, content, direction: 2 } as unknown as MessageItem;
    assert.equal(previewText(item, zh), 'Dee 加入了群组');
  });
});
