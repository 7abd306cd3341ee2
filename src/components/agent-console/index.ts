/**
 * The agent console, its own entry (`dist/im-agent-console.js`, export `im-widget/agent-console`):
 * only the pages of a support team load it, so the widget's script-tag bundle, which every site
 * embedding the chat pays for, stays without it. Importing it registers every widget element too
 * (the console is made of them); in the ESM build it shares their code with `im-widget.js`.
 */
import { defineElement } from '../internal/define.js';
import { defineElements } from '../index.js';
import { ImAgentConsole } from './agent-console.js';

export { ImAgentConsole };
export type { AgentService, AgentSession, AgentDirectory, AgentTicket, CannedReply, SessionScope, TransferTarget } from './agent-service.js';

/** Registers `<im-agent-console>` and the widget's elements (done on import). */
export function defineAgentConsole(): void {
  defineElements();
  defineElement('im-agent-console', ImAgentConsole);
}

defineAgentConsole();

declare global {
  interface HTMLElementTagNameMap {
    'im-agent-console': ImAgentConsole;
  }
}
