import { css, unsafeCSS } from 'lit';

const darkValues = `
  --_primary: var(--im-color-primary, #2563eb);
  --_primary-text: var(--im-color-primary-text, color-mix(in srgb, var(--_primary) 50%, #fff));
  --_bg: var(--im-color-background, #111827);
  --_surface: var(--im-color-surface, #1f2937);
  --_text: var(--im-color-text, #f9fafb);
  --_muted: var(--im-color-text-muted, #9ca3af);
  --_border: var(--im-color-border, #374151);
  --_danger: var(--im-color-danger, #f87171);
  --_focus: var(--im-color-focus, #93c5fd);
  color-scheme: dark;
`;

/**
 * Design tokens, on every element's host so that each can be themed alone. Public tokens are
 * `--im-*` (set them on the element or any ancestor); each element reads them through private
 * `--_*` copies. `theme="light"`, `"dark"` or `"auto"` (the default: the system's preference);
 * composite elements pass their theme to the elements they render.
 */
export const tokens = css`
  :host {
    --_primary: var(--im-color-primary, #2563eb);
    /* The accent as text colour; the dark theme lightens it, as the accent on a dark background is below 4.5:1. */
    --_primary-text: var(--im-color-primary-text, var(--_primary));
    --_on-primary: var(--im-color-on-primary, #ffffff);
    --_bg: var(--im-color-background, #ffffff);
    --_surface: var(--im-color-surface, #f3f4f6);
    --_text: var(--im-color-text, #111827);
    --_muted: var(--im-color-text-muted, #4b5563);
    --_border: var(--im-color-border, #d1d5db);
    --_danger: var(--im-color-danger, #b91c1c);
    --_badge: var(--im-color-badge, #dc2626);
    --_focus: var(--im-color-focus, #1d4ed8);
    --_radius-s: var(--im-radius-s, 6px);
    --_radius-m: var(--im-radius-m, 12px);
    --_space: var(--im-spacing, 8px);
    /* Emoji fonts close the stack: message text shows colour emoji wherever the system has one. */
    --_font: var(--im-font-family, system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif,
      'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji');
    --_font-size: var(--im-font-size, 14px);
    color-scheme: light;
    color: var(--_text);
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.4;
    box-sizing: border-box;
  }
  :host([theme='dark']) { ${unsafeCSS(darkValues)} }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) { ${unsafeCSS(darkValues)} }
  }
  *, *::before, *::after { box-sizing: inherit; }
  :focus-visible { outline: 2px solid var(--_focus); outline-offset: 2px; }
  .visually-hidden {
    position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap; border: 0;
  }
`;
