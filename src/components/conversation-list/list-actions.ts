import { css, html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { toItem, type ChatSession } from '../../core/client/chat-session.js';
import type { ConversationSearchResult } from '../../core/client/conversation-tools.js';
import type { ConversationEntry, ConversationRef } from '../../core/store/chat-state.js';
import { adoptStyles } from '../internal/adopt-styles.js';
import { avatarColor, initials, previewText } from '../internal/format.js';
import { icon } from '../internal/icons.js';
import { onMenuKey } from '../internal/menu-keys.js';
import type { Strings } from '../internal/strings.js';

/**
 * What the conversation list shows only once the user asks for it: the search results, the
 * "New conversation" form and a row's menu (pin, mute). Part of the actions chunk (see
 * ../internal/actions.ts); the list keeps the state (what is searched and found, whether the
 * form or a menu is open) and calls in here once the chunk is loaded.
 */

/** What these parts take from the list (ImConversationList implements it). */
export interface ListActionsHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly list: { readonly current: ChatSession | undefined };
  /** A conversation's name as the list shows it (its user's or group's, else its id). */
  nameOf(conversation: ConversationRef): string;
  /** Why the id in the form was refused (reactive). */
  startError: string;
  /** Closes the form (Cancel, Escape), the focus back on its button. */
  closeStartForm(): void;
  /** Starts a private conversation with `targetId` from the form (im-conversation-start, then select), unless prevented. */
  startFromForm(targetId: string): void;
  /** The row's menu is closed; with `refocus`, its row gets the focus back. */
  closeMenu(refocus: boolean): void;
  clearSearch(): void;
  /** Chooses a conversation (im-conversation-select, then opened unless prevented). */
  select(conversation: ConversationRef): void;
}

/** User ids as the reference server (and the seed) accept them. */
const USER_ID_PATTERN = /^[A-Za-z0-9_=@.+\-]+$/;
const MAX_USER_ID_LENGTH = 64;

// The form's and the results' styles, added to the list's shadow root when first drawn (the row
// menu's stay with the list: its retry stands in for it when this chunk cannot be fetched).
const styles = css`
  .start { display: grid; gap: 4px; margin-top: var(--_space); }
  .start label { font-size: 0.85em; color: var(--_muted); }
  .start-row { display: flex; gap: 4px; min-width: 0; }
  .start input {
    flex: 1; min-width: 0; font: inherit; color: inherit; background: var(--_bg);
    padding: 4px 8px; border: 1px solid var(--_border); border-radius: var(--_radius-s);
  }
  .start input[aria-invalid='true'] { border-color: var(--_danger); }
  .start-submit { background: var(--_primary); color: var(--_on-primary); border-color: transparent; }
  .start-cancel { display: grid; place-items: center; padding: 4px 6px; }
  .start-error { margin: 0; color: var(--_danger); font-size: 0.85em; }
  .results { list-style: none; margin: 0; padding: 0; }
  .result {
    display: grid; grid-template-columns: var(--_avatar-size) 1fr auto; grid-template-rows: auto auto; column-gap: var(--_space);
    align-items: center; width: 100%; min-height: var(--_row-height); padding: var(--_space) calc(var(--_space) * 1.5);
    font: inherit; color: inherit; text-align: start; cursor: pointer; background: none; border: 0; border-bottom: 1px solid var(--_border);
  }
  .result:hover { background: var(--_surface); }
  .result .preview { grid-column: 2 / 4; }
`;

