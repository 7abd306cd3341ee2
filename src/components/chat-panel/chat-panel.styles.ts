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
  .placeholder { flex: 1; display: grid; place-items: center; color: var(--_muted); }
`;
