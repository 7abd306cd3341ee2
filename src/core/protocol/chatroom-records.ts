/**
 * Records of the chatroom query topics (`room.*`, JSON both ways; docs/chatroom.md), shared by
 * the server and the client as types only.
 */

/** A chatroom message as a join or history answer carries it (`content`: the content's JSON text). */
export interface ChatroomWireMessage {
  messageUid: string;
  clientMsgId: string;
  senderUserId: string;
  objectName: string;
  content: string;
  sentTime: number;
}

/** A member as getChatRoomInfo lists them: `time` is when they joined. */
export interface ChatroomMember {
  userId: string;
  time: number;
}

/** A chatroom KV entry: `userId` set it last, at `time`. */
export interface ChatroomEntry {
  key: string;
  value: string;
  userId: string;
  time: number;
}
