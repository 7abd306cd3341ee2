import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing } from 'lit';
import { ConnectionStatus } from '../src/components/index.js';
import { CONVERSATIONS, inboxSession, type ConversationName, type InboxOptions } from './fixtures.js';
import { describe, frame, type FrameArgs } from './frame.js';

interface Args extends FrameArgs {
  /** Opens this conversation at start (`conversation-type` + `target-id`); none when empty. */
  open: ConversationName | '';
  /** `no-new-conversation`: hides the list's "New conversation" button. */
  noNewConversation: boolean;
}

const meta = {
  title: 'im-chat',
  component: 'im-chat',
  args: { theme: 'light', lang: 'en', width: 880, open: 'team', noNewConversation: false },
  argTypes: {
    open: {
      control: 'select',
      options: ['', ...Object.keys(CONVERSATIONS)],
      description: 'Sets `conversation-type` and `target-id`: the conversation opened at start.',
    },
  },
  parameters: {
    docs: {
      description: {
        component: 'The whole chat in one element: the conversation list and the open conversation side by side, one pane at a '
          + 'time when the element is narrow (under 600px). Here it gets a ready `.session` (it is an `im-provider`) instead of '
          + '`server` and `token`.',
      },
    },
  },
  render: (args, { parameters }) => {
    const session = inboxSession({ lang: args.lang, ...(parameters.fixture as InboxOptions | undefined) });
    const open = args.open ? CONVERSATIONS[args.open] : undefined;
    return frame(html`
      <im-chat .session=${session} theme=${args.theme} lang=${args.lang} ?no-new-conversation=${args.noNewConversation}
        conversation-type=${open?.conversationType ?? nothing} target-id=${open?.targetId ?? nothing}></im-chat>`,
    { width: args.width });
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;


export const Default: Story = {
  parameters: describe('A group conversation open beside the list: pinned, muted and unread rows; sender runs with names and avatars.'),
};

export const NothingOpen: Story = {
  args: { open: '' },
  parameters: describe('No conversation chosen yet: the panel shows its `empty` slot’s default text.'),
};

export const Dark: Story = {
  args: { theme: 'dark' },
  parameters: describe('`theme="dark"`: every element inside follows.'),
};

export const Chinese: Story = {
  args: { lang: 'zh-CN' },
  parameters: describe('`lang="zh-CN"`: the widget’s strings, dates and the fixture data in Chinese.'),
};

export const Narrow: Story = {
  args: { width: 360, open: '' },
  parameters: describe('Under 600px wide, one pane at a time: the list first.'),
};

export const NarrowConversation: Story = {
  args: { width: 360, open: 'bob' },
  parameters: describe('Narrow with a conversation open: the panel alone, with a back button to the list.'),
};

export const NarrowDarkChinese: Story = {
  args: { width: 360, open: 'team', theme: 'dark', lang: 'zh-CN' },
  parameters: describe('All three at once: narrow, dark, Chinese.'),
};

export const LongConversation: Story = {
  args: { open: 'carol' },
  parameters: describe('2,000 messages over almost four weeks, virtualized: only the rows near the viewport are in the DOM.'),
};

export const FailedSend: Story = {
  args: { open: 'erin' },
  parameters: describe('Our last messages: one failed (30002, network unavailable) with Retry and Delete, one still sending. '
    + 'Sending anything here fails too: the client is not connected.'),
};

export const NoNewConversation: Story = {
  args: { noNewConversation: true },
  parameters: describe('`no-new-conversation`: the list without its “New conversation” button.'),
};

export const Empty: Story = {
  args: { open: '' },
  parameters: {
    fixture: { conversations: 'empty' } satisfies InboxOptions,
    ...describe('Signed in, no conversations yet.'),
  },
};

export const Loading: Story = {
  args: { open: '' },
  parameters: {
    fixture: { conversations: 'loading', status: ConnectionStatus.CONNECTING } satisfies InboxOptions,
    ...describe('Connecting: the conversation list was not fetched yet.'),
  },
};
