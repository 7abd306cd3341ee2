/**
 * Chatrooms (./chatroom.ts: joining, rejoining, KV entries' and members' signals, filters) are
 * loaded on the first chatroom call, not with the client: a chunk of the ES module builds, a
 * sibling module of the script tag (the support panel and the seed-compatible facade keep it inline). A failed load (offline) rejects that
 * call with RC_NET_UNAVAILABLE and is tried again on the next. Once loaded, every client has it
 * synchronously (`loaded`), so its calls send their requests in the order they are made.
 */
export type ChatroomModule = typeof import('./chatroom.js');

export const chatroomModule: { loaded: ChatroomModule | undefined; load(): Promise<ChatroomModule> } = {
  loaded: undefined,
  /** How the module is loaded; tests put a failing loader here. */
  load: () => import('./chatroom.js'),
};

export async function loadChatroom(): Promise<ChatroomModule> {
  return (chatroomModule.loaded ??= await chatroomModule.load());
}
