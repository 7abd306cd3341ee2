import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    position: relative;
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
  button.send { background: var(--_primary); color: var(--_on-primary); border-color: transparent; }
  button.send:disabled { opacity: 0.5; cursor: default; }
  .picker {
    position: absolute;
    bottom: calc(100% + 4px);
    left: var(--_space);
    z-index: 2;
  }
`;
