import { html, nothing, type TemplateResult } from 'lit';
import type { MessageItem } from '../../core/store/chat-state.js';
import { formatSize, mapLink, safeUrl, thumbnailSource } from '../internal/safe-url.js';
import { displayFileName } from '../internal/format.js';
import type { ContentContext } from './message-content.js';

/**
 * The bubbles of media messages (image, GIF, file, voice, video, location, card): loaded the
 * first time a message of one of these types is about to show (or when the browser is idle
 * after the first render), a chunk of its own; `message-content.ts` shows a placeholder of the
 * same size until then.
 */
type Fields = Record<string, unknown>;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The bubble of a media message, or undefined when it cannot show (no usable source). */
export function renderMedia(item: MessageItem, fields: Fields, context: ContentContext, size: { width: number; height: number } | undefined): TemplateResult | undefined {
  const { strings } = context;
  switch (item.objectName) {
    case 'RC:ImgMsg':
    case 'RC:GIFMsg': {
      const thumbnail = thumbnailSource(fields.content);
      const full = context.resolve(item.objectName === 'RC:GIFMsg' ? fields.remoteUrl : fields.imageUri);
      const source = full ?? thumbnail;
      if (!source) return undefined;
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
      if (!source && !poster) return undefined;
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
    default: {
      // RC:ImgTextMsg, a card.
      const link = safeUrl(fields.url);
      const image = context.resolve(fields.imageUri);
      const body = html`${image ? html`<img src=${image} alt="">` : nothing}
        <span class="card-title">${str(fields.title)}</span><span class="card-text">${str(fields.content)}</span>`;
      return link
        ? html`<a part="card" class="card" href=${link} target="_blank" rel="noopener noreferrer">${body}</a>`
        : html`<div part="card" class="card">${body}</div>`;
    }
  }
}

/** A file's extension as its badge (PDF, ZIP, …): text, no icon font or emoji needed. */
function fileBadge(name: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : '';
  return /^[A-Z0-9]+$/.test(extension) ? extension : 'FILE';
}
