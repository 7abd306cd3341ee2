import { html, nothing } from 'lit';
import type { ChatSession } from '../../core/client/chat-session.js';
import { conversationName, type ChatState, type ConversationRef, type MessageItem } from '../../core/store/chat-state.js';
import { previewText } from '../internal/format.js';
import { icon } from '../internal/icons.js';
import type { Strings } from '../internal/strings.js';

/**
 * What the composer shows only once the user does something: the member list offered after `@`
 * in a group, and the quoted message of reply mode. Part of the actions chunk (see
 * ../internal/actions.ts); the composer keeps the state (the `@` being typed, the names chosen,
 * the reply in the store) and calls in here once the chunk is loaded. Sending does not need it.
 */

/** The `@` being typed: where it starts, what follows it, and the highlighted member. */
export interface Mention {
  start: number;
  query: string;
  index: number;
}

/** What the mentions and the reply preview take from the composer (ImComposer implements it). */
export interface ComposerExtrasHost {
  readonly conversationType: number;
  readonly targetId: string;
  readonly conversation: ConversationRef;
  readonly strings: Strings;
  readonly textarea: HTMLTextAreaElement | undefined;
  /** True while an IME composition is under way. */
  readonly composing: boolean;
  /** The `@` being typed (reactive: setting it re-renders the composer). */
  mention: Mention | undefined;
  /** Names mentioned in the text being written, to their user ids (ALL for everyone). */
  readonly mentions: Map<string, string>;
  /** The message replied to, in reply mode. */
  readonly reply: MessageItem | undefined;
  readonly drafts: { readonly current: ChatSession | undefined };
  readonly groups: { readonly value: ChatState['groups'] | undefined };
  readonly names: { readonly value: ChatState['users'] | undefined };
  /** Ends reply mode. */
  readonly cancelReply: () => void;
}

/** The mention of everyone (the seed's MentionedType 1): the same value as composer.ts's ALL, which sending looks for. */
const ALL = '\u0000all';

/** Opens (or narrows, or closes) the member list when the caret follows `@name`. */
export function findMention(host: ComposerExtrasHost): void {
  const area = host.textarea;
  if (host.conversationType !== 3 || !area) {
    host.mention = undefined;
    return;
  }
  const caret = area.selectionStart ?? area.value.length;
  const match = /(^|\s)@([^\s@]{0,30})$/.exec(area.value.slice(0, caret));
  host.mention = match ? { start: caret - match[2]!.length - 1, query: match[2]!, index: 0 } : undefined;
}

/** Members matching what follows the `@` (everyone first), without the writer. */
function mentionCandidates(host: ComposerExtrasHost): Array<{ userId: string; name: string }> {
  const mention = host.mention;
  if (!mention) return [];
  const me = host.drafts.current?.state.userId;
  const members = host.groups.value?.[host.targetId]?.memberIds ?? [];
  const query = mention.query.toLowerCase();
  const candidates = [{ userId: ALL, name: host.strings.mentionAll }, ...members
    .filter((userId) => userId !== me)
    .map((userId) => ({ userId, name: conversationName({ users: host.names.value ?? {}, groups: {} }, { conversationType: 1, targetId: userId }) }))];
  return candidates.filter(({ userId, name }) => name.toLowerCase().includes(query) || userId.toLowerCase().includes(query)).slice(0, 8);
}

function chooseMention(host: ComposerExtrasHost, candidate: { userId: string; name: string }): void {
  const mention = host.mention;
  const area = host.textarea;
  if (!mention || !area) return;
  const caret = area.selectionStart ?? area.value.length;
  area.setRangeText(`@${candidate.name} `, mention.start, caret, 'end');
  host.mentions.set(candidate.name, candidate.userId);
  host.mention = undefined;
  area.focus();
  if (host.targetId) host.drafts.current?.setDraft(host.conversation, area.value);
}

/** Arrow keys move in the member list, Enter or Tab choose, Escape closes; true when handled. */
export function mentionKey(host: ComposerExtrasHost, event: KeyboardEvent): boolean {
  const candidates = mentionCandidates(host);
  if (!host.mention || candidates.length === 0) return false;
  const index = host.mention.index;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    const step = event.key === 'ArrowDown' ? 1 : candidates.length - 1;
    host.mention = { ...host.mention, index: (index + step) % candidates.length };
  } else if ((event.key === 'Enter' || event.key === 'Tab') && !event.isComposing && !host.composing) {
    chooseMention(host, candidates[Math.min(index, candidates.length - 1)]!);
  } else if (event.key === 'Escape') {
    host.mention = undefined;
  } else {
    return false;
  }
  event.preventDefault();
  return true;
}

/** The id of the highlighted member's option while the list shows (the textarea's aria-activedescendant). */
export function activeMention(host: ComposerExtrasHost): string | undefined {
  const count = mentionCandidates(host).length;
  return host.mention && count ? `mention-${Math.min(host.mention.index, count - 1)}` : undefined;
}

export function renderMentions(host: ComposerExtrasHost) {
  const candidates = mentionCandidates(host);
  if (!host.mention || candidates.length === 0) return nothing;
  const active = Math.min(host.mention.index, candidates.length - 1);
  return html`<ul part="mention-list" class="mentions" role="listbox" id="mentions" aria-label=${host.strings.mentionMembers}>
      ${candidates.map((candidate, index) => html`<li role="option" id=${`mention-${index}`} aria-selected=${index === active ? 'true' : 'false'}
        @mousedown=${(event: Event) => event.preventDefault()} @click=${() => chooseMention(host, candidate)}>${candidate.userId === ALL ? `@${candidate.name}` : candidate.name}</li>`)}
    </ul>`;
}

/** The quoted message above the input in reply mode, with its close button. */
export function renderReply(host: ComposerExtrasHost) {
  const reply = host.reply;
  if (!reply) return nothing;
  const strings = host.strings;
  const name = conversationName({ users: host.names.value ?? {}, groups: {} }, { conversationType: 1, targetId: reply.senderUserId });
  return html`<div part="reply" class="reply">
      <span class="reply-label">${strings.quoting(name)}</span>
      <span class="reply-text">${previewText(reply, strings)}</span>
      <button part="reply-dismiss" type="button" class="dismiss" aria-label=${strings.cancelReply}
        @click=${host.cancelReply}>${icon('close')}</button>
    </div>`;
}
