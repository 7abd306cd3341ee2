import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { inboxSession } from './fixtures.js';
import { frame, type FrameArgs } from './frame.js';

const meta = {
  title: 'im-provider',
  component: 'im-provider',
  args: { theme: 'light', lang: 'en', width: 820 },
  parameters: {
    docs: {
      description: {
        component: 'Gives every im-* element inside it one chat session (client + store): set `session`, or let it make one '
          + 'from `server` and `token`. Use it to build your own layout from the individual elements.',
      },
    },
  },
  render: (args) => {
    const session = inboxSession({ lang: args.lang, active: 'team' });
    return frame(html`
      <im-provider .session=${session}>
        <div style="display: grid; grid-template-columns: 240px 1fr; height: 520px; border: 1px solid #9ca3af; border-radius: 12px; overflow: hidden">
          <im-conversation-list theme=${args.theme} lang=${args.lang} style="border-right: 1px solid #9ca3af"></im-conversation-list>
          <im-chat-panel theme=${args.theme} lang=${args.lang} style="min-width: 0"></im-chat-panel>
        </div>
      </im-provider>`,
    { width: args.width });
  },
} satisfies Meta<FrameArgs>;

export default meta;
type Story = StoryObj<FrameArgs>;

export const CustomLayout: Story = {
  parameters: {
    docs: {
      description: {
        story: 'An `im-conversation-list` and an `im-chat-panel` in a page’s own grid, sharing the provider’s session '
          + 'through context (no `.session` on them): choosing a row opens it in the panel.',
      },
    },
  },
};

export const CustomLayoutDark: Story = {
  args: { theme: 'dark' },
  parameters: { docs: { description: { story: 'The same, `theme="dark"` on each element.' } } },
};
