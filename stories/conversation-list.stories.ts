import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { ImConversationList } from '../src/components/index.js';
import { inboxSession, type ConversationName, type InboxOptions } from './fixtures.js';
import { describe, frame, type FrameArgs } from './frame.js';

interface Args extends FrameArgs {
  /** Height of the box, px: the list scrolls inside it. */
  height: number;
  /** `no-new-conversation`: hides the "New conversation" button. */
  noNewConversation: boolean;
}

const meta = {
  title: 'im-conversation-list',
  component: 'im-conversation-list',
  args: { theme: 'light', lang: 'en', width: 320, height: 520, noNewConversation: false },
  argTypes: { height: { control: { type: 'range', min: 200, max: 800, step: 10 } } },
  parameters: {
    docs: {
      description: {
        component: 'The user’s conversations, pinned first, then by latest activity: avatars, previews, unread badges '
          + '(grey when muted); a keyboard-navigable listbox (arrows, Home, End, Enter). Choosing a row dispatches the '
          + 'cancelable `im-conversation-select` and opens the conversation in the session. “New conversation” above the list '
          + 'asks for a user id and dispatches the cancelable `im-conversation-start`, then selects and opens that private '
          + 'conversation (`no-new-conversation` hides it).',
      },
    },
  },
  render: (args, { parameters }) => {
    const session = inboxSession({ lang: args.lang, ...(parameters.fixture as InboxOptions | undefined) });
    return frame(html`<im-conversation-list .session=${session} theme=${args.theme} lang=${args.lang}
      ?no-new-conversation=${args.noNewConversation}></im-conversation-list>`,
      { width: args.width, height: args.height });
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;

const fixture = (options: InboxOptions) => ({ fixture: options });

export const Default: Story = {
  parameters: describe('Pinned (the pin icon, first whatever its time), unread badges, a muted row (bell icon) with a grey badge, '
    + 'a picture avatar, initials on each id’s own colour, a row whose last message failed, a conversation with no messages yet.'),
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

export const Presence: Story = {
  parameters: {
    ...fixture({
      presence: {
        bob: { online: true, status: 'online', text: '' }, carol: { online: true, status: 'away', text: 'Back at 3' },
        erin: { online: false, status: 'offline', text: '' },
      },
    }),
    ...describe('Private chats\' users\' status on their avatars: online (filled), away (half), offline (a ring); named, with the text in the tooltip.'),
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

/** Opens the "New conversation" form of the story's list and, given `typed`, submits it. */
async function startForm(canvasElement: HTMLElement, typed?: string): Promise<void> {
  const list = canvasElement.querySelector<ImConversationList>('im-conversation-list')!;
  await list.updateComplete;
  list.shadowRoot!.querySelector<HTMLButtonElement>('[part="new-conversation-button"]')!.click();
  await list.updateComplete;
  if (typed === undefined) return;
  list.shadowRoot!.querySelector<HTMLInputElement>('[part="new-conversation-form"] input')!.value = typed;
  list.shadowRoot!.querySelector<HTMLFormElement>('[part="new-conversation-form"]')!.requestSubmit();
}

export const NewConversation: Story = {
  play: ({ canvasElement }) => startForm(canvasElement),
  parameters: describe('“New conversation” opened: a user id, then Start or Enter; Escape or the close button closes it. Starting dispatches '
    + '`im-conversation-start`, then selects and opens the private conversation, messages or none.'),
};

export const NewConversationRefused: Story = {
  play: ({ canvasElement }) => startForm(canvasElement, 'someone with spaces'),
  parameters: describe('An id the server would refuse (empty, over 64 characters, or other than letters, digits and _ = @ . + -): '
    + 'the reason under the field, nothing dispatched.'),
};

export const NoNewConversation: Story = {
  args: { noNewConversation: true },
  parameters: describe('`no-new-conversation`: no button, for sites that start conversations themselves.'),
};
