import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    width: var(--im-emoji-picker-width, 320px);
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
  .tabs { display: flex; gap: 2px; margin: var(--_space) 0; overflow-x: auto; scrollbar-width: thin; }
  .tabs button {
    font: inherit; border: 0; background: none; color: var(--_muted); cursor: pointer;
    padding: 2px 6px; border-radius: var(--_radius-s); white-space: nowrap;
  }
  .tabs button[aria-selected='true'] { background: var(--_surface); color: var(--_text); }
  .grid {
    display: grid;
    grid-template-columns: repeat(var(--_columns, 8), 1fr);
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
  }
  .grid button:hover, .grid button:focus-visible { background: var(--_surface); }
  .empty { grid-column: 1 / -1; color: var(--_muted); text-align: center; padding: var(--_space); }
`;
