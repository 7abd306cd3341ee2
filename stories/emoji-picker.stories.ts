import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { ImEmojiPicker } from '../src/components/index.js';
import * as emoji from '../src/emoji/index.js';
import { ME } from './fixtures.js';
import { describe, frame, type FrameArgs } from './frame.js';

/** A memory store for recent emoji, filled in `loaders` through the module's own RecentEmoji. */
function memoryStore(): emoji.RecentEmojiStore {
  const values = new Map<string, unknown>();
  return { get: async (key) => values.get(key), set: async (key, value) => void values.set(key, value) };
}

/** Types `text` into the picker's search field, as a user would. */
async function search(canvas: HTMLElement, text: string): Promise<void> {
  const picker = canvas.querySelector<ImEmojiPicker>('im-emoji-picker')!;
  await picker.updateComplete;
  const input = picker.shadowRoot!.querySelector<HTMLInputElement>('[part="search"]')!;
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await picker.updateComplete;
}

interface Args extends FrameArgs {
  /** `--im-emoji-picker-width`, px. */
  pickerWidth: number;
}

const meta = {
  title: 'im-emoji-picker',
  component: 'im-emoji-picker',
  args: { theme: 'light', lang: 'en', width: 360, pickerWidth: 320 },
  argTypes: { pickerWidth: { control: { type: 'range', min: 200, max: 480, step: 10 } } },
  parameters: {
    docs: {
      description: {
        component: 'Emoji to pick from: recently used, the 128 built-in emoji, then the full Unicode set (loaded when first '
          + 'shown), searchable by zh and en names. Arrow keys move, Enter picks, Escape closes; a pick dispatches '
          + '`im-emoji-select` (see the Actions panel). The composer opens it above its input.',
      },
    },
  },
  render: (args, { loaded }) => {
    const recentStore = (loaded as { recentStore?: emoji.RecentEmojiStore }).recentStore ?? memoryStore();
    return frame(html`
      <im-emoji-picker theme=${args.theme} lang=${args.lang} user-id=${ME} .recentStore=${recentStore}
        style=${styleMap({ '--im-emoji-picker-width': `${args.pickerWidth}px` })}></im-emoji-picker>`,
    { width: args.width });
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;


export const Default: Story = {
  parameters: describe('The built-in emoji first; the Unicode categories appear in the tabs once their data has loaded.'),
};

export const Recent: Story = {
  loaders: [async () => {
    const recentStore = memoryStore();
    const recent = new emoji.RecentEmoji(recentStore, ME);
    for (const picked of ['👍', '😂', '🎉', '🙏', '❤️', '🌙']) await recent.add(picked);
    return { recentStore };
  }],
  play: async ({ canvasElement }) => {
    const picker = canvasElement.querySelector<ImEmojiPicker>('im-emoji-picker')!;
    await picker.updateComplete;
    picker.shadowRoot!.querySelector<HTMLButtonElement>('[role="tab"]')!.click();
  },
  parameters: describe('The “Recently used” tab, with six emoji picked before (kept per `user-id` in `recentStore`).'),
};

export const Search: Story = {
  play: async ({ canvasElement }) => search(canvasElement, 'cat'),
  parameters: describe('Searching “cat”: English names match (Chinese names with `lang="zh-CN"`).'),
};

export const SearchChinese: Story = {
  args: { lang: 'zh-CN' },
  play: async ({ canvasElement }) => search(canvasElement, '笑'),
  parameters: describe('`lang="zh-CN"`, searching “笑”.'),
};

export const NothingFound: Story = {
  play: async ({ canvasElement }) => search(canvasElement, 'qqqq'),
  parameters: describe('A search without results.'),
};

export const Dark: Story = {
  args: { theme: 'dark' },
  parameters: describe('`theme="dark"`.'),
};

export const Chinese: Story = {
  args: { lang: 'zh-CN' },
  parameters: describe('`lang="zh-CN"`: tab names, placeholder and emoji names (tooltips) in Chinese.'),
};

export const Narrow: Story = {
  args: { width: 260, pickerWidth: 240 },
  parameters: describe('`--im-emoji-picker-width: 240px`: the grid keeps 8 columns, the tabs scroll.'),
};
