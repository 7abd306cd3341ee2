import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ref } from 'lit/directives/ref.js';
import { styleMap } from 'lit/directives/style-map.js';
import '../src/components/support/index.js';
import { describe, type FrameArgs } from './frame.js';

interface Args extends FrameArgs {
  position: 'right' | 'left';
  /** The unread count the badge shows (as the panel would report it). */
  unread: number;
  bubbleColor: string;
  bubbleSize: number;
}

/**
 * The launcher is fixed to the viewport; in a story it sits in the corner of a page-like box
 * instead (a transformed box is what fixed positioning measures from; the same frame class as
 * the other stories, which the smoke test looks for). No `server`: the panel
 * is never loaded, so nothing connects.
 */
const meta = {
  title: 'im-support',
  component: 'im-support',
  args: { theme: 'light', lang: 'en', width: 520, position: 'right', unread: 0, bubbleColor: '', bubbleSize: 56 },
  argTypes: { position: { control: 'inline-radio', options: ['right', 'left'] } },
  parameters: {
    docs: {
      description: {
        component: 'The customer-service launcher for visitors: a round bubble fixed in a corner that opens a chat panel with '
          + 'the support team (pre-chat form, queue position, away state with a leave-a-message form, rating). The launcher '
          + 'itself is a plain element of about 3 KB gzip; the panel, Lit and the core load when it is first opened. '
          + 'These stories show the bubble only: the panel needs a chat server.',
      },
    },
  },
  render: (args) => {
    const page = styleMap({
      width: `${args.width}px`, maxWidth: '100%', height: '280px', transform: 'translateZ(0)', overflow: 'hidden',
      outline: '1px dashed rgb(128 128 128 / 0.45)', background: 'linear-gradient(#f8fafc, #e2e8f0)',
    });
    const custom = styleMap({
      ...(args.bubbleColor ? { '--im-support-bubble-color': args.bubbleColor } : {}),
      '--im-support-bubble-size': `${args.bubbleSize}px`,
    });
    // The count as the panel reports it to the launcher (the event it listens for in its shadow root).
    const showUnread = (element?: Element) => {
      element?.shadowRoot?.dispatchEvent(new CustomEvent('im-unread-change', { detail: { count: args.unread } }));
    };
    return html`
      <div class="im-story-frame" style=${page}>
        <im-support theme=${args.theme} lang=${args.lang} position=${args.position} style=${custom} ${ref(showUnread)}></im-support>
      </div>`;
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;

export const Default: Story = {
  parameters: describe('Bottom-right, 56px, in the accent colour (`--im-color-primary`).'),
};

export const WithUnread: Story = {
  args: { unread: 3 },
  parameters: describe('Three answers wait: the badge shows the count, and the bubble’s accessible name says it too.'),
};

export const Left: Story = {
  args: { position: 'left' },
  parameters: describe('`position="left"`: the bubble (and its panel) on the left.'),
};

export const CustomProperties: Story = {
  args: { bubbleColor: '#15803d', bubbleSize: 64, unread: 12 },
  parameters: describe('`--im-support-bubble-color` and `--im-support-bubble-size` set on the element.'),
};

export const Chinese: Story = {
  args: { lang: 'zh-CN', unread: 1 },
  parameters: describe('`lang="zh-CN"`: the bubble’s accessible name in Chinese.'),
};
