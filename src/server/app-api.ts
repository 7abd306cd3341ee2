import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_TOKEN_TTL_MS, NonceCache, signToken, verifyApiSignature } from './auth.js';
import { isValidId, isValidServiceGroupId } from './ids.js';
import type { CannedReply, ChatStore, PreChatField, ServiceGroupRecord } from './storage/chat-store.js';
import { checkHours, type ServiceHours } from './service-hours.js';
import type { GroupChange } from './group-notices.js';

const MAX_BODY_BYTES = 64 * 1024;
const MAX_GROUP_USERS = 1000;
/** Ten years: a longer-lived token is a password by another name. */
const MAX_TOKEN_TTL_SECONDS = 10 * 365 * 24 * 60 * 60;

export interface AppApiContext {
  appKey: string;
  appSecret: string;
  store: ChatStore;
  metrics(): Promise<Record<string, number>>;
  /** Revokes the user's tokens issued until now and ends their live sessions; returns the revocation time. */
  revokeTokens(userId: string): Promise<number>;
  /** Accept the seed's signature, which binds nothing of the request (still once per nonce). */
  acceptSeedSignature: boolean;
  nonces: NonceCache;
  /** Tells a group's members of a change made here (a stored RC:GrpNtf in the group's conversation). */
  groupNotice(change: GroupChange): Promise<void>;
  /** Agents, caps or a group changed: queued visitors of these skill groups may be assigned now. */
  serviceGroupsChanged(groupIds: readonly string[]): Promise<void>;
  /** An agent's groups or cap changed: sessions of groups they left go back to the queue, and the queues may move. */
  serviceAgentChanged(userId: string, removedGroupIds: readonly string[], groupIds: readonly string[]): Promise<void>;
}

/** An HTTP refusal: status plus a JSON body `{ code, errorMessage }`. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(text);
}

/**
 * Reads and drops the rest of a request that was already answered (an oversize upload's 413):
 * a client busy sending often reads no answer until it has sent everything, and would see a
 * reset instead of the answer. A client that sends more than `limit` bytes more is cut off.
 */
export function drainRequest(request: IncomingMessage, limit: number): void {
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limit) request.socket.destroy();
  });
  request.resume();
}

/** The whole body, up to MAX_BODY_BYTES: the signature covers it, so it is read before the check. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8') || 'null');
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

export async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBody(request));
}

function requireId(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (!isValidId(value)) throw new HttpError(400, `${field} must be 1-64 characters of A-Z a-z 0-9 _ = @ . + -`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string, max: number): string {
  const value = body[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > max) throw new HttpError(400, `${field} must be a string of at most ${max}`);
  return value;
}

/** A token's lifetime in whole seconds, when the app server wants one shorter or longer than the default. */
function optionalExpiresIn(body: Record<string, unknown>): number | undefined {
  const value = body.expiresIn;
  if (value === undefined || value === null) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > MAX_TOKEN_TTL_SECONDS) {
    throw new HttpError(400, `expiresIn must be a whole number of seconds from 1 to ${MAX_TOKEN_TTL_SECONDS}`);
  }
  return value as number;
}

const ABSOLUTE_HTTP_URL = /^https?:\/\/[^\s\u0000-\u001f\u007f/?#]+[^\s\u0000-\u001f\u007f]*$/i;

/**
 * A portrait is shown in every member's widget, on whatever site embeds it: an absolute http(s)
 * URL, or none. A relative one would be fetched from the embedding site, `javascript:` and
 * `data:` are no pictures.
 */
function optionalPortrait(body: Record<string, unknown>): string {
  const value = optionalString(body, 'portraitUri', 1024);
  if (value === '') return value;
  let parsed: URL | undefined;
  try {
    parsed = ABSOLUTE_HTTP_URL.test(value) ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
    throw new HttpError(400, 'portraitUri must be an absolute http(s) URL (or empty)');
  }
  return value;
}

/**
 * A group change's notice, unless the request says `notify: false` (an app server that posts
 * its own notices, or sets groups up in bulk).
 */
function noticeUnlessQuiet(body: Record<string, unknown>, context: AppApiContext): (change: GroupChange) => Promise<void> {
  if (body.notify !== undefined && typeof body.notify !== 'boolean') throw new HttpError(400, 'notify must be true or false');
  return body.notify === false ? async () => undefined : (change) => context.groupNotice(change);
}

/** The app user who made a group change, when the request names one (`operatorUserId`). */
function optionalOperator(body: Record<string, unknown>): string | undefined {
  return body.operatorUserId === undefined || body.operatorUserId === null ? undefined : requireAppUserId(body, 'operatorUserId');
}

function requireIds(body: Record<string, unknown>, field: string): string[] {
  const value = body[field];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_GROUP_USERS || !value.every(isValidId)) {
    throw new HttpError(400, `${field} must be a non-empty array of at most ${MAX_GROUP_USERS} user ids`);
  }
  return value as string[];
}

