import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { inboxSession, type ConversationName, type InboxOptions } from './fixtures.js';
import { describe, frame, type FrameArgs } from './frame.js';

interface Args extends FrameArgs {
  /** Height of the box, px: the list scrolls inside it. */
  height: number;
}

const meta = {
  title: 'im-conversation-list',
  component: 'im-conversation-list',
  args: { theme: 'light', lang: 'en', width: 320, height: 520 },
  argTypes: { height: { control: { type: 'range', min: 200, max: 800, step: 10 } } },
  parameters: {
    docs: {
      description: {
        component: 'The user’s conversations, pinned first, then by latest activity: avatars, previews, unread badges '
          + '(grey when muted); a keyboard-navigable listbox (arrows, Home, End, Enter). Choosing a row dispatches the '
          + 'cancelable `im-conversation-select` and opens the conversation in the session.',
      },
    },
  },
  render: (args, { parameters }) => {
    const session = inboxSession({ lang: args.lang, ...(parameters.fixture as InboxOptions | undefined) });
    return frame(html`<im-conversation-list .session=${session} theme=${args.theme} lang=${args.lang}></im-conversation-list>`,
      { width: args.width, height: args.height });
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;

const fixture = (options: InboxOptions) => ({ fixture: options });

export const Default: Story = {
  parameters: describe('Pinned (📌, first whatever its time), unread badges, a muted row with a grey badge, a picture avatar, '
    + 'a row whose last message failed, a conversation with no messages yet.'),
};

export const Selected: Story = {
  parameters: { ...fixture({ active: 'team' satisfies ConversationName }), ...describe('The open conversation’s row is selected (`aria-selected`).') },
};

export const ManyConversations: Story = {
  parameters: {
    ...fixture({ conversations: 'many' }),
    ...describe('60 conversations with more on the server: the list scrolls; 150 unread shows as 99+.'),
  },
};

export const Empty: Story = {
  parameters: { ...fixture({ conversations: 'empty' }), ...describe('Fetched, and there are none: the `empty` slot’s default text.') },
};

export const Loading: Story = {
  parameters: { ...fixture({ conversations: 'loading' }), ...describe('Not fetched yet (the session is connecting).') },
};

export const Dark: Story = {
  args: { theme: 'dark' },
  parameters: { ...fixture({ active: 'team' }), ...describe('`theme="dark"`.') },
};

export const Chinese: Story = {
  args: { lang: 'zh-CN' },
  parameters: describe('`lang="zh-CN"`: names, previews, dates and labels in Chinese.'),
};

export const Narrow: Story = {
  args: { width: 240 },
  parameters: describe('240px: names and previews are cut with an ellipsis; times and badges stay whole.'),
};
