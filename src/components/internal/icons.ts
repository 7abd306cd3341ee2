import { svg, type SVGTemplateResult } from 'lit';

/**
 * The widget's icons, drawn inline as SVG: they need no icon font and no emoji font (emoji
 * characters render as empty boxes on systems without one), take `currentColor`, and scale with
 * the text (1em square unless the caller's CSS sizes them). Decorative: the control around an
 * icon carries the accessible name.
 */
export type IconName =
  | 'check' | 'check-double' | 'clock' | 'alert' | 'more' | 'back' | 'arrow-down' | 'smile' | 'paperclip'
  | 'mic' | 'stop' | 'send' | 'close' | 'pin' | 'bell-off' | 'plus' | 'download';

// 24×24 paths, stroked (round caps and joins) unless listed in FILLED.
const PATHS: Record<IconName, SVGTemplateResult> = {
  check: svg`<path d="M4 12.5l5 5L20 6.5"/>`,
  'check-double': svg`<path d="M1.5 12.5l5 5L17.5 6.5"/><path d="M11.5 16l1.5 1.5L23.5 6.5"/>`,
  clock: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>`,
  alert: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5"/><path d="M12 16.5v.01"/>`,
  more: svg`<circle cx="5" cy="12" r="1.6"/><circle cx="12" cy="12" r="1.6"/><circle cx="19" cy="12" r="1.6"/>`,
  back: svg`<path d="M15 5l-7 7 7 7"/>`,
  'arrow-down': svg`<path d="M12 5v14"/><path d="M6 13l6 6 6-6"/>`,
  smile: svg`<circle cx="12" cy="12" r="9"/><path d="M8 14.5c1 1.3 2.3 2 4 2s3-.7 4-2"/><path d="M9 9.5v.01"/><path d="M15 9.5v.01"/>`,
  paperclip: svg`<path d="M20 11.5l-8.1 8.1a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"/>`,
  mic: svg`<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0"/><path d="M12 17.5V21"/>`,
  stop: svg`<rect x="6" y="6" width="12" height="12" rx="2"/>`,
  send: svg`<path d="M4 12l16-8-6 16-2.5-6.5z"/><path d="M11.5 13.5L20 4"/>`,
  close: svg`<path d="M6 6l12 12"/><path d="M18 6L6 18"/>`,
  pin: svg`<path d="M9 4h6l-1 5 3 3v2H7v-2l3-3z"/><path d="M12 14v6"/>`,
  'bell-off': svg`<path d="M18 16H5l1.5-2V10a5.5 5.5 0 0 1 8.8-4.4"/><path d="M18 10v4l1 2"/><path d="M10 19a2 2 0 0 0 4 0"/><path d="M3 3l18 18"/>`,
  plus: svg`<path d="M12 5v14"/><path d="M5 12h14"/>`,
  download: svg`<path d="M12 4v11"/><path d="M7 10.5l5 5 5-5"/><path d="M5 20h14"/>`,
};

const FILLED: ReadonlySet<IconName> = new Set(['more']);

/** An icon as inline SVG, `class="icon"` plus the name, hidden from assistive technology. */
export function icon(name: IconName): SVGTemplateResult {
  const filled = FILLED.has(name);
  return svg`<svg class="icon icon-${name}" viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false"
    fill=${filled ? 'currentColor' : 'none'} stroke=${filled ? 'none' : 'currentColor'}
    stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${PATHS[name]}</svg>`;
}
