import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    container-type: inline-size;
    height: var(--im-chat-height, 600px);
    border: 1px solid var(--_border);
    border-radius: var(--im-chat-radius, var(--_radius-m));
    overflow: hidden;
    background: var(--_bg);
  }
  .layout {
    display: grid;
    grid-template-columns: var(--im-chat-list-width, 300px) 1fr;
    height: 100%;
  }
  im-conversation-list { border-right: 1px solid var(--_border); min-height: 0; }
  im-chat-panel { min-width: 0; min-height: 0; }
  .placeholder { flex: 1; display: grid; place-items: center; margin: 0; color: var(--_muted); }
  @container (max-width: 599px) {
    .layout { grid-template-columns: 1fr; }
    .layout[data-pane='list'] im-chat-panel { display: none; }
    .layout[data-pane='panel'] im-conversation-list { display: none; }
    im-chat-panel { --_back-display: inline-grid; }
  }
`;
