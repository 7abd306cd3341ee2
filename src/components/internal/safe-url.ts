/**
 * Every URL that comes from a message is data from another user. These are the only ways one
 * becomes a link, an image or a media source in the widget: absolute http(s) only, so that a
 * `javascript:`, `data:text/html`, `vbscript:` or `file:` URL is never live, and relative URLs
 * (which would point into the embedding site) are not taken either.
 */
export function safeUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) return undefined;
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The seed's thumbnail limit (base64 characters) with room for encoders that pad generously. */
const MAX_THUMBNAIL_LENGTH = 16 * 1024;

/**
 * A message's base64 thumbnail (no data-URI prefix on the wire) as an image source. We add the
 * `data:image/jpeg` prefix ourselves after checking the characters, so the sender cannot choose
 * the media type (no `data:text/html`, no SVG with scripts); browsers sniff the real image type.
 */
export function thumbnailSource(base64: unknown): string | undefined {
  if (typeof base64 !== 'string' || base64.length === 0 || base64.length > MAX_THUMBNAIL_LENGTH || !BASE64.test(base64)) return undefined;
  return `data:image/jpeg;base64,${base64}`;
}

/** A map link for coordinates: `{lat}` and `{lng}` in the template are replaced, then checked like any URL. */
export function mapLink(template: string, latitude: unknown, longitude: unknown): string | undefined {
  if (typeof latitude !== 'number' || typeof longitude !== 'number' || !Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return safeUrl(template.replace(/\{lat\}/g, String(latitude)).replace(/\{lng\}/g, String(longitude)));
}

/** A byte count for people: 1.2 MB. */
export function formatSize(bytes: unknown, lang: string): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}
