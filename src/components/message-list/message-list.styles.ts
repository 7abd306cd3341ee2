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
    --_read: var(--im-message-list-read-color, #86efac);
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
    display: flex;
    flex-direction: column;
  }
  .scroller:focus-visible { outline-offset: -2px; }
  /* A short conversation sits at the bottom, by the composer, where the next message will appear. */
  /* Its height is set by the element (rows are absolutely positioned): size containment keeps a
     change inside it from being laid out beyond it. */
  .spacer { position: relative; overflow-anchor: none; flex: none; margin-top: auto; contain: size layout style; }
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
    /* Each row is laid out on its own: a row rewritten for another message relayouts only itself. */
    contain: layout style;
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
    /* The background is the sender's own colour (avatarColor), set on the element; white reads on every one of them. */
    background: var(--_primary); color: #ffffff; font-weight: 600; font-size: 0.8em;
  }
  .avatar img { width: 100%; height: 100%; object-fit: cover; }
  .name { color: var(--_muted); font-size: 0.8em; margin: 0 0 2px 2px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

  /* The bubble and its ⋯ button side by side: the button after other people's bubbles, before own ones. */
  .line { display: flex; align-items: center; gap: 4px; }
  .own .line { flex-direction: row-reverse; }
  .bubble {
    min-width: 0;
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
  .own .bubble { background: var(--_own-bg); color: var(--_own-fg); }
  /* Narrow lists: wider bubbles, the time under the text instead of beside it. */
  @container im-message-list (max-width: 480px) {
    .bubble { max-width: max(var(--_max-bubble), 88%); grid-template-columns: minmax(0, 1fr) auto; }
    .bubble .content { grid-column: 1 / -1; }
    .bubble .time { justify-self: end; }
  }
  /* Pictures and videos: the time goes under them, so that the bubble is as wide as the picture. */
  .media-bubble { grid-template-columns: minmax(0, 1fr) auto; }
  .media-bubble .content { grid-column: 1 / -1; }
  .media-bubble .time { justify-self: end; }
  .text { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; }
  .unsupported-text { font-style: italic; }
  .content { min-width: 0; display: grid; gap: 4px; }
  .mention { background: none; color: inherit; font-weight: 600; text-decoration: underline; text-underline-offset: 2px; }
  .link { color: inherit; text-decoration: underline; text-underline-offset: 2px; overflow-wrap: anywhere; }
  .mentioned .bubble { box-shadow: inset 3px 0 0 var(--_primary); }
  .quote {
    margin: 0; padding: 2px 8px; border-left: 3px solid currentColor; opacity: 0.8;
    display: grid; font-size: 0.85em; overflow: hidden;
  }
  .quote-author { font-weight: 600; }
  .quote-text { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  /* The limit in px on the box, 100% on the picture: a percentage limit alone would not hold the
     bubble's width down (it counts as none while the bubble sizes itself to its content). */
  .media {
    display: block; justify-self: start; max-width: 240px; padding: 0; border: 0; background: none;
    cursor: zoom-in; border-radius: var(--_radius-s); overflow: hidden;
  }
  .media img, .media video { display: block; max-width: 100%; max-height: 320px; height: auto; }
  .file { display: grid; grid-template-columns: auto minmax(0, 1fr) auto; gap: 8px; align-items: center; }
  .file-icon {
    width: 40px; height: 40px; border-radius: var(--_radius-s); display: grid; place-items: center;
    background: var(--_bg); color: var(--_text); font-size: 0.7em; font-weight: 700;
  }
  .file-meta { display: grid; min-width: 0; }
  .file-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .file-size, .coordinates, .duration { font-size: 0.8em; opacity: 0.8; }
  .download, .location a, .card { color: inherit; }
  .voice { display: flex; align-items: center; gap: 8px; }
  .voice audio { max-width: 240px; height: 36px; }
  .location, .card { display: grid; gap: 2px; max-width: 260px; }
  .location img, .card img { max-width: 100%; border-radius: var(--_radius-s); }
  .card-title { font-weight: 600; }
  .card-text { font-size: 0.85em; opacity: 0.85; }
  .notice-row > .notice {
    justify-self: center; max-width: 90%; display: block; text-align: center;
    background: transparent; color: var(--_muted); font-size: 0.8em; padding: 2px 8px;
  }
  .actions-button {
    flex: none; display: grid; place-items: center; width: 28px; height: 28px; padding: 0;
    font: inherit; font-size: 1.1em; cursor: pointer; border-radius: 50%;
    border: 0; background: transparent; color: var(--_muted); opacity: 0;
  }
  .actions-button:hover, .actions-button[aria-expanded="true"] { background: var(--_surface); color: var(--_text); }
  .row:hover .actions-button, .row:focus-within .actions-button, .actions-button[aria-expanded="true"] { opacity: 1; }
  /* Touch screens have no hover: the button is always there, and a held touch is the menu's, not the
     browser's text selection or callout. */
  @media (hover: none) {
    .actions-button { opacity: 1; }
    .bubble { -webkit-touch-callout: none; -webkit-user-select: none; user-select: none; }
  }
  .icon { display: inline-block; flex: none; }
  .status .icon, .receipts .icon { width: 1.35em; height: 1.35em; vertical-align: -0.3em; }
  /* Read is unlike delivered in colour and in weight, so that it shows without telling colours apart. */
  .own .bubble .status[data-status="read"] { color: var(--_read); }
  .status[data-status="read"] .icon { stroke-width: 3; }
  .receipts { font: inherit; font-size: 0.72em; padding: 0 2px; border: 0; background: none; color: inherit; cursor: pointer; }
  .lightbox { padding: 0; border: 0; background: transparent; max-width: 95vw; max-height: 95vh; }
  .lightbox::backdrop { background: rgb(0 0 0 / 0.8); }
  .lightbox img { display: block; max-width: 95vw; max-height: 88vh; }
  .lightbox .close { margin: 8px auto 0; display: block; font: inherit; padding: 4px 12px; border-radius: var(--_radius-s); border: 0; cursor: pointer; }
  .time { font-size: 0.72em; white-space: nowrap; color: var(--_muted); }
  .own .time, .own .bubble .status { color: inherit; }
  .status { font-size: 0.72em; white-space: nowrap; }
  .actions {
    justify-self: end;
    display: flex; align-items: center; gap: 6px;
    margin-top: 2px;
    font-size: 0.8em;
  }
  .actions .status { color: var(--_danger); font-size: 1em; font-weight: 600; display: inline-flex; align-items: center; gap: 4px; }
  .actions .status .icon { width: 1.2em; height: 1.2em; vertical-align: 0; }
  .actions .reason { color: var(--_muted); }
  .actions button {
    font: inherit; cursor: pointer;
    padding: 2px 8px; border-radius: var(--_radius-s);
    border: 1px solid var(--_border); background: var(--_bg); color: var(--_text);
  }
  .actions button:hover { background: var(--_surface); }

  .new-messages {
    display: inline-flex; align-items: center; gap: 4px;
    position: absolute; left: 50%; bottom: calc(var(--_space) * 1.5);
    transform: translateX(-50%);
    font: inherit; font-size: 0.85em; font-weight: 600; cursor: pointer;
    padding: 4px 12px; border: 0; border-radius: 999px;
    background: var(--_primary); color: var(--_on-primary);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.25);
  }
`;