const DEFAULT_AGENT_CAP = 5;

/** A whole number in [0, max], or `fallback` when absent. */
function optionalCount(body: Record<string, unknown>, field: string, fallback: number, max: number): number {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > max) {
    throw new HttpError(400, `${field} must be a whole number from 0 to ${max}`);
  }
  return value as number;
}

/** A skill group as the app server describes it; what it leaves out takes the defaults. */
function serviceGroupFrom(body: Record<string, unknown>): ServiceGroupRecord {
  const groupId = body.groupId;
  if (!isValidServiceGroupId(groupId)) throw new HttpError(400, 'groupId must be 1-16 characters of A-Z a-z 0-9 _ -');
  const mode = body.mode ?? 'human';
  if (mode !== 'robot' && mode !== 'human') throw new HttpError(400, "mode must be 'robot' or 'human'");
  const faq = body.faq ?? [];
  const validFaq = Array.isArray(faq) && faq.length <= 100 && faq.every((entry) => entry && typeof entry === 'object'
    && Array.isArray(entry.keywords) && entry.keywords.length <= 20
    && entry.keywords.every((keyword: unknown) => typeof keyword === 'string' && keyword.length > 0 && keyword.length <= 64)
    && typeof entry.answer === 'string' && entry.answer.length <= 2000);
  if (!validFaq) throw new HttpError(400, 'faq must be at most 100 entries of { keywords: [1-20 strings], answer: string }');
  return {
    groupId, name: optionalString(body, 'name', 128), mode, welcome: optionalString(body, 'welcome', 2000),
    faq: (faq as Array<{ keywords: string[]; answer: string }>).map(({ keywords, answer }) => ({ keywords, answer })),
    maxPerAgent: optionalCount(body, 'maxPerAgent', 5, 1000),
    ...serviceGroupSettingsFrom(body),
  };
}

const FIELD_NAME = /^[a-z0-9_]{1,32}$/;
const FIELD_TYPES: ReadonlySet<unknown> = new Set(['text', 'email', 'tel', 'textarea', 'select']);
const SHORTCUT = /^[a-z0-9_-]{1,32}$/;
const isShortString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;

/** The second slice's group settings: hours, pre-chat form, offline message, canned replies (each optional). */
function serviceGroupSettingsFrom(body: Record<string, unknown>): Pick<ServiceGroupRecord, 'hours' | 'preChatFields' | 'offlineMessage' | 'cannedReplies'> {
  const settings: Pick<ServiceGroupRecord, 'hours' | 'preChatFields' | 'offlineMessage' | 'cannedReplies'> = {};
  if (body.hours !== undefined && body.hours !== null) {
    const problem = checkHours(body.hours);
    if (problem) throw new HttpError(400, problem);
    const { timeZone, weekly } = body.hours as ServiceHours;
    settings.hours = { timeZone, weekly };
  }
  const fields = body.preChatFields ?? [];
  const names = new Set<string>();
  const validFields = Array.isArray(fields) && fields.length <= 10 && fields.every((field) => {
    if (!field || typeof field !== 'object' || Array.isArray(field)) return false;
    const { name, label, type, required, options } = field as Record<string, unknown>;
    if (typeof name !== 'string' || !FIELD_NAME.test(name) || names.has(name) || !isShortString(label, 128) || !FIELD_TYPES.has(type)) return false;
    if (required !== undefined && typeof required !== 'boolean') return false;
    names.add(name);
    if (type !== 'select') return options === undefined;
    return Array.isArray(options) && options.length >= 1 && options.length <= 50 && options.every((option) => isShortString(option, 128));
  });
  if (!validFields) {
    throw new HttpError(400, "preChatFields must be at most 10 of { name: 1-32 of a-z 0-9 _ (unique), label: ≤ 128, "
      + "type: 'text'|'email'|'tel'|'textarea'|'select', required?: boolean, options: 1-50 strings ≤ 128 (select only) }");
  }
  if ((fields as unknown[]).length) {
    settings.preChatFields = (fields as PreChatField[]).map(({ name, label, type, required, options }) => ({
      name, label, type, ...(required ? { required } : {}), ...(options ? { options: [...options] } : {}),
    }));
  }
  const offlineMessage = optionalString(body, 'offlineMessage', 2000);
  if (offlineMessage) settings.offlineMessage = offlineMessage;
  const replies = body.cannedReplies ?? [];
  const shortcuts = new Set<string>();
  const validReplies = Array.isArray(replies) && replies.length <= 200 && replies.every((reply) => {
    if (!reply || typeof reply !== 'object' || Array.isArray(reply)) return false;
    const { shortcut, text } = reply as Record<string, unknown>;
    if (typeof shortcut !== 'string' || !SHORTCUT.test(shortcut) || shortcuts.has(shortcut) || !isShortString(text, 2000)) return false;
    shortcuts.add(shortcut);
    return true;
  });
  if (!validReplies) throw new HttpError(400, 'cannedReplies must be at most 200 of { shortcut: 1-32 of a-z 0-9 _ - (unique), text: ≤ 2000 }');
  if ((replies as unknown[]).length) settings.cannedReplies = (replies as CannedReply[]).map(({ shortcut, text }) => ({ shortcut, text }));
  return settings;
}

