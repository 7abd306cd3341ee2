import { html, nothing, type TemplateResult } from 'lit';
import type { MessageItem } from '../../core/store/chat-state.js';
import { isServerSender } from '../../core/client/customer-service.js';
import { styleMap } from 'lit/directives/style-map.js';
import { thumbnailSource } from '../internal/safe-url.js';
import { LazyChunk, lazy } from '../internal/lazy.js';
import type { Strings } from '../internal/strings.js';
import { linkify } from './linkify.js';
import { groupNoticeText } from '../internal/format.js';

/** How a message shows: a bubble, a grey bar across the list, or not at all. */
export type ContentKind = 'bubble' | 'notice' | 'hidden';

const NOTICES = new Set(['RC:InfoNtf', 'RC:GrpNtf', 'RC:RcNtf']);
// Commands and recall commands act on the conversation; they are never shown themselves.
const HIDDEN = new Set(['RC:CmdMsg', 'RC:RcCmd', 'RC:TypSts', 'RC:ReadNtf']);

export function contentKind(objectName: string): ContentKind {
  return HIDDEN.has(objectName) ? 'hidden' : NOTICES.has(objectName) ? 'notice' : 'bubble';
}

export interface ContentContext {
  strings: Strings;
  lang: string;
  /** The user reading. */
  userId: string | undefined;
  nameOf(userId: string): string;
  /** A fetchable URL for a message's URL (signed for this server's files), once known. */
  resolve(url: unknown): string | undefined;
  /** The map link template, `{lat}` and `{lng}` filled in. */
  mapTemplate: string;
  openImage(source: string, thumbnail: string | undefined): void;
}

type Fields = Record<string, unknown>;
/** A message's fields as sent: `toJSON()` of its class (an unknown type keeps what arrived). */
function fieldsOf(item: MessageItem): Fields {
  const content = item.content as unknown as { toJSON?: () => Fields } | undefined;
  const fields = typeof content?.toJSON === 'function' ? content.toJSON() : content;
  return fields && typeof fields === 'object' ? (fields as Fields) : {};
}
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The text a message says, for copying and quoting; undefined for media. */
export function plainText(item: MessageItem): string | undefined {
  const fields = fieldsOf(item);
  if (item.objectName === 'RC:TxtMsg' || item.objectName === 'RC:ReferenceMsg') return str(fields.content) || undefined;
  return undefined;
}

/** Whether the message names the reader (or everyone) in its mentionedInfo. */
export function mentionsReader(item: MessageItem, userId: string | undefined): boolean {
  const info = fieldsOf(item).mentionedInfo as { type?: unknown; userIdList?: unknown } | undefined;
  if (!info || typeof info !== 'object') return false;
  return info.type === 1 || (userId !== undefined && Array.isArray(info.userIdList) && info.userIdList.includes(userId));
}

/** The @mention tokens to mark in a message: `@name` and `@id` of each mentioned user, `@all` for everyone; longest first. */
function mentionTokens(item: MessageItem, context: ContentContext): string[] {
  const info = fieldsOf(item).mentionedInfo as { type?: unknown; userIdList?: unknown } | undefined;
  if (!info || typeof info !== 'object') return [];
  const names = new Set<string>();
  if (Array.isArray(info.userIdList)) {
    for (const id of info.userIdList) {
      if (typeof id !== 'string') continue;
      names.add(`@${context.nameOf(id)}`);
      names.add(`@${id}`);
    }
  }
  if (info.type === 1) names.add(`@${context.strings.mentionAll}`).add('@all').add('@所有人');
  return [...names].filter((name) => name.length > 1).sort((a, b) => b.length - a.length);
}

/** Plain text with the mention tokens in it as <mark> elements. */
function withMentions(text: string, tokens: readonly string[]): Array<TemplateResult | string> {
  const parts: Array<TemplateResult | string> = [];
  let rest = text;
  while (rest && tokens.length > 0) {
    let at = -1;
    let token = '';
    for (const candidate of tokens) {
      const index = rest.indexOf(candidate);
      if (index >= 0 && (at < 0 || index < at)) {
        at = index;
        token = candidate;
      }
    }
    if (at < 0) break;
    parts.push(rest.slice(0, at), html`<mark part="mention" class="mention">${token}</mark>`);
    rest = rest.slice(at + token.length);
  }
  parts.push(rest);
  return parts;
}

/**
 * A message's text as the reader sees it: web addresses as links (http(s) only, see `linkify`),
 * @mentions marked in the rest. Text nodes, <a> and <mark> elements made here: never HTML from
 * the message. An address keeps an @ inside it (`https://x.test/@bob`) as part of the link.
 */
function richText(item: MessageItem, text: string, context: ContentContext): TemplateResult {
  const tokens = mentionTokens(item, context);
  return html`${linkify(text).map((segment) => segment.kind === 'link'
    ? html`<a part="link" class="link" href=${segment.href} target="_blank" rel="noopener noreferrer ugc">${segment.text}</a>`
    : withMentions(segment.text, tokens))}`;
}

