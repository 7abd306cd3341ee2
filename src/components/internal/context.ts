import { createContext } from '@lit/context';
import type { ChatSession } from '../../core/client/chat-session.js';

/** The chat session (client + store) that `im-chat` or `im-provider` gives the elements inside. */
export const sessionContext = createContext<ChatSession | undefined>(Symbol('im-chat-session'));
