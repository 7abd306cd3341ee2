import { html, nothing, type TemplateResult } from 'lit';
import type { MessageItem } from '../../core/store/chat-state.js';
import { isServerSender } from '../../core/client/customer-service.js';
import { formatSize, mapLink, safeUrl, thumbnailSource } from '../internal/safe-url.js';
import type { Strings } from '../internal/strings.js';
import { linkify } from './linkify.js';
import { displayFileName, groupNoticeText } from '../internal/format.js';

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
export function renderContent(item: MessageItem, context: ContentContext): TemplateResult {
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
    case 'RC:GIFMsg': {
      const thumbnail = thumbnailSource(fields.content);
      const full = context.resolve(item.objectName === 'RC:GIFMsg' ? fields.remoteUrl : fields.imageUri);
      const size = fitMedia(num(fields.width), num(fields.height));
      const source = full ?? thumbnail;
      if (!source) return unsupported(strings);
      return html`<button part="image" class="media image" type="button" aria-label=${strings.openImage}
          @click=${() => context.openImage(full ?? source, thumbnail)}>
          <img src=${source} alt=${strings.image} loading="lazy" decoding="async"
            width=${size?.width ?? nothing} height=${size?.height ?? nothing}>
        </button>`;
    }
    case 'RC:FileMsg': {
      const href = context.resolve(fields.fileUrl);
      const name = displayFileName(str(fields.name)) || strings.kinds.file;
      return html`<div part="file" class="file">
          <span class="file-icon" aria-hidden="true">${fileBadge(name)}</span>
          <span class="file-meta"><span class="file-name">${name}</span><span class="file-size">${formatSize(fields.size, context.lang)}</span></span>
          ${href ? html`<a part="download" class="download" href=${href} download=${name} target="_blank" rel="noopener noreferrer">${strings.download}</a>` : nothing}
        </div>`;
    }
    case 'RC:HQVCMsg': {
      const source = context.resolve(fields.remoteUrl);
      const duration = num(fields.duration);
      return html`<div part="voice" class="voice">
          ${source ? html`<audio controls preload="none" src=${source}></audio>` : nothing}
          ${duration !== undefined ? html`<span class="duration">${strings.seconds(Math.round(duration))}</span>` : nothing}
        </div>`;
    }
    case 'RC:SightMsg': {
      const source = context.resolve(fields.sightUrl);
      const poster = thumbnailSource(fields.content);
      if (!source && !poster) return unsupported(strings);
      return html`<div part="video" class="media video">
          ${source
            ? html`<video controls preload="none" playsinline src=${source} poster=${poster ?? nothing}></video>`
            : html`<img src=${poster!} alt=${strings.kinds.video}>`}
        </div>`;
    }
    case 'RC:LBSMsg': {
      const link = mapLink(context.mapTemplate, fields.latitude, fields.longitude);
      const preview = thumbnailSource(fields.content);
      const latitude = num(fields.latitude);
      const longitude = num(fields.longitude);
      return html`<div part="location" class="location">
          ${preview ? html`<img src=${preview} alt="">` : nothing}
          <span class="poi">${str(fields.poi) || strings.kinds.location}</span>
          ${latitude !== undefined && longitude !== undefined ? html`<span class="coordinates">${latitude.toFixed(5)}, ${longitude.toFixed(5)}</span>` : nothing}
          ${link ? html`<a href=${link} target="_blank" rel="noopener noreferrer">${strings.openMap}</a>` : nothing}
        </div>`;
    }
    case 'RC:ImgTextMsg': {
      const link = safeUrl(fields.url);
      const image = context.resolve(fields.imageUri);
      const body = html`${image ? html`<img src=${image} alt="">` : nothing}
        <span class="card-title">${str(fields.title)}</span><span class="card-text">${str(fields.content)}</span>`;
      return link
        ? html`<a part="card" class="card" href=${link} target="_blank" rel="noopener noreferrer">${body}</a>`
        : html`<div part="card" class="card">${body}</div>`;
    }
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

/** A file's extension as its badge (PDF, ZIP, …): text, no icon font or emoji needed. */
function fileBadge(name: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : '';
  return /^[A-Z0-9]+$/.test(extension) ? extension : 'FILE';
}
