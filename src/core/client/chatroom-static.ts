import * as chatroom from './chatroom.js';
import type { ChatroomModule } from './chatroom-lazy.js';

/**
 * chatroom-lazy.ts for builds that keep chatrooms inline (the support panel, the facade's): the
 * module is there from the start.
 */
export const chatroomModule: { loaded: ChatroomModule | undefined; load(): Promise<ChatroomModule> } = {
  loaded: chatroom,
  load: async () => chatroom,
};

export async function loadChatroom(): Promise<ChatroomModule> {
  return chatroom;
}
