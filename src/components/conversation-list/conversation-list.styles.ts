import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    overflow-y: auto;
    background: var(--_bg);
    --_row-height: var(--im-conversation-list-row-height, 64px);
    --_avatar-size: var(--im-avatar-size, 40px);
  }
  /* A row brought into view with the keyboard is not left under the sticky header. */
  :host(:not([no-new-conversation])) { scroll-padding-top: 3.5em; }
  /* Stays in reach while the list scrolls under it. */
  .header {
    position: sticky; top: 0; z-index: 1;
    padding: var(--_space) calc(var(--_space) * 1.5);
    background: var(--_bg);
    border-bottom: 1px solid var(--_border);
  }
  button {
    font: inherit; color: inherit; cursor: pointer;
    border: 1px solid var(--_border); border-radius: var(--_radius-s); background: var(--_surface);
    padding: 4px 10px; min-height: 2em;
  }
  .icon { display: block; width: 1.15em; height: 1.15em; flex: none; }
  button.new {
    display: inline-flex; align-items: center; gap: 6px; max-width: 100%;
    border-color: transparent; background: none; font-weight: 600; padding-inline: 6px;
  }
  button.new .icon { color: var(--_primary); }
  button.new span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  button.new:hover { background: var(--_surface); }
  ul { list-style: none; margin: 0; padding: 0; }
  li {
    display: grid;
    grid-template-columns: var(--_avatar-size) 1fr auto;
    grid-template-rows: auto auto;
    column-gap: var(--_space);
    align-items: center;
    min-height: var(--_row-height);
    padding: var(--_space) calc(var(--_space) * 1.5);
    cursor: pointer;
    border-bottom: 1px solid var(--_border);
  }
  li:hover { background: var(--_surface); }
  li[aria-selected='true'] { background: var(--im-conversation-list-selected-background, var(--_surface)); }
  li:focus-visible { outline-offset: -2px; }
  .avatar {
    grid-row: 1 / 3; grid-column: 1;
    width: var(--_avatar-size); height: var(--_avatar-size); border-radius: 50%;
    display: grid; place-items: center; overflow: hidden;
    /* The background is the id's own colour (avatarColor), dark enough for white text. */
    background: var(--_primary); color: #fff; font-weight: 600;
  }
  .avatar img { width: 100%; height: 100%; object-fit: cover; }
  li > .presence { grid-row: 2; grid-column: 1; justify-self: end; align-self: end; }
  .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .time { color: var(--_muted); font-size: 0.8em; white-space: nowrap; }
  .preview { color: var(--_muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .preview.typing { color: var(--_primary-text); font-style: italic; }
  .preview .failed { color: var(--_danger); font-weight: 600; }
  .marks { display: flex; gap: 4px; align-items: center; justify-content: end; color: var(--_muted); font-size: 0.85em; }
  .mark { display: inline-grid; place-items: center; }
  .badge {
    min-width: 1.6em; padding: 0 0.45em; border-radius: 999px; text-align: center;
    background: var(--_badge); color: #fff; font-size: max(11px, 0.9em); line-height: 1.6em; font-weight: 600;
  }
  .badge.muted { background: var(--_muted); }
  .search { padding: var(--_space) calc(var(--_space) * 1.5) 0; }
  .search input {
    box-sizing: border-box; width: 100%; font: inherit; padding: 6px 10px; border-radius: var(--_radius-s);
    border: 1px solid var(--_border); background: var(--_bg); color: var(--_text);
  }
  .menu {
    position: fixed; z-index: 10; display: grid; min-width: 10em; padding: 4px;
    border-radius: var(--_radius-s); border: 1px solid var(--_border);
    background: var(--_bg); color: var(--_text); box-shadow: 0 4px 16px rgb(0 0 0 / 0.25);
  }
  .menu [role='menuitem'] {
    display: flex; gap: 8px; align-items: center; font: inherit; text-align: start; cursor: pointer;
    padding: 6px 10px; border: 0; border-radius: var(--_radius-s); background: none; color: inherit;
  }
  .menu [role='menuitem']:hover, .menu [role='menuitem']:focus-visible { background: var(--_surface); }
  .empty { padding: calc(var(--_space) * 3); color: var(--_muted); text-align: center; }
  .error { color: var(--_text); margin: 0; }
  .error p { margin: 0 0 var(--_space); }
  .retry {
    font: inherit; cursor: pointer; padding: 4px 12px; border-radius: var(--_radius-s);
    border: 1px solid var(--_border); background: var(--_bg); color: var(--_text);
  }
  .retry:hover { background: var(--_surface); }
`;
