import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { ImComposer } from '../src/components/index.js';
import { CONVERSATIONS, inboxSession, type InboxOptions } from './fixtures.js';
import { describe, frame, type FrameArgs } from './frame.js';

interface Args extends FrameArgs {
  disabled: boolean;
}

const meta = {
  title: 'im-composer',
  component: 'im-composer',
  args: { theme: 'light', lang: 'en', width: 520, disabled: false },
  parameters: {
    docs: {
      description: {
        component: 'Where the user writes. Enter sends, Shift+Enter breaks the line, and an Enter that ends an IME composition '
          + 'never sends. Each conversation’s draft is kept in the store. Sending dispatches the cancelable '
          + '`im-request-send`, then `im-message-send` (see the Actions panel); here the send itself fails, as the client is offline.',
      },
    },
  },
  render: (args, { parameters }) => {
    const session = inboxSession({ lang: args.lang, ...(parameters.fixture as InboxOptions | undefined) });
    const { conversationType, targetId } = CONVERSATIONS.bob;
    return frame(html`
      <im-composer .session=${session} theme=${args.theme} lang=${args.lang} ?disabled=${args.disabled}
        conversation-type=${conversationType} target-id=${targetId}></im-composer>`,
    { width: args.width });
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;


export const Default: Story = {
  parameters: describe('Empty: the send button is disabled until there is text.'),
};

export const WithDraft: Story = {
  parameters: {
    fixture: { drafts: { bob: 'Yes, 11:00 works for me.\nShall I send the agenda?' } } satisfies InboxOptions,
    ...describe('The conversation’s draft from the store, two lines.'),
  },
};

export const Disabled: Story = {
  args: { disabled: true },
  parameters: describe('`disabled`: no input, no send.'),
};

export const Dark: Story = {
  args: { theme: 'dark' },
  parameters: { fixture: { drafts: { bob: 'Dark theme 🌙' } } satisfies InboxOptions, ...describe('`theme="dark"`, with a draft.') },
};

export const Chinese: Story = {
  args: { lang: 'zh-CN' },
  parameters: describe('`lang="zh-CN"`: placeholder and button in Chinese.'),
};

export const Narrow: Story = {
  args: { width: 260 },
  parameters: {
    fixture: { drafts: { bob: 'A longer draft that has to wrap in a narrow composer' } } satisfies InboxOptions,
    ...describe('260px: icons only on the buttons (their names stay for assistive technology).'),
  },
};

export const EmojiPickerOpen: Story = {
  render: (args, context) => html`<div style="padding-top: 340px">${meta.render(args, context)}</div>`,
  play: async ({ canvasElement }) => {
    const composer = canvasElement.querySelector<ImComposer>('im-composer')!;
    await composer.updateComplete;
    composer.shadowRoot!.querySelector<HTMLButtonElement>('[part="emoji-button"]')!.click();
  },
  parameters: describe('The emoji button opens `im-emoji-picker` above the input; a pick is inserted at the caret. A press '
    + 'outside the picker, Escape, or sending closes it.'),
};

export const NarrowEmojiPicker: Story = {
  args: { width: 320 },
  render: EmojiPickerOpen.render,
  play: EmojiPickerOpen.play,
  parameters: describe('320px: the picker stays inside the composer’s width and its category tabs scroll sideways inside it; '
    + 'the send button shows its icon only.'),
};
