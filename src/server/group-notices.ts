import { randomUUID } from 'node:crypto';
import { ConversationType } from '../core/protocol/codes.js';
import type { FanoutBus } from './bus.js';
import type { ChatStore } from './storage/chat-store.js';

/**
 * The server tells a group's members of changes made through the app API (created, joined,
 * left, renamed, dismissed) with a stored `RC:GrpNtf` in the group's conversation, as the seed's
 * server does: every member's devices show it in order with the messages, also after a reconnect.
 * It speaks as `im:group` (no user id contains `:`, so no member can pass for it); the operator
 * is the app user the request names, if any.
 */
export const GROUP_NOTICE_SENDER = 'im:group';

/** The seed's operation names. */
export type GroupOperation = 'Create' | 'Add' | 'Quit' | 'Kicked' | 'Rename' | 'Dismiss';

export interface GroupChange {
  groupId: string;
  operation: GroupOperation;
  /** The app user who made the change, when the request names one. */
  operatorUserId?: string;
  /** The users it is about (joined, left); none for a rename or a dismissal. */
  targetUserIds?: readonly string[];
  /** The group's name after the change. */
  groupName: string;
  /** Who hears it: the members after a join, before a quit or a dismissal. */
  recipients: readonly string[];
}

export async function postGroupNotice(store: ChatStore, bus: FanoutBus, change: GroupChange): Promise<void> {
  if (change.recipients.length === 0) return;
  const nameOf = async (userId: string) => (await store.getUser(userId))?.name || userId;
  const operatorName = change.operatorUserId ? await nameOf(change.operatorUserId) : '';
  const targetNames = await Promise.all((change.targetUserIds ?? []).map(nameOf));
  const content = {
    operatorUserId: change.operatorUserId || GROUP_NOTICE_SENDER,
    operation: change.operation,
    data: JSON.stringify({
      operatorNickname: operatorName, targetGroupName: change.groupName, targetUserIds: change.targetUserIds ?? [], targetUserDisplayNames: targetNames,
    }),
    message: noticeText(change.operation, operatorName, targetNames, change.groupName),
  };
  const recipients = [...new Set(change.recipients)];
  const { message } = await store.appendMessage({
    conversationKey: `${ConversationType.GROUP}:${change.groupId}`, conversationType: ConversationType.GROUP, senderUserId: GROUP_NOTICE_SENDER,
    clientMsgId: `grp.${randomUUID()}`, objectName: 'RC:GrpNtf', content: new TextEncoder().encode(JSON.stringify(content)), counted: false, recipients,
  });
  bus.publish({ kind: 'message', recipients, message, fromSessionId: '' });
}

function noticeText(operation: GroupOperation, operator: string, targets: readonly string[], groupName: string): string {
  const who = targets.join(', ');
  const by = operator ? ` by ${operator}` : '';
  switch (operation) {
    case 'Create': return operator ? `${operator} created the group "${groupName}"` : `The group "${groupName}" was created`;
    case 'Add': return operator && !targets.includes(operator) ? `${who} joined (added${by})` : `${who} joined`;
    case 'Quit': return `${who} left`;
    case 'Kicked': return `${who} removed${by}`;
    case 'Rename': return `The group was renamed "${groupName}"${by}`;
    case 'Dismiss': return `The group was dismissed${by}`;
  }
}
