/** What every story shares: the args for theme, language and width, and the box the element sits in. */
import { html, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Lang } from './fixtures.js';

export type Theme = 'light' | 'dark' | 'auto';

export interface FrameArgs {
  /** The elements' `theme` attribute. */
  theme: Theme;
  /** The elements' `lang` attribute; the fixture data follows it. */
  lang: Lang;
  /** Width of the box around the element, px. */
  width: number;
}

/**
 * A box of `width` (and `height`, for elements that fill their parent: the list, the panel, the
 * message list) with a dashed outline, so that layout bugs at the edges show.
 */
export function frame(content: TemplateResult, options: { width: number; height?: number }): TemplateResult {
  const style = styleMap({
    width: `${options.width}px`,
    maxWidth: '100%',
    ...(options.height ? { height: `${options.height}px`, display: 'flex', flexDirection: 'column' } : {}),
    outline: '1px dashed rgb(128 128 128 / 0.45)',
  });
  return html`<div class="im-story-frame" style=${style}>${content}</div>`;
}


/** A story's description, shown on its docs page. */
export const describe = (story: string) => ({ docs: { description: { story } } });
