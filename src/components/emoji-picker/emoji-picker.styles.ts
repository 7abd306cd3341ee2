import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    width: var(--im-emoji-picker-width, 320px);
    max-width: 100%;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-m);
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.18);
    padding: var(--_space);
  }
  input {
    width: 100%;
    font: inherit;
    color: inherit;
    background: var(--_bg);
    padding: calc(var(--_space) * 0.5) var(--_space);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-s);
  }
  /* More categories than fit: the row scrolls sideways inside the picker, never wider than it. */
  .tabs {
    display: flex; gap: 2px; margin: var(--_space) 0; min-width: 0; max-width: 100%;
    overflow-x: auto; overscroll-behavior-x: contain; scrollbar-width: thin;
  }
  .tabs button {
    flex: none; font: inherit; font-size: 0.9em; border: 0; background: none; color: var(--_muted); cursor: pointer;
    padding: 2px 6px; border-radius: var(--_radius-s); white-space: nowrap;
  }
  .tabs button[aria-selected='true'] { background: var(--_surface); color: var(--_text); }
  .grid {
    display: grid;
    grid-template-columns: repeat(var(--_columns, 8), minmax(0, 1fr));
    gap: 2px;
    height: var(--im-emoji-picker-height, 220px);
    overflow-y: auto;
    align-content: start;
  }
  .grid button {
    font-size: var(--im-emoji-picker-emoji-size, 22px);
    line-height: 1.3;
    border: 0;
    background: none;
    border-radius: var(--_radius-s);
    cursor: pointer;
    padding: 2px;
    min-width: 0;
  }
  .grid button:hover, .grid button:focus-visible { background: var(--_surface); }
  .empty { grid-column: 1 / -1; color: var(--_muted); text-align: center; padding: var(--_space); }
  .empty button { font: inherit; color: var(--_text); text-decoration: underline; }
`;
