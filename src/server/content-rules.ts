import { ErrorCode } from '../core/protocol/codes.js';

/**
 * What the server checks in the content of each built-in type, and how it stores and counts
 * it. The client checks the same before a send (src/core/messages), but a client is not to be
 * trusted: this table is the one that holds. Limits match the client's.
 */

type Rule =
  | { kind: 'text'; max: number; required?: boolean }
  | { kind: 'url'; required?: boolean }
  | { kind: 'base64'; required?: boolean }
  | { kind: 'number'; min: number; max: number; above?: boolean; integer?: boolean; required?: boolean }
  | { kind: 'object'; required?: boolean }
  | { kind: 'mentions' };

interface TypeRules {
  counted: boolean;
  persisted: boolean;
  /** Only the server writes this type (recall); a client sending it is refused. */
  serverOnly?: boolean;
  fields: Readonly<Record<string, Rule>>;
}

const TEXT = 64 * 1024;
const LINE = 1024;
const ID = 64;
const THUMBNAIL = 10 * 1024;
const URL_MAX = 4096;

const text = (required = false): Rule => ({ kind: 'text', max: TEXT, required });
const line = (required = false): Rule => ({ kind: 'text', max: LINE, required });
const id = (required = false): Rule => ({ kind: 'text', max: ID, required });
const url = (required = false): Rule => ({ kind: 'url', required });
const thumbnail: Rule = { kind: 'base64' };
const bytes = (required = false): Rule => ({ kind: 'number', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, required });
const pixels: Rule = { kind: 'number', min: 0, max: 100_000, required: true };
const time: Rule = { kind: 'number', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, required: true };

const content = { counted: true, persisted: true };
const notice = { counted: false, persisted: true };

export const CONTENT_RULES: Readonly<Record<string, TypeRules>> = {
  'RC:TxtMsg': { ...content, fields: { content: text(true), mentionedInfo: { kind: 'mentions' } } },
  'RC:ImgMsg': { ...content, fields: { content: thumbnail, imageUri: url(true) } },
  'RC:GIFMsg': { ...content, fields: { gifDataSize: bytes(true), remoteUrl: url(true), width: pixels, height: pixels } },
  'RC:FileMsg': { ...content, fields: { name: line(true), size: bytes(true), type: line(), fileUrl: url(true) } },
  'RC:HQVCMsg': {
    ...content, fields: { remoteUrl: url(true), duration: { kind: 'number', min: 0, above: true, max: 60, required: true }, type: line() },
  },
  'RC:SightMsg': {
    ...content,
    fields: {
      sightUrl: url(true), content: thumbnail, duration: { kind: 'number', min: 0, above: true, max: 120, required: true },
      size: bytes(), name: line(),
    },
  },
  'RC:LBSMsg': {
    ...content,
    fields: {
      latitude: { kind: 'number', min: -90, max: 90, required: true }, longitude: { kind: 'number', min: -180, max: 180, required: true },
      poi: line(), content: thumbnail,
    },
  },
  'RC:ImgTextMsg': { ...content, fields: { title: line(true), content: text(), imageUri: url(), url: url() } },
  'RC:ReferenceMsg': {
    ...content,
    fields: { referMsgUserId: id(true), referMsg: { kind: 'object', required: true }, referMsgUid: id(), content: text(true), objName: id(true) },
  },
  // Clients may send these two, as in the seed's SDK (and nothing else issues them here): the
  // widget shows them with the sender's name, so a notice cannot pass for one from the system.
  'RC:InfoNtf': { ...notice, fields: { message: text(true) } },
  'RC:GrpNtf': { ...notice, fields: { operatorUserId: id(true), operation: line(true), data: text(), message: text() } },
  'RC:CmdMsg': { counted: false, persisted: false, fields: { name: line(true), data: text() } },
  'RC:TypSts': { counted: false, persisted: false, fields: { typingContentType: id() } },
  'RC:RcCmd': { ...notice, serverOnly: true, fields: {} },
  'RC:RcNtf': { ...notice, serverOnly: true, fields: {} },
};

/** A refusal reason, or undefined when the content is fine. */
export type Violation = { code: number; reason: string } | undefined;

