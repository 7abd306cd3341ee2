import { MessageContent, MessageValidationError, type MessageContentClass } from './registry.js';

/**
 * Field rules of the built-in types. The server keeps its own table with the same limits
 * (src/server/content-rules.ts): it cannot import this layer, and must not trust a client's checks.
 */
export type FieldRule =
  /** A string of at most `max` UTF-16 code units; `required` also means non-empty. */
  | { kind: 'text'; max: number; required?: boolean }
  /** An absolute http(s) URL: anything else (javascript:, data:, relative) could run or leak in a page. */
  | { kind: 'url'; required?: boolean }
  /** Base64 without a data-URI prefix, at most MAX_THUMBNAIL_LENGTH characters (the seed's thumbnails). */
  | { kind: 'base64'; required?: boolean }
  /** A finite number within [min, max]; above min only when `above`. */
  | { kind: 'number'; min: number; max: number; above?: boolean; integer?: boolean; required?: boolean }
  /** A plain JSON object (a quoted message's content). */
  | { kind: 'object'; required?: boolean }
  | { kind: 'mentions' };

export type FieldRules = Readonly<Record<string, FieldRule>>;

/** Largest text, in UTF-16 code units, a text field may carry. */
export const MAX_TEXT_LENGTH = 64 * 1024;
/** Largest base64 thumbnail (the seed: about 5k recommended, at most 10k). */
export const MAX_THUMBNAIL_LENGTH = 10 * 1024;
export const MAX_URL_LENGTH = 4096;
/** Names, titles, types and other one-line fields. */
export const MAX_LINE_LENGTH = 1024;
/** User ids, message uids, object names. */
export const MAX_ID_LENGTH = 64;

const HTTP_URL = /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True for an absolute http(s) URL: what the widget may put in an `href` or `src`. */
export const isHttpUrl = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MAX_URL_LENGTH && HTTP_URL.test(value);

/** Fields every type may carry (the seed's 拓展属性). */
const commonRules: FieldRules = { extra: { kind: 'text', max: MAX_TEXT_LENGTH }, user: { kind: 'object' } };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkField(where: string, rule: FieldRule, value: unknown): void {
  const fail = (why: string) => {
    throw new MessageValidationError(`${where} ${why}`);
  };
  if (value === undefined || value === null) {
    if ('required' in rule && rule.required) fail('is required');
    return;
  }
  switch (rule.kind) {
    case 'text':
      if (typeof value !== 'string') fail('must be a string');
      if (rule.required && (value as string).length === 0) fail('must not be empty');
      if ((value as string).length > rule.max) fail(`is longer than ${rule.max}`);
      return;
    case 'url':
      if (!isHttpUrl(value)) fail(`must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
      return;
    case 'base64':
      if (typeof value !== 'string' || !BASE64.test(value)) fail('must be base64 without a data-URI prefix');
      if ((value as string).length > MAX_THUMBNAIL_LENGTH) fail(`is longer than ${MAX_THUMBNAIL_LENGTH}`);
      return;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a finite number');
      const n = value as number;
      if (rule.integer && !Number.isInteger(n)) fail('must be an integer');
      if (n < rule.min || (rule.above && n === rule.min) || n > rule.max) {
        fail(`must be ${rule.above ? 'above' : 'at least'} ${rule.min} and at most ${rule.max}`);
      }
      return;
    }
    case 'object':
      if (!isObject(value)) fail('must be an object');
      return;
    case 'mentions': {
      if (!isObject(value)) fail('must be an object');
      const info = value as Record<string, unknown>;
      if (info.type !== 1 && info.type !== 2) fail('type must be 1 (everyone) or 2 (the listed users)');
      const list = info.userIdList;
      if (list !== undefined && (!Array.isArray(list) || list.length > 1000
        || list.some((id) => typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH))) {
        fail(`userIdList must be an array of at most 1000 user ids`);
      }
      if (info.type === 2 && !(list as unknown[] | undefined)?.length) fail('userIdList must name users when type is 2');
      checkField(`${where}.mentionedContent`, { kind: 'text', max: MAX_TEXT_LENGTH }, info.mentionedContent);
      return;
    }
  }
}

function checkUser(where: string, user: unknown): void {
  if (user === undefined || user === null) return;
  checkField(where, { kind: 'object' }, user);
  const info = user as Record<string, unknown>;
  for (const name of ['id', 'name', 'extra'] as const) {
    checkField(`${where}.${name}`, { kind: 'text', max: name === 'extra' ? MAX_TEXT_LENGTH : MAX_LINE_LENGTH }, info[name]);
  }
  // An empty portrait means none; anything else ends up in an <img src>.
  if (info.portraitUri !== '') checkField(`${where}.portraitUri`, { kind: 'url' }, info.portraitUri);
}

/** Throws MessageValidationError naming the first field of `values` that breaks `rules`. */
export function checkFields(objectName: string, rules: FieldRules, values: Record<string, unknown>): void {
  for (const [name, rule] of Object.entries(rules)) checkField(`${objectName} ${name}`, rule, values[name]);
  checkField(`${objectName} extra`, commonRules.extra!, values.extra);
  checkUser(`${objectName} user`, values.user);
}

/** User info a message may carry (the seed's `user` field). */
export interface MessageUserInfo {
  id?: string;
  name?: string;
  portraitUri?: string;
  extra?: string;
}

/** The fields every message type may carry besides its own. */
export interface CommonFields {
  /** Passed through untouched (the seed's `extra`). */
  extra?: string;
  user?: MessageUserInfo;
}

/**
 * A built-in type: its fields, copied from the seed's field object, are own properties of the
 * instance (`image.imageUri`), and `toJSON()` gives back the ones that are set.
 */
export abstract class FieldsMessage extends MessageContent {
  static readonly rules: FieldRules = {};
  /** Values filled in when a field is absent (HQVoiceMessage's `type: 'aac'`). */
  static readonly defaults: Readonly<Record<string, unknown>> = {};
  declare readonly extra?: string;
  declare readonly user?: MessageUserInfo;

  constructor(fields: object) {
    super();
    const type = this.constructor as typeof FieldsMessage;
    const source = (isObject(fields) ? fields : {}) as Record<string, unknown>;
    const target = this as unknown as Record<string, unknown>;
    for (const name of [...Object.keys(type.rules), 'extra', 'user']) {
      const value = source[name] ?? type.defaults[name];
      if (value !== undefined) target[name] = value;
    }
  }

  get objectName(): string {
    return (this.constructor as unknown as MessageContentClass).objectName;
  }

  override validate(): void {
    const type = this.constructor as typeof FieldsMessage;
    checkFields((type as unknown as MessageContentClass).objectName, type.rules, this as unknown as Record<string, unknown>);
  }

  toJSON(): Record<string, unknown> {
    const type = this.constructor as typeof FieldsMessage;
    const json: Record<string, unknown> = {};
    for (const name of [...Object.keys(type.rules), 'extra', 'user']) {
      const value = (this as unknown as Record<string, unknown>)[name];
      if (value !== undefined) json[name] = value;
    }
    return json;
  }
}

