import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    position: relative;
    height: var(--im-agent-console-height, 640px);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-m);
    overflow: hidden;
    background: var(--_bg);
    --_note-bg: var(--im-agent-console-note-background, #fef9c3);
    --_note-border: var(--im-agent-console-note-border, #ca8a04);
    --_note-text: #422006;
  }
  button { font: inherit; color: inherit; cursor: pointer; }
  button:disabled { cursor: default; opacity: 0.55; }
  .layout {
    display: grid;
    grid-template-columns: var(--im-agent-console-sessions-width, 300px) minmax(0, 1fr) var(--im-agent-console-details-width, 300px);
    height: 100%;
    min-height: 0;
  }
  .side { min-height: 0; min-width: 0; background: var(--_bg); }
  .left { border-right: 1px solid var(--_border); }
  .right { border-left: 1px solid var(--_border); }
  .sessions, .details { display: flex; flex-direction: column; height: 100%; min-height: 0; }

  /* Five tabs in a 300px pane: they share the width, and scroll sideways rather than clip when a language needs more. */
  .tabs { display: flex; border-bottom: 1px solid var(--_border); padding: 0 4px; overflow-x: auto; scrollbar-width: thin; }
  [role='tab'] {
    flex: 1 0 auto; padding: calc(var(--_space) * 1.25) 1px; border: 0; border-bottom: 2px solid transparent;
    background: none; color: var(--_muted); white-space: nowrap; font-size: 0.875em;
  }
  [role='tab'][aria-selected='true'] { color: var(--_primary-text); border-bottom-color: var(--_primary); font-weight: 600; }
  .count {
    display: inline-block; min-width: 1.5em; padding: 0 4px; border-radius: 999px;
    background: var(--_surface); color: var(--_text); font-size: 0.85em; text-align: center;
  }
  .panel { flex: 1; overflow-y: auto; min-height: 0; }
  .list { list-style: none; margin: 0; padding: 0; }
  .row { display: flex; align-items: center; gap: var(--_space); border-bottom: 1px solid var(--_border); }
  .row .open, .row .inspect {
    flex: 1; min-width: 0; display: grid; grid-template-columns: 1fr auto; gap: 2px var(--_space);
    padding: var(--_space) calc(var(--_space) * 1.5); text-align: start; border: 0; background: none;
  }
  .row .open:hover, .row .open[aria-current='true'], .row .inspect:hover, .row .inspect[aria-current='true'] { background: var(--_surface); }
  .more {
    display: block; width: calc(100% - var(--_space) * 3); margin: var(--_space) auto; padding: 6px 12px;
    border: 1px solid var(--_border); border-radius: var(--_radius-s); background: var(--_bg);
  }
  .more[aria-disabled='true'] { opacity: 0.55; cursor: default; }

  .filter { display: flex; gap: 4px; padding: var(--_space) calc(var(--_space) * 1.5) 0; }
  .filter button { padding: 2px 10px; border: 1px solid var(--_border); border-radius: 999px; background: var(--_bg); }
  .filter button[aria-pressed='true'] { background: var(--_primary); border-color: var(--_primary); color: var(--_on-primary); }
  .ticket { display: grid; gap: 4px; padding: var(--_space) calc(var(--_space) * 1.5); border-bottom: 1px solid var(--_border); }
  .ticket-head { display: flex; gap: var(--_space); align-items: baseline; justify-content: space-between; }
  .ticket-head time { color: var(--_muted); font-size: 0.85em; white-space: nowrap; }
  .ticket .email { color: var(--_primary-text); overflow-wrap: anywhere; }
  .ticket-message { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .ticket-form { font-size: 0.85em; }
  .close-ticket {
    justify-self: start; padding: 4px 12px; border: 0; border-radius: var(--_radius-s); background: var(--_primary); color: var(--_on-primary);
  }
  .closed-by { margin: 0; color: var(--_muted); font-size: 0.85em; }
  .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .meta { grid-column: 1; display: flex; flex-wrap: wrap; gap: 0 var(--_space); color: var(--_muted); font-size: 0.85em; }
  .dot { grid-column: 2; grid-row: 1 / span 2; align-self: center; width: 10px; height: 10px; border-radius: 50%; background: var(--_badge); }
  .take {
    margin-inline-end: calc(var(--_space) * 1.5); padding: 4px 12px; border: 0; border-radius: var(--_radius-s);
    background: var(--_primary); color: var(--_on-primary);
  }
  .empty, .placeholder { margin: 0; padding: calc(var(--_space) * 2); color: var(--_muted); }
  .placeholder { display: grid; place-items: center; height: 100%; text-align: center; }

  .centre { position: relative; display: flex; flex-direction: column; min-width: 0; min-height: 0; }
  im-chat-panel { flex: 1; min-height: 0; }
  .canned-button {
    padding: 4px 10px; border: 1px solid var(--_border); border-radius: var(--_radius-s); background: var(--_bg); white-space: nowrap;
  }
  .canned {
    position: absolute; left: var(--_space); right: var(--_space); max-height: 50%; overflow-y: auto; z-index: 2;
    border: 1px solid var(--_border); border-radius: var(--_radius-s); background: var(--_bg);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.15);
  }
  .canned [role='option'] { display: flex; gap: var(--_space); padding: 6px 10px; cursor: pointer; }
  .canned [role='option'][aria-selected='true'], .canned [role='option']:hover { background: var(--_surface); }
  .shortcut { color: var(--_primary-text); font-weight: 600; white-space: nowrap; }
  .reply-text { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

  .details { overflow-y: auto; padding: calc(var(--_space) * 1.5); gap: calc(var(--_space) * 2); }
  .visitor h2 { margin: 0 0 var(--_space); font-size: 1.1em; overflow-wrap: anywhere; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 4px var(--_space); margin: 0; }
  dt { color: var(--_muted); }
  dd { margin: 0; overflow-wrap: anywhere; }
  .notes {
    padding: var(--_space); border: 1px solid var(--_note-border); border-radius: var(--_radius-s);
    background: var(--_note-bg); color: var(--_note-text);
  }
  .notes h3 { margin: 0; font-size: 1em; }
  .hint { display: flex; align-items: center; gap: 4px; margin: 2px 0 var(--_space); font-size: 0.85em; }
  .notes ul { list-style: none; margin: 0 0 var(--_space); padding: 0; display: grid; gap: 6px; }
  .note { display: grid; padding: 6px; border-radius: 4px; background: rgb(255 255 255 / 0.6); }
  .note-text { white-space: pre-wrap; overflow-wrap: anywhere; }
  .note-meta { font-size: 0.8em; opacity: 0.8; }
  .notes form { display: grid; gap: 6px; }
  .notes textarea { font: inherit; resize: vertical; padding: 6px; border: 1px solid var(--_note-border); border-radius: 4px; background: #fffef5; color: var(--_note-text); }
  .actions button[aria-disabled='true'] { opacity: 0.55; cursor: default; }
  .notes button, .actions button, .dialog-actions button {
    padding: 6px 12px; border: 1px solid var(--_border); border-radius: var(--_radius-s); background: var(--_bg);
  }
  .notes button { justify-self: end; border-color: var(--_note-border); background: #fffef5; color: var(--_note-text); }
  .actions { display: flex; flex-wrap: wrap; gap: var(--_space); }
  .away[aria-pressed='true'] { background: var(--_surface); border-color: var(--_danger); color: var(--_danger); }

  .error {
    display: flex; align-items: center; gap: var(--_space); margin: 0; padding: 6px 12px;
    background: var(--_surface); color: var(--_danger); border-bottom: 1px solid var(--_border);
  }
  .error .dismiss { margin-inline-start: auto; border: 0; background: none; }
  :host(:has(.error)) .layout { height: calc(100% - 2.4em); }

  dialog {
    min-width: min(420px, 90vw); max-height: 80vh; border: 1px solid var(--_border); border-radius: var(--_radius-m);
    background: var(--_bg); color: var(--_text); padding: calc(var(--_space) * 2);
  }
  dialog::backdrop { background: rgb(0 0 0 / 0.35); }
  dialog h2 { margin: 0 0 var(--_space); font-size: 1.1em; }
  fieldset { border: 1px solid var(--_border); border-radius: var(--_radius-s); margin: 0 0 var(--_space); }
  .choice { display: grid; grid-template-columns: auto 1fr auto auto; align-items: center; gap: var(--_space); padding: 4px 0; }
  .presence { font-size: 0.85em; color: var(--_muted); }
  .presence[data-online='true'] { color: #15803d; }
  .load { font-variant-numeric: tabular-nums; }
  .field { display: grid; gap: 4px; margin-bottom: var(--_space); }
  .field input { font: inherit; padding: 6px; }
  .dialog-actions { display: flex; justify-content: flex-end; gap: var(--_space); }
  .dialog-actions .primary { background: var(--_primary); color: var(--_on-primary); border-color: var(--_primary); }

  .toggles { display: flex; gap: var(--_space); padding: 6px var(--_space); border-bottom: 1px solid var(--_border); }
  .toggles button { padding: 4px 10px; border: 1px solid var(--_border); border-radius: var(--_radius-s); background: var(--_bg); }
  .toggles button[aria-expanded='true'] { background: var(--_surface); }

  /* Narrow: one column; each side pane slides over the conversation when its toggle is on. */
  .layout[data-narrow='true'] { grid-template-columns: minmax(0, 1fr); position: relative; }
  .layout[data-narrow='true'] .side {
    position: absolute; top: 42px; bottom: 0; width: min(320px, 85%); z-index: 3; display: none;
    box-shadow: 0 4px 24px rgb(0 0 0 / 0.2);
  }
  .layout[data-narrow='true'] .left { left: 0; }
  .layout[data-narrow='true'] .right { right: 0; }
  .layout[data-narrow='true'][data-pane='sessions'] .left, .layout[data-narrow='true'][data-pane='details'] .right { display: block; }
`;
