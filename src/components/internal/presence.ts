import { css, html, nothing } from 'lit';
import type { PresenceInfo } from '../../core/store/chat-state.js';
import type { Strings } from './strings.js';

/**
 * A user's online status as a dot: a shape per status as well as a colour (online filled, away
 * half filled, busy a bar, offline an empty ring), named for assistive technology and
 * in a tooltip with the user's text. Nothing while the status is not known.
 */
export function presenceDot(info: PresenceInfo | undefined, strings: Strings) {
  if (!info) return nothing;
  const status = info.online ? info.status : 'offline';
  const label = `${strings.presence[status] ?? strings.presence.online}${info.online && info.text ? `: ${info.text}` : ''}`;
  return html`<span part="presence" class="presence" data-presence=${status} role="img" aria-label=${label} title=${label}></span>`;
}

export const presenceStyles = css`
  .presence {
    box-sizing: border-box; display: inline-block; position: relative;
    width: var(--im-presence-size, 12px); height: var(--im-presence-size, 12px); border-radius: 50%;
    border: 2px solid var(--_bg); background: var(--im-presence-online, #1f9d55);
  }
  .presence[data-presence='away'] {
    background: linear-gradient(90deg, var(--im-presence-away, #c27c0e) 50%, var(--_bg) 50%);
    box-shadow: inset 0 0 0 1.5px var(--im-presence-away, #c27c0e);
  }
  .presence[data-presence='busy'] { background: var(--im-presence-busy, #d93025); }
  .presence[data-presence='busy']::after {
    content: ''; position: absolute; left: 2px; right: 2px; top: calc(50% - 1px); height: 2px; background: #fff;
  }
  .presence[data-presence='offline'] { background: var(--_bg); box-shadow: inset 0 0 0 2px var(--im-presence-offline, #80868b); }
`;
