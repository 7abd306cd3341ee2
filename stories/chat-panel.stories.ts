import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing } from 'lit';
import { ConnectionStatus } from '../src/components/index.js';
import { CONVERSATIONS, inboxSession, type ConversationName, type InboxOptions } from './fixtures.js';
import { describe, frame, type FrameArgs } from './frame.js';

interface Args extends FrameArgs {
  height: number;
  /** The conversation shown (`conversation-type` + `target-id`); none when empty. */
  conversation: ConversationName | '';
  /** `show-back`: the back button in the header. */
  showBack: boolean;
}

const meta = {
  title: 'im-chat-panel',
  component: 'im-chat-panel',
  args: { theme: 'light', lang: 'en', width: 560, height: 560, conversation: 'bob', showBack: false },
  argTypes: {
    height: { control: { type: 'range', min: 200, max: 900, step: 10 } },
    conversation: { control: 'select', options: ['', ...Object.keys(CONVERSATIONS)] },
  },
  parameters: {
    docs: {
      description: {
        component: 'One conversation: a header with its title, who is typing, and the connection status (hidden while '
          + 'connected), the messages (`im-message-list`) and the composer (`im-composer`). Shows the conversation given by '
          + '`conversation-type` and `target-id`, or else the one open in the session.',
      },
    },
  },
  render: (args, { parameters }) => {
    const session = inboxSession({ lang: args.lang, ...(parameters.fixture as InboxOptions | undefined) });
    const shown = args.conversation ? CONVERSATIONS[args.conversation] : undefined;
    return frame(html`
      <im-chat-panel .session=${session} theme=${args.theme} lang=${args.lang} ?show-back=${args.showBack}
        conversation-type=${shown?.conversationType ?? nothing} target-id=${shown?.targetId ?? nothing}></im-chat-panel>`,
    { width: args.width, height: args.height });
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;


export const Private: Story = {
  parameters: describe('A private conversation over two days: date separators, own and received bubbles, send status.'),
};

export const Group: Story = {
  args: { conversation: 'team' },
  parameters: describe('A group: the first message of each sender’s run gets the name and the avatar (picture or initials).'),
};

export const LongConversation: Story = {
  args: { conversation: 'carol' },
  parameters: describe('2,000 messages, opened at the newest; scroll up for the rest (virtualized).'),
};

export const FailedSend: Story = {
  args: { conversation: 'erin' },
  parameters: describe('A failed send (30002) with Retry and Delete, and one still sending. Writing here fails too: the client is offline.'),
};

export const NotInGroup: Story = {
  args: { conversation: 'hike' },
  parameters: describe('Our message to a group we were removed from failed with 22406 (not in group).'),
};

export const Typing: Story = {
  parameters: {
    fixture: { typing: { bob: ['bob'] } } satisfies InboxOptions,
    ...describe('The peer is typing: “typing…” under the title, connected or not.'),
  },
};

export const TypingInGroup: Story = {
  args: { conversation: 'team' },
  parameters: {
    fixture: { typing: { team: ['carol', 'dave'] } } satisfies InboxOptions,
    ...describe('Two members typing in a group: their names under the title.'),
  },
};

export const TypingWhileConnecting: Story = {
  parameters: {
    fixture: { typing: { bob: ['bob'] }, status: ConnectionStatus.CONNECTING } satisfies InboxOptions,
    ...describe('Someone was typing when the connection dropped: who types and the connection status, side by side.'),
  },
};

export const PresenceAndBlocked: Story = {
  parameters: {
    fixture: { presence: { bob: { online: true, status: 'busy', text: 'In a meeting' } }, blocked: ['bob'] } satisfies InboxOptions,
    ...describe('The peer\'s status beside the title (busy: a bar; its name in the tooltip), and the notice while they are blocked. The ⋯ menu has Unblock.'),
  },
};

export const Loading: Story = {
  parameters: {
    fixture: { unloaded: ['bob'] } satisfies InboxOptions,
    ...describe('The newest page of the conversation was not fetched yet.'),
  },
};

export const NoMessages: Story = {
  args: { conversation: 'grace' },
  parameters: describe('A new conversation: fetched, and empty.'),
};

export const NoConversation: Story = {
  args: { conversation: '' },
  parameters: describe('Nothing to show: no `target-id` and none open in the session; the `empty` slot’s default text.'),
};

export const Connecting: Story = {
  parameters: {
    fixture: { status: ConnectionStatus.CONNECTING } satisfies InboxOptions,
    ...describe('The header shows the connection status whenever it is not “connected”.'),
  },
};

export const SignedInElsewhere: Story = {
  parameters: {
    fixture: { status: ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT } satisfies InboxOptions,
    ...describe('Kicked offline: the same user signed in on another device (status 6).'),
  },
};

export const Dark: Story = {
  args: { theme: 'dark', conversation: 'team' },
  parameters: describe('`theme="dark"`.'),
};

export const Chinese: Story = {
  args: { lang: 'zh-CN', conversation: 'team' },
  parameters: describe('`lang="zh-CN"`.'),
};

export const Narrow: Story = {
  args: { width: 320, showBack: true, conversation: 'team' },
  parameters: describe('320px with `show-back` (what im-chat does on narrow layouts).'),
};
