/** A chatroom message's priority (`sendMessage(…, { priority })`): for slow readers LOW is dropped first, then NORMAL; HIGH is kept. */
export const MessagePriority = { NORMAL: 0, HIGH: 1, LOW: 2 } as const;
export type MessagePriority = (typeof MessagePriority)[keyof typeof MessagePriority];

/** Live signals of a room (never shown as messages). */
export const CHATROOM_KV_OBJECT_NAME = 'RC:chrmKVNotiMsg';
export const CHATROOM_MEMBERS_OBJECT_NAME = 'IM:ChrmMembers';
