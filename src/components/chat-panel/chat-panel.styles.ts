import { css } from 'lit';

export const styles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    height: 100%;
    background: var(--_bg);
  }
  header {
    display: flex;
    align-items: center;
    gap: var(--_space);
    padding: var(--_space) calc(var(--_space) * 1.5);
    border-bottom: 1px solid var(--_border);
    min-height: var(--im-chat-panel-header-height, 52px);
    background: var(--im-chat-panel-header-background, var(--_bg));
  }
  .heading { flex: 1; min-width: 0; display: flex; flex-direction: column; justify-content: center; }
  .title { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; margin: 0; font-size: 1em; }
  .activity {
    margin: 0; color: var(--_muted); font-size: 0.85em;
    overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
  }
  .typing { font-style: italic; }
  .members:not([hidden]) + .typing:not([hidden])::before { content: '· '; }
  .status[data-status='0'] { display: none; }
  .typing:not([hidden]) + .status:not([data-status='0'])::before { content: '· '; }
  :host([show-back]) { --_back-display: inline-grid; }
  button.back {
    display: var(--_back-display, none); place-items: center;
    font: inherit; font-size: 1.3em; border: 0; background: none; color: inherit; cursor: pointer;
    padding: 4px; border-radius: var(--_radius-s); min-width: 1.8em; min-height: 1.8em;
  }
  button.back:hover { background: var(--_surface); }
  im-message-list { flex: 1; min-height: 0; }
  .title .presence { margin-inline-start: 0.4em; vertical-align: middle; }
  .menu-anchor { position: relative; }
  .menu-button {
    display: inline-grid; place-items: center; font: inherit; border: 0; background: none; color: inherit; cursor: pointer;
    padding: 4px; border-radius: var(--_radius-s); min-width: 1.8em; min-height: 1.8em;
  }
  .menu-button:hover { background: var(--_surface); }
  .menu {
    position: absolute; inset-inline-end: 0; top: 100%; z-index: 5; min-width: 12em; max-width: min(20em, 80vw);
    background: var(--_bg); color: var(--_text); border: 1px solid var(--_border); border-radius: var(--_radius-m, 8px);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.18); padding: 4px;
  }
  .menu p { margin: 4px 8px 8px; }
  .menu button, .blocked-notice button {
    font: inherit; cursor: pointer; border: 1px solid transparent; border-radius: var(--_radius-s); padding: 6px 10px;
    background: none; color: inherit; text-align: start;
  }
  .menu [role='menuitem'] { display: block; width: 100%; }
  .menu button:hover { background: var(--_surface); }
  .confirm-actions { display: flex; justify-content: end; gap: 6px; }
  .menu button.danger { background: var(--_danger); color: #fff; }
  .blocked-notice {
    display: flex; align-items: center; gap: var(--_space); padding: var(--_space) calc(var(--_space) * 1.5);
    background: var(--_surface); border-bottom: 1px solid var(--_border); font-size: 0.9em;
  }
  .blocked-notice span { flex: 1; }
  .blocked-notice button { border-color: var(--_border); }
  .placeholder { flex: 1; display: grid; place-items: center; color: var(--_muted); }
`;