/** Ids the anonymous-visitor endpoint mints; an app's own users never have them. */
export const VISITOR_PREFIX = 'visitor-';

function requireAppUserId(body: Record<string, unknown>, field: string): string {
  const userId = requireId(body, field);
  if (userId.startsWith(VISITOR_PREFIX)) throw new HttpError(400, `${field} must not start with "${VISITOR_PREFIX}": those are anonymous visitors' ids`);
  return userId;
}

/**
 * The app-server API (signed with App-Key, Nonce, Timestamp, Signature as in the seed).
 * Returns false when the path is not an API path.
 */
export async function handleAppApi(request: IncomingMessage, response: ServerResponse, context: AppApiContext): Promise<boolean> {
  const path = (request.url ?? '').split('?')[0]!;
  if (!path.startsWith('/api/')) return false;
  try {
    const raw = await readBody(request);
    const check = verifyApiSignature(
      { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: raw },
      context.appKey, context.appSecret, { acceptSeedSignature: context.acceptSeedSignature, nonces: context.nonces },
    );
    if (!check.ok) throw new HttpError(check.status, check.reason);
    const bodyJson = () => parseJsonObject(raw);
    const route = `${request.method} ${path}`;
    switch (route) {
      case 'POST /api/user/token': {
        const body = bodyJson();
        const userId = requireAppUserId(body, 'userId');
        const name = optionalString(body, 'name', 128);
        const portraitUri = optionalPortrait(body);
        const expiresIn = optionalExpiresIn(body);
        await context.store.upsertUser({ userId, name, portraitUri });
        const issuedAt = Date.now();
        const expiresAt = issuedAt + (expiresIn === undefined ? DEFAULT_TOKEN_TTL_MS : expiresIn * 1000);
        const token = signToken({ appKey: context.appKey, userId, expiresAt, issuedAt }, context.appSecret);
        sendJson(response, 200, { code: 200, userId, token, expiresAt });
        return true;
      }
      case 'POST /api/user/token/revoke': {
        // Tokens issued until now stop working, and the user's live sessions end; the next token works.
        const userId = requireId(bodyJson(), 'userId');
        const validAfter = await context.revokeTokens(userId);
        sendJson(response, 200, { code: 200, userId, validAfter });
        return true;
      }
      case 'POST /api/group/create': {
        const body = bodyJson();
        const groupId = requireId(body, 'groupId');
        const groupName = optionalString(body, 'groupName', 128);
        const operatorUserId = optionalOperator(body);
        const notify = noticeUnlessQuiet(body, context);
        const formerName = await context.store.groupName(groupId);
        const before = await context.store.groupMembers(groupId);
        await context.store.createGroup(groupId, groupName, requireIds(body, 'userIds'));
        const members = await context.store.groupMembers(groupId);
        if (formerName === undefined) {
          await notify({ groupId, operation: 'Create', operatorUserId, groupName, targetUserIds: members, recipients: members });
        } else {
          // Created again: what changed is told as a join and a rename.
          const added = members.filter((userId) => !before.includes(userId));
          if (added.length) await notify({ groupId, operation: 'Add', operatorUserId, groupName, targetUserIds: added, recipients: members });
          if (formerName !== groupName) await notify({ groupId, operation: 'Rename', operatorUserId, groupName, recipients: members });
        }
        sendJson(response, 200, { code: 200 });
        return true;
      }
      case 'POST /api/group/join':
      case 'POST /api/group/quit': {
        const body = bodyJson();
        const groupId = requireId(body, 'groupId');
        const userIds = requireIds(body, 'userIds');
        const operatorUserId = optionalOperator(body);
        const notify = noticeUnlessQuiet(body, context);
        const joining = path.endsWith('/join');
        const before = await context.store.groupMembers(groupId);
        const done = joining ? await context.store.joinGroup(groupId, userIds) : await context.store.quitGroup(groupId, userIds);
        if (!done) throw new HttpError(404, `group ${groupId} does not exist`);
        // Only those whose membership changed are named; those who leave hear it too.
        const changed = joining ? userIds.filter((userId) => !before.includes(userId)) : userIds.filter((userId) => before.includes(userId));
        if (changed.length > 0) {
          const groupName = (await context.store.groupName(groupId)) ?? '';
          const operation = joining ? 'Add' : operatorUserId && !changed.includes(operatorUserId) ? 'Kicked' : 'Quit';
          const recipients = joining ? await context.store.groupMembers(groupId) : before;
          await notify({ groupId, operation, operatorUserId, groupName, targetUserIds: changed, recipients });
        }
        sendJson(response, 200, { code: 200 });
        return true;
      }
      case 'POST /api/group/rename': {
        const body = bodyJson();
        const groupId = requireId(body, 'groupId');
        const groupName = optionalString(body, 'groupName', 128);
        const operatorUserId = optionalOperator(body);
        const notify = noticeUnlessQuiet(body, context);
        if (!(await context.store.renameGroup(groupId, groupName))) throw new HttpError(404, `group ${groupId} does not exist`);
        await notify({ groupId, operation: 'Rename', operatorUserId, groupName, recipients: await context.store.groupMembers(groupId) });
        sendJson(response, 200, { code: 200 });
        return true;
      }
      case 'POST /api/group/dismiss': {
        const body = bodyJson();
        const groupId = requireId(body, 'groupId');
        const operatorUserId = optionalOperator(body);
        const notify = noticeUnlessQuiet(body, context);
        const groupName = (await context.store.groupName(groupId)) ?? '';
        // Told before the members go: the notice is the last message they can read of it.
        const members = await context.store.groupMembers(groupId);
        if (!(await context.store.groupExists(groupId))) throw new HttpError(404, `group ${groupId} does not exist`);
        await notify({ groupId, operation: 'Dismiss', operatorUserId, groupName, recipients: members });
        await context.store.dismissGroup(groupId);
        sendJson(response, 200, { code: 200 });
        return true;
      }
      case 'POST /api/cs/group/set': {
        const group = serviceGroupFrom(bodyJson());
        await context.store.setServiceGroup(group);
        await context.serviceGroupsChanged([group.groupId]);
        sendJson(response, 200, { code: 200, group });
        return true;
      }
      case 'POST /api/cs/agent/set': {
        const body = bodyJson();
        const userId = requireAppUserId(body, 'userId');
        const groupIds = body.groupIds;
        if (!Array.isArray(groupIds) || groupIds.length > 100 || !groupIds.every(isValidServiceGroupId)) {
          throw new HttpError(400, 'groupIds must be an array of at most 100 skill group ids (1-16 of A-Z a-z 0-9 _ -)');
        }
        const cap = optionalCount(body, 'cap', DEFAULT_AGENT_CAP, 1000);
        const before = (await context.store.serviceAgent(userId))?.groupIds ?? [];
        await context.store.setServiceAgent({ userId, groupIds: [...new Set(groupIds as string[])], cap });
        await context.serviceAgentChanged(userId, before.filter((groupId) => !(groupIds as string[]).includes(groupId)),
          [...new Set([...before, ...(groupIds as string[])])]);
        sendJson(response, 200, { code: 200, userId, groupIds, cap });
        return true;
      }
      case 'GET /api/metrics':
        sendJson(response, 200, { code: 200, ...(await context.metrics()) });
        return true;
      default:
        throw new HttpError(404, `no API at ${request.method} ${path}`);
    }
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    sendJson(response, status, { code: status, errorMessage: status === 500 ? 'internal error' : (error as Error).message });
    if (status === 500) console.error(error);
    return true;
  }
}
