import { css } from 'lit';

export const styles = css`
  :host {
    display: flex;
    flex-direction: column;
    position: relative;
    container: im-message-list / inline-size;
    min-height: 0;
    overflow: hidden;
    background: var(--_bg);
    --_own-bg: var(--im-message-list-own-bubble-background, var(--_primary));
    --_own-fg: var(--im-message-list-own-bubble-color, var(--_on-primary));
    --_bubble-bg: var(--im-message-list-bubble-background, var(--_surface));
    --_bubble-fg: var(--im-message-list-bubble-color, var(--_text));
    --_bubble-radius: var(--im-message-list-bubble-radius, var(--_radius-m));
    --_max-bubble: var(--im-message-list-max-bubble-width, 75%);
    --_avatar-size: var(--im-avatar-size, 32px);
  }
  /* Scroll positions are kept by the element itself (Safari has no scroll anchoring): the
     browser's own anchoring would fight it. */
  .scroller {
    flex: 1 1 auto;
    min-height: 0;
    overflow-x: hidden;
    overflow-y: auto;
    overflow-anchor: none;
    overscroll-behavior: contain;
    scrollbar-gutter: stable;
    position: relative;
  }
  .scroller:focus-visible { outline-offset: -2px; }
  .spacer { position: relative; overflow-anchor: none; }
  .head {
    position: absolute; top: 0; left: 0; right: 0;
    height: 2.75em;
    display: flex; align-items: center; justify-content: center;
    color: var(--_muted); font-size: 0.85em;
  }
  .empty { padding: calc(var(--_space) * 3); color: var(--_muted); text-align: center; }

  /* One message: laid out as a grid so that the avatar sits beside the name and the bubble. */
  .row {
    position: absolute; top: 0; left: 0; right: 0;
    display: grid;
    grid-template-columns: var(--_indent, 0px) minmax(0, 1fr);
    padding: 2px calc(var(--_space) * 1.5);
    overflow-anchor: none;
  }
  .row.group.other { --_indent: calc(var(--_avatar-size) + var(--_space)); }
  .row.run-start { padding-top: var(--_space); }
  .row > * { grid-column: 2; min-width: 0; }
  .separator {
    grid-column: 1 / -1;
    justify-self: center;
    margin: var(--_space) 0;
    padding: 2px 10px;
    border-radius: 999px;
    background: var(--_surface);
    color: var(--_muted);
    font-size: 0.8em;
  }
  .avatar {
    grid-column: 1;
    grid-row: span 2;
    align-self: start;
    width: var(--_avatar-size); height: var(--_avatar-size); border-radius: 50%;
    display: grid; place-items: center; overflow: hidden;
    background: var(--_primary); color: var(--_on-primary); font-weight: 600; font-size: 0.8em;
  }
  .avatar img { width: 100%; height: 100%; object-fit: cover; }
  .name { color: var(--_muted); font-size: 0.8em; margin: 0 0 2px 2px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

  .bubble {
    justify-self: start;
    max-width: var(--_max-bubble);
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto auto;
    align-items: end;
    column-gap: 6px;
    padding: 6px 10px;
    border-radius: var(--_bubble-radius);
    background: var(--_bubble-bg);
    color: var(--_bubble-fg);
  }
  .own .bubble { justify-self: end; background: var(--_own-bg); color: var(--_own-fg); }
  /* Narrow lists: wider bubbles, the time under the text instead of beside it. */
  @container im-message-list (max-width: 480px) {
    .bubble { max-width: max(var(--_max-bubble), 88%); grid-template-columns: minmax(0, 1fr) auto; }
    .bubble .text { grid-column: 1 / -1; }
    .bubble .time { justify-self: end; }
  }
  .text { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; }
  .unsupported .text { font-style: italic; }
  .time { font-size: 0.72em; white-space: nowrap; color: var(--_muted); }
  .own .time, .own .bubble .status { color: inherit; }
  .status { font-size: 0.72em; white-space: nowrap; }
  .actions {
    justify-self: end;
    display: flex; align-items: center; gap: 6px;
    margin-top: 2px;
    font-size: 0.8em;
  }
  .actions .status { color: var(--_danger); font-size: 1em; font-weight: 600; }
  .actions button {
    font: inherit; cursor: pointer;
    padding: 2px 8px; border-radius: var(--_radius-s);
    border: 1px solid var(--_border); background: var(--_bg); color: var(--_text);
  }
  .actions button:hover { background: var(--_surface); }

  .new-messages {
    position: absolute; left: 50%; bottom: calc(var(--_space) * 1.5);
    transform: translateX(-50%);
    font: inherit; font-size: 0.85em; font-weight: 600; cursor: pointer;
    padding: 4px 12px; border: 0; border-radius: 999px;
    background: var(--_primary); color: var(--_on-primary);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.25);
  }
`;
