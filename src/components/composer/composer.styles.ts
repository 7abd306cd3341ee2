import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    position: relative;
    /* The send button's label shows where there is room for it. */
    container-type: inline-size;
    background: var(--_bg);
    border-top: 1px solid var(--_border);
    padding: var(--_space);
  }
  .row { display: flex; gap: var(--_space); align-items: flex-end; }
  textarea {
    flex: 1;
    resize: none;
    min-height: 2.4em;
    max-height: var(--im-composer-max-height, 10em);
    padding: calc(var(--_space) * 0.75) var(--_space);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-s);
    background: var(--im-composer-input-background, var(--_bg));
    color: inherit;
    font: inherit;
    line-height: 1.4;
    field-sizing: content;
  }
  button {
    font: inherit;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-s);
    background: var(--_surface);
    color: inherit;
    padding: calc(var(--_space) * 0.75) var(--_space);
    cursor: pointer;
    min-height: 2.4em;
  }
  button, .attach { display: inline-grid; place-items: center; }
  button.record { grid-auto-flow: column; gap: 4px; }
  .icon { display: block; width: 1.25em; height: 1.25em; }
  button.send { background: var(--_primary); color: var(--_on-primary); border-color: transparent; grid-auto-flow: column; gap: 6px; }
  @container (max-width: 420px) {
    .send-label {
      position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
      clip: rect(0 0 0 0); white-space: nowrap; border: 0;
    }
  }
  button.send:disabled { opacity: 0.5; cursor: default; }
  .row.dragging { outline: 2px dashed var(--_primary); outline-offset: 2px; }
  .attach {
    position: relative; display: grid; place-items: center; min-height: 2.4em; min-width: 2.4em;
    border: 1px solid var(--_border); border-radius: var(--_radius-s); background: var(--_surface); cursor: pointer;
  }
  .attach input { position: absolute; inset: 0; opacity: 0; cursor: pointer; width: 100%; }
  .attach:focus-within { outline: 2px solid var(--_primary); outline-offset: 2px; }
  .reply, .upload {
    display: grid; grid-template-columns: minmax(0, 1fr) auto; align-items: center; gap: 2px 8px;
    margin-bottom: var(--_space); padding: 4px 8px; border-left: 3px solid var(--_primary);
    background: var(--_surface); border-radius: var(--_radius-s); font-size: 0.85em;
  }
  .reply-label { font-weight: 600; }
  .reply-text, .upload-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; grid-column: 1; }
  .reply .dismiss, .upload .dismiss { grid-column: 2; grid-row: 1 / span 2; min-height: 0; padding: 2px 8px; }
  .uploads { list-style: none; margin: 0; padding: 0; }
  .upload progress { grid-column: 1; width: 100%; }
  .upload[data-status="failed"] { border-left-color: var(--_danger); }
  .mentions {
    position: absolute; bottom: calc(100% + 4px); left: var(--_space); z-index: 2; margin: 0; padding: 4px; list-style: none;
    min-width: 12em; max-height: 16em; overflow: auto; border: 1px solid var(--_border); border-radius: var(--_radius-s);
    background: var(--_bg); box-shadow: 0 2px 8px rgb(0 0 0 / 0.2);
  }
  .mentions li { padding: 4px 8px; border-radius: var(--_radius-s); cursor: pointer; }
  .mentions li[aria-selected="true"] { background: var(--_surface); }
  .picker {
    position: absolute;
    bottom: calc(100% + 4px);
    left: var(--_space);
    z-index: 2;
    /* Inside the composer's width, however narrow the widget. */
    max-width: calc(100% - 2 * var(--_space));
  }
`;