const HTTP_URL = /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fieldProblem(rule: Rule, value: unknown): string | undefined {
  if (value === undefined || value === null) return 'required' in rule && rule.required ? 'is required' : undefined;
  switch (rule.kind) {
    case 'text':
      if (typeof value !== 'string') return 'must be a string';
      if (rule.required && value.length === 0) return 'must not be empty';
      return value.length > rule.max ? `is longer than ${rule.max}` : undefined;
    case 'url':
      return typeof value === 'string' && value.length <= URL_MAX && HTTP_URL.test(value)
        ? undefined : `must be an http(s) URL of at most ${URL_MAX} characters`;
    case 'base64':
      if (typeof value !== 'string' || !BASE64.test(value)) return 'must be base64 without a data-URI prefix';
      return value.length > THUMBNAIL ? `is longer than ${THUMBNAIL}` : undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
      if (rule.integer && !Number.isInteger(value)) return 'must be an integer';
      return value < rule.min || (rule.above && value === rule.min) || value > rule.max
        ? `must be ${rule.above ? 'above' : 'at least'} ${rule.min} and at most ${rule.max}` : undefined;
    case 'object':
      return isObject(value) ? undefined : 'must be an object';
    case 'mentions': {
      if (!isObject(value)) return 'must be an object';
      if (value.type !== 1 && value.type !== 2) return 'type must be 1 (everyone) or 2 (the listed users)';
      const list = value.userIdList;
      if (list !== undefined && (!Array.isArray(list) || list.length > 1000
        || list.some((userId) => typeof userId !== 'string' || userId.length === 0 || userId.length > ID))) {
        return 'userIdList must be an array of at most 1000 user ids';
      }
      if (value.type === 2 && !(list as unknown[] | undefined)?.length) return 'userIdList must name users when type is 2';
      const mentioned = fieldProblem(text(), value.mentionedContent);
      return mentioned && `mentionedContent ${mentioned}`;
    }
  }
}

/** The `user` every type may carry: short strings, and a portrait that is an http(s) URL or empty. */
function userProblem(user: unknown): string | undefined {
  if (user === undefined || user === null) return undefined;
  if (!isObject(user)) return 'must be an object';
  for (const name of ['id', 'name', 'extra'] as const) {
    const problem = fieldProblem(name === 'extra' ? text() : line(), user[name]);
    if (problem) return `${name} ${problem}`;
  }
  const portrait = user.portraitUri === '' ? undefined : fieldProblem(url(), user.portraitUri);
  return portrait && `portraitUri ${portrait}`;
}

/** Checks a parsed content object against its type's table (custom types: the common fields only). */
export function checkContent(objectName: string, content: Record<string, unknown>): Violation {
  const rules = CONTENT_RULES[objectName];
  if (rules?.serverOnly) {
    return { code: ErrorCode.PARAMETER_ERROR, reason: `${objectName} is issued by the server only (recall a message with the recall query)` };
  }
  for (const [name, rule] of Object.entries(rules?.fields ?? {})) {
    const problem = fieldProblem(rule, content[name]);
    if (problem) return { code: ErrorCode.PARAMETER_ERROR, reason: `${objectName} ${name} ${problem}` };
  }
  const extra = fieldProblem(text(), content.extra);
  if (extra) return { code: ErrorCode.PARAMETER_ERROR, reason: `${objectName} extra ${extra}` };
  const user = userProblem(content.user);
  if (user) return { code: ErrorCode.PARAMETER_ERROR, reason: `${objectName} user ${user}` };
  return undefined;
}

/** How a type is stored and counted: the table for built-in types, the sender's flags for others. */
export function typeFlags(objectName: string, sent: { counted?: boolean | null; persisted?: boolean | null }):
  { counted: boolean; persisted: boolean } {
  const rules = CONTENT_RULES[objectName];
  if (rules) return { counted: rules.counted, persisted: rules.persisted };
  return { counted: sent.counted === true, persisted: sent.persisted === true };
}

/**
 * Bidirectional controls (embeddings, overrides, isolates, marks): in a file name they make
 * `invoice\u202Efdp.exe` read as `invoiceexe.pdf`. Nothing a file name needs.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The types whose `name` is a file name. */
const FILE_NAME_TYPES = new Set(['RC:FileMsg', 'RC:SightMsg']);

/**
 * Makes a checked content safe to store, in place; true when it changed.
 * - `user` (the seed's sender info, shown as the sender's name and portrait) stays only when its
 *   id is the sender's: anyone could otherwise label their message with another user's name.
 * - A file name loses its bidirectional controls.
 */
export function neutralizeContent(objectName: string, content: Record<string, unknown>, senderUserId: string): boolean {
  let changed = false;
  if (content.user !== undefined && (content.user as { id?: unknown } | null)?.id !== senderUserId) {
    delete content.user;
    changed = true;
  }
  if (FILE_NAME_TYPES.has(objectName) && typeof content.name === 'string') {
    const name = content.name.replace(BIDI_CONTROLS, '');
    if (name !== content.name) {
      content.name = name || 'file';
      changed = true;
    }
  }
  return changed;
}