/** The conversations found for what is searched, each opening on a click. */
export function renderResults(host: ListActionsHost, results: ConversationSearchResult[], strings: Strings) {
  adoptStyles(host.renderRoot as ShadowRoot, styles);
  if (results.length === 0) return html`<p class="empty" role="status">${strings.noMatches}</p>`;
  const nameOfUser = (userId: string) => host.nameOf({ conversationType: 1, targetId: userId });
  return html`<ul part="search-results" class="results" aria-label=${strings.searchResults}>
      ${results.map((result) => {
        const name = host.nameOf(result);
        return html`<li><button type="button" class="result" data-key=${`${result.conversationType}:${result.targetId}`} @click=${() => {
            host.clearSearch();
            host.select(result);
          }}>
            <span class="avatar" aria-hidden="true" style=${styleMap({ background: avatarColor(result.targetId) })}>${initials(name)}</span>
            <span class="name">${name}</span>
            <span class="time">${strings.matchingMessages(result.matchCount)}</span>
            <span class="preview">${previewText(toItem(result.latestMessage), strings, nameOfUser)}</span>
          </button></li>`;
      })}
    </ul>`;
}

/** The reason a user id cannot start a conversation, or '' when it can. */
function refuseUserId(strings: Strings, userId: string): string {
  if (!userId) return strings.userIdRequired;
  if (userId.length > MAX_USER_ID_LENGTH) return strings.userIdTooLong(MAX_USER_ID_LENGTH);
  if (!USER_ID_PATTERN.test(userId)) return strings.userIdInvalid;
  return '';
}

/** The "New conversation" form: the user id of the person to write to, Start (Enter) or Cancel (Escape). */
export function renderStartForm(host: ListActionsHost, strings: Strings) {
  adoptStyles(host.renderRoot as ShadowRoot, styles);
  const input = () => host.renderRoot.querySelector<HTMLInputElement>('#new-conversation-id');
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const targetId = (input()?.value ?? '').trim();
    host.startError = refuseUserId(strings, targetId);
    if (host.startError) {
      input()?.focus();
      return;
    }
    host.startFromForm(targetId);
  };
  const keyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    host.closeStartForm();
  };
  return html`<form part="new-conversation-form" class="start" id="new-conversation" aria-label=${strings.newConversation}
      novalidate @submit=${submit} @keydown=${keyDown}>
      <label for="new-conversation-id">${strings.newConversationUserId}</label>
      <div class="start-row">
        <input id="new-conversation-id" name="targetId" type="text" autocomplete="off" autocapitalize="none" spellcheck="false"
          enterkeyhint="go" aria-invalid=${host.startError ? 'true' : 'false'}
          aria-describedby=${host.startError ? 'new-conversation-error' : nothing}
          @input=${() => { host.startError = ''; }}>
        <button class="start-submit" type="submit">${strings.startConversation}</button>
        <button class="start-cancel" type="button" aria-label=${strings.cancel} title=${strings.cancel}
          @click=${() => host.closeStartForm()}>${icon('close')}</button>
      </div>
      ${host.startError ? html`<p class="start-error" id="new-conversation-error" role="alert">${host.startError}</p>` : nothing}
    </form>`;
}

/** A row's menu at `place` (viewport coordinates, kept inside the window): pin or unpin, mute or unmute. */
export function renderMenu(host: ListActionsHost, entry: ConversationEntry, place: { left: string; top: string }, strings: Strings) {
  const act = (action: 'pin' | 'mute') => {
    host.closeMenu(true);
    const session = host.list.current;
    const done = action === 'pin' ? session?.setPinned(entry, !entry.pinned) : session?.setMuted(entry, !entry.muted);
    done?.catch(() => undefined); // Undone in the list when the server refuses.
  };
  return html`
    <div part="conversation-menu" class="menu" role="menu" aria-label=${strings.conversationActions(host.nameOf(entry))}
      style=${styleMap(place)} @keydown=${(event: KeyboardEvent) => onMenuKey(event, () => host.closeMenu(true))}
      @focusout=${(event: FocusEvent) => {
        if (!(event.currentTarget as HTMLElement).contains(event.relatedTarget as Node | null)) host.closeMenu(false);
      }}>
      <button type="button" role="menuitem" @click=${() => act('pin')}>${icon('pin')}<span>${entry.pinned ? strings.unpin : strings.pin}</span></button>
      <button type="button" role="menuitem" @click=${() => act('mute')}>${icon('bell-off')}<span>${entry.muted ? strings.unmute : strings.mute}</span></button>
    </div>`;
}
