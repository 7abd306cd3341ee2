import { createContext } from '@lit/context';
import type { ChatSession } from '../../core/client/chat-session.js';

/**
 * The chat session (client + store) that `im-chat` or `im-provider` gives the elements inside.
 * Its key is a registered symbol, the same in every copy of the code on a page: with
 * im-widget.iife.js and the launcher's panel (im-support-panel.js) both loaded, an element is
 * defined by whichever copy comes first, and a provider of one copy serves the elements of the other.
 */
export const sessionContext = createContext<ChatSession | undefined>(Symbol.for('im-widget.chat-session'));
