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
  .title { font-weight: 600; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; margin: 0; font-size: 1em; }
  .status { color: var(--_muted); font-size: 0.85em; }
  .status[data-status='0'] { display: none; }
  :host([show-back]) { --_back-display: inline-block; }
  button.back {
    display: var(--_back-display, none);
    font: inherit; border: 0; background: none; color: inherit; cursor: pointer; padding: 4px 8px; border-radius: var(--_radius-s);
  }
  im-message-list { flex: 1; min-height: 0; }
  .placeholder { flex: 1; display: grid; place-items: center; color: var(--_muted); }
`;
