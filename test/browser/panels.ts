// Two users' chat panels side by side on one page, each on its own session: the browser tests of
// what one user does and the other sees (typing, presence, blocks).
import { fixture, html } from '@open-wc/testing';
import type { ChatSession } from '../../src/core/client/chat-session.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';

export async function panelsSideBySide(left: { session: ChatSession; targetId: string }, right: { session: ChatSession; targetId: string },
  size = { width: 900, height: 480 }): Promise<[ImChatPanel, ImChatPanel]> {
  const view = await fixture<HTMLElement>(html`<div style="display: flex; width: ${size.width}px; height: ${size.height}px">
    <im-chat-panel lang="en" theme="light" style="flex: 1; min-width: 0" .session=${left.session}
      conversation-type="1" target-id=${left.targetId}></im-chat-panel>
    <im-chat-panel lang="en" theme="light" style="flex: 1; min-width: 0" .session=${right.session}
      conversation-type="1" target-id=${right.targetId}></im-chat-panel>
  </div>`);
  return [...view.querySelectorAll<ImChatPanel>('im-chat-panel')] as [ImChatPanel, ImChatPanel];
}