/** The inside of a bubble (or of a notice bar) for any message type; unknown types say so. */
export function renderContent(item: MessageItem, context: ContentContext): unknown {
  const fields = fieldsOf(item);
  const { strings } = context;
  switch (item.objectName) {
    case 'RC:TxtMsg': {
      const text = str(fields.content);
      return text ? html`<span class="text">${richText(item, text, context)}</span>` : unsupported(strings);
    }
    case 'RC:ReferenceMsg': {
      const quoted = fields.referMsg as Fields | undefined;
      const quotedText = quoted && typeof quoted === 'object' ? str(quoted.content) || previewOfKind(str(fields.objName), strings) : '';
      return html`
        <blockquote part="quote" class="quote">
          <span class="quote-author">${context.nameOf(str(fields.referMsgUserId))}</span>
          <span class="quote-text">${quotedText}</span>
        </blockquote>
        <span class="text">${richText(item, str(fields.content), context)}</span>`;
    }
    case 'RC:ImgMsg':
    case 'RC:GIFMsg':
    case 'RC:FileMsg':
    case 'RC:HQVCMsg':
    case 'RC:SightMsg':
    case 'RC:LBSMsg':
    case 'RC:ImgTextMsg':
      return mediaContent(item, fields, context);
    case 'RC:InfoNtf':
    case 'RC:GrpNtf': {
      // The server's group notices, in the reader's language.
      const told = groupNoticeText(item, fields, strings);
      if (told) return html`${told}`;
      // Members may send these (the seed's SDK does); named, a notice cannot pass for the system's.
      // The server's own (customer-service status) are the system's, and go unnamed.
      return html`${isServerSender(item.senderUserId) ? str(fields.message) || strings.unsupported
        : strings.noticeFrom(context.nameOf(item.senderUserId), str(fields.message) || strings.unsupported)}`;
    }
    case 'RC:RcNtf': {
      const operator = str(fields.operatorId) || item.senderUserId;
      return html`${operator === context.userId ? strings.youRecalled : strings.someoneRecalled(context.nameOf(operator))}`;
    }
    default:
      return unsupported(strings);
  }
}

/**
 * The media bubbles' renderers (./media-content.ts): a chunk loaded when a media message is first
 * about to show, or when the browser is idle after the list's first render.
 */
export const mediaChunk = new LazyChunk(() => import('./media-content.js'));

/** The size a media bubble's placeholder takes while its renderer loads: the picture's when known. */
const PLACEHOLDER: Record<string, { width: number; height: number }> = {
  'RC:ImgMsg': { width: 240, height: 160 }, 'RC:GIFMsg': { width: 240, height: 160 }, 'RC:SightMsg': { width: 240, height: 160 },
  'RC:FileMsg': { width: 200, height: 40 }, 'RC:HQVCMsg': { width: 240, height: 36 }, 'RC:LBSMsg': { width: 200, height: 48 }, 'RC:ImgTextMsg': { width: 200, height: 48 },
};

/**
 * A media message's bubble: drawn by the media chunk once it is loaded (at once when it is),
 * a placeholder of the bubble's size until then, and a retry button in the same box when the
 * chunk could not be loaded (offline): the message stays, and shows once the chunk comes.
 */
function mediaContent(item: MessageItem, fields: Fields, context: ContentContext): unknown {
  const image = item.objectName === 'RC:ImgMsg' || item.objectName === 'RC:GIFMsg';
  const size = image || item.objectName === 'RC:SightMsg' ? fitMedia(num(fields.width), num(fields.height)) : undefined;
  const box = size ?? PLACEHOLDER[item.objectName]!;
  // A thumbnail in the message shows at once, in the placeholder, at the picture's size.
  const preview = image ? thumbnailSource(fields.content) : undefined;
  return lazy(mediaChunk,
    (module) => module.renderMedia(item, fields, context, size) ?? unsupported(context.strings),
    (failed, retry) => html`<span part="media-placeholder" class="media media-placeholder" aria-busy=${failed ? 'false' : 'true'}
        style=${styleMap({ display: 'grid', placeItems: 'center', width: `${box.width}px`, maxWidth: '100%', height: `${box.height}px`, overflow: 'hidden', background: 'rgb(128 128 128 / 0.12)', borderRadius: '8px' })}>
        ${failed
          ? html`<button part="media-retry" class="media-retry" type="button" @click=${retry}>${context.strings.partFailed}</button>`
          : preview ? html`<img src=${preview} alt=${context.strings.image} style=${styleMap({ width: '100%', height: '100%', objectFit: 'cover' })}>` : nothing}
      </span>`);
}

/** Largest box a picture is shown in, px (the styles say the same). */
const MEDIA_WIDTH = 240;
const MEDIA_HEIGHT = 320;

/** The size a picture of known dimensions is shown at: within the media box, never enlarged. */
function fitMedia(width: number | undefined, height: number | undefined): { width: number; height: number } | undefined {
  if (!width || !height || width < 0 || height < 0) return undefined;
  const scale = Math.min(1, MEDIA_WIDTH / width, MEDIA_HEIGHT / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Whether a message shows as a picture or a video (its bubble is as wide as the picture). */
export function isMedia(objectName: string): boolean {
  return objectName === 'RC:ImgMsg' || objectName === 'RC:GIFMsg' || objectName === 'RC:SightMsg';
}

function unsupported(strings: Strings): TemplateResult {
  return html`<span class="text unsupported-text">${strings.unsupported}</span>`;
}

function previewOfKind(objectName: string, strings: Strings): string {
  const kinds: Record<string, string> = {
    'RC:ImgMsg': strings.kinds.image, 'RC:GIFMsg': strings.kinds.gif, 'RC:FileMsg': strings.kinds.file, 'RC:HQVCMsg': strings.kinds.voice,
    'RC:SightMsg': strings.kinds.video, 'RC:LBSMsg': strings.kinds.location, 'RC:ImgTextMsg': strings.kinds.link,
  };
  return kinds[objectName] ?? strings.unsupported;
}
