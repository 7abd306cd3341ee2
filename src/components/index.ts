/**
 * The widget: every element, registered under its im-* tag on import (only where custom
 * elements exist, so importing during server-side rendering does nothing), plus the core API.
 * The emoji module is not part of it (every embedding site would pay for it): `im-widget/emoji`,
 * or `dist/im-emoji.iife.js` (global `IMEmoji`) beside the script tag.
 * `dist/im-widget.js` (ESM) and `dist/im-widget.iife.js` (global `IMWidget`) are built from here.
 */
import { defineElement } from './internal/define.js';
import { ImChat } from './chat/chat.js';
import { ImChatPanel } from './chat-panel/chat-panel.js';
import { ImComposer } from './composer/composer.js';
import { ImConversationList } from './conversation-list/conversation-list.js';
import { ImEmojiPicker } from './emoji-picker/emoji-picker.js';
import { ImMessageList } from './message-list/message-list.js';
import { ImProvider } from './provider/provider.js';

export { ImChat, ImChatPanel, ImComposer, ImConversationList, ImEmojiPicker, ImMessageList, ImProvider };
export { sessionContext } from './internal/context.js';
export { StoreController } from './internal/store-controller.js';
export type { ImEventDetails } from './internal/im-element.js';
export * from '../core/index.js';

/** Registers every element (done on import; call again after a registry reset in tests). */
export function defineElements(): void {
  defineElement('im-provider', ImProvider);
  defineElement('im-chat', ImChat);
  defineElement('im-chat-panel', ImChatPanel);
  defineElement('im-conversation-list', ImConversationList);
  defineElement('im-message-list', ImMessageList);
  defineElement('im-composer', ImComposer);
  defineElement('im-emoji-picker', ImEmojiPicker);
}

defineElements();

declare global {
  interface HTMLElementTagNameMap {
    'im-provider': ImProvider;
    'im-chat': ImChat;
    'im-chat-panel': ImChatPanel;
    'im-conversation-list': ImConversationList;
    'im-message-list': ImMessageList;
    'im-composer': ImComposer;
    'im-emoji-picker': ImEmojiPicker;
  }
}
