import type { Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components';
import { html } from 'lit';
import { action } from 'storybook/actions';
// Registers every im-* tag, exactly as the widget's bundles do.
import '../src/components/index.js';

interface Manifest { modules: Array<{ declarations?: Array<{ events?: Array<{ name: string }> }> }> }

// The Custom Elements Manifest `npm run build` writes: the docs pages' tables of attributes,
// properties, events, slots, parts and CSS properties come from it (none before a first build).
const manifest = Object.values(import.meta.glob<Manifest>('../dist/custom-elements.json', { eager: true, import: 'default' }))[0];
if (manifest) setCustomElementsManifest(manifest);

/** Every im-* event the elements dispatch (they bubble and are composed): logged in the Actions panel. */
const IM_EVENTS = new Set([
  'im-conversation-select', 'im-request-send', 'im-message-send', 'im-message-retry', 'im-message-discard',
  'im-load-older', 'im-back', 'im-status-change', 'im-emoji-select', 'im-emoji-close',
  ...(manifest?.modules ?? []).flatMap((module) => module.declarations ?? []).flatMap((declaration) => declaration.events ?? []).map((event) => event.name),
]);
for (const name of IM_EVENTS) {
  const log = action(name);
  document.addEventListener(name, (event) => log((event as CustomEvent).detail));
}

// The frames' children fill them: elements such as im-message-list need a height.
const style = document.createElement('style');
style.textContent = '.im-story-frame > * { flex: 1 1 auto; min-height: 0; }';
document.head.append(style);

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    options: {
      storySort: { order: ['im-chat', 'im-provider', 'im-conversation-list', 'im-chat-panel', 'im-message-list', 'im-composer', 'im-emoji-picker', '*'] },
    },
  },
  argTypes: {
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'], description: '`theme`: light, dark, or auto (the system preference).' },
    lang: { control: 'inline-radio', options: ['en', 'zh-CN'], description: '`lang`; the fixture data (names, messages) follows it.' },
    width: { control: { type: 'range', min: 240, max: 1100, step: 10 }, description: 'Width of the box around the element, px (not an element property).' },
  },
  decorators: [
    // A dark page behind dark stories, as a host page with a dark theme would have: the whole
    // canvas for one story, a box around each story on a docs page.
    (story, { args, viewMode }) => {
      const dark = args.theme === 'dark' || (args.theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
      if (viewMode === 'docs') return dark ? html`<div style="background: #030712; padding: 16px">${story()}</div>` : story();
      document.body.style.background = dark ? '#030712' : '';
      return story();
    },
  ],
};
export default preview;
