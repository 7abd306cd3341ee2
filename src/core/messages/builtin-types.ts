import {
  FieldsMessage, MAX_ID_LENGTH, MAX_LINE_LENGTH, MAX_TEXT_LENGTH, type CommonFields, type FieldRules,
} from './fields.js';
import { registerMessageClass, type MessageTypeOptions } from './registry.js';

/**
 * The seed's built-in types beyond text (its 5.x field objects). Media fields hold URLs of
 * files already uploaded; thumbnails are base64 without a data-URI prefix.
 */

const STORED: MessageTypeOptions = { isPersited: true, isCounted: true };
/** Notifications: kept in history, but nothing to read, so no unread count. */
const NOTICE: MessageTypeOptions = { isPersited: true, isCounted: false };

const line = (required = false) => ({ kind: 'text', max: MAX_LINE_LENGTH, required } as const);
const id = (required = false) => ({ kind: 'text', max: MAX_ID_LENGTH, required } as const);
const text = (required = false) => ({ kind: 'text', max: MAX_TEXT_LENGTH, required } as const);
const bytes = { kind: 'number', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true } as const;
const pixels = { kind: 'number', min: 0, max: 100_000 } as const;
/** A time in ms since the epoch. */
const time = (required = false) => ({ kind: 'number', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, required } as const);

export interface ImageMessageFields extends CommonFields {
  /** Thumbnail: base64 without a data-URI prefix, at most 10 240 characters. */
  content?: string;
  imageUri: string;
}

/** `RC:ImgMsg`: a picture by URL, with an inline thumbnail. */
export class ImageMessage extends FieldsMessage {
  static readonly objectName = 'RC:ImgMsg';
  static readonly options = STORED;
  static override readonly rules: FieldRules = { content: { kind: 'base64' }, imageUri: { kind: 'url', required: true } };
  declare readonly content?: string;
  declare readonly imageUri: string;
  constructor(fields: ImageMessageFields) {
    super(fields);
  }
}

export interface GIFMessageFields extends CommonFields {
  /** File size, bytes. */
  gifDataSize: number;
  remoteUrl: string;
  width: number;
  height: number;
}

/** `RC:GIFMsg`: an animated picture by URL. */
export class GIFMessage extends FieldsMessage {
  static readonly objectName = 'RC:GIFMsg';
  static readonly options = STORED;
  static override readonly rules: FieldRules = {
    gifDataSize: { ...bytes, required: true }, remoteUrl: { kind: 'url', required: true },
    width: { ...pixels, required: true }, height: { ...pixels, required: true },
  };
  declare readonly gifDataSize: number;
  declare readonly remoteUrl: string;
  declare readonly width: number;
  declare readonly height: number;
  constructor(fields: GIFMessageFields) {
    super(fields);
  }
}

export interface FileMessageFields extends CommonFields {
  name: string;
  /** Bytes. */
  size: number;
  /** The file's type (an extension or MIME type). */
  type?: string;
  fileUrl: string;
}

/** `RC:FileMsg`: a file by URL. */
export class FileMessage extends FieldsMessage {
  static readonly objectName = 'RC:FileMsg';
  static readonly options = STORED;
  static override readonly rules: FieldRules = {
    name: line(true), size: { ...bytes, required: true }, type: line(), fileUrl: { kind: 'url', required: true },
  };
  declare readonly name: string;
  declare readonly size: number;
  declare readonly type?: string;
  declare readonly fileUrl: string;
  constructor(fields: FileMessageFields) {
    super(fields);
  }
}

export interface HQVoiceMessageFields extends CommonFields {
  remoteUrl: string;
  /** Seconds, above 0 and at most 60. */
  duration: number;
  /** Encoding, default `aac` (what the seed's mobile kits play). */
  type?: string;
}

/** `RC:HQVCMsg`: a voice clip by URL. */
export class HQVoiceMessage extends FieldsMessage {
  static readonly objectName = 'RC:HQVCMsg';
  static readonly options = STORED;
  static override readonly rules: FieldRules = {
    remoteUrl: { kind: 'url', required: true }, duration: { kind: 'number', min: 0, above: true, max: 60, required: true },
    type: line(),
  };
  static override readonly defaults = { type: 'aac' };
  declare readonly remoteUrl: string;
  declare readonly duration: number;
  declare readonly type: string;
  constructor(fields: HQVoiceMessageFields) {
    super(fields);
  }
}

export interface SightMessageFields extends CommonFields {
  sightUrl: string;
  /** First-frame thumbnail: base64 without a data-URI prefix, at most 10 240 characters. */
  content?: string;
  /** Seconds, above 0 and at most 120 (the seed server's default limit). */
  duration: number;
  /** Bytes. */
  size?: number;
  name?: string;
}

/** `RC:SightMsg`: a short video by URL. */
export class SightMessage extends FieldsMessage {
  static readonly objectName = 'RC:SightMsg';
  static readonly options = STORED;
  static override readonly rules: FieldRules = {
    sightUrl: { kind: 'url', required: true }, content: { kind: 'base64' },
    duration: { kind: 'number', min: 0, above: true, max: 120, required: true }, size: bytes, name: line(),
  };
  declare readonly sightUrl: string;
  declare readonly content?: string;
  declare readonly duration: number;
  declare readonly size?: number;
  declare readonly name?: string;
  constructor(fields: SightMessageFields) {
    super(fields);
  }
}

export interface LocationMessageFields extends CommonFields {
  /** Degrees, −90 to 90. */
  latitude: number;
  /** Degrees, −180 to 180. */
  longitude: number;
  /** The place's description. */
  poi?: string;
  /** Map thumbnail: base64 without a data-URI prefix. */
  content?: string;
}

/** `RC:LBSMsg`: a place. */
export class LocationMessage extends FieldsMessage {
  static readonly objectName = 'RC:LBSMsg';
  static readonly options = STORED;
  static override readonly rules: FieldRules = {
    latitude: { kind: 'number', min: -90, max: 90, required: true },
    longitude: { kind: 'number', min: -180, max: 180, required: true },
    poi: line(), content: { kind: 'base64' },
  };
  declare readonly latitude: number;
  declare readonly longitude: number;
  declare readonly poi?: string;
  declare readonly content?: string;
  constructor(fields: LocationMessageFields) {
    super(fields);
  }
}

export interface RichContentMessageFields extends CommonFields {
  title: string;
  /** Summary text. */
  content: string;
  imageUri?: string;
  /** The article's link. */
  url?: string;
}

/** `RC:ImgTextMsg`: a link card: title, summary, picture and link. */
export class RichContentMessage extends FieldsMessage {
  static readonly objectName = 'RC:ImgTextMsg';
  static readonly options = STORED;
  static override readonly rules: FieldRules = {
    title: line(true), content: text(), imageUri: { kind: 'url' }, url: { kind: 'url' },
  };
  declare readonly title: string;
  declare readonly content: string;
  declare readonly imageUri?: string;
  declare readonly url?: string;
  constructor(fields: RichContentMessageFields) {
    super(fields);
  }
}

export interface ReferenceMessageFields extends CommonFields {
  /** Sender of the quoted message. */
  referMsgUserId: string;
  /** The quoted message's content (its toJSON()). */
  referMsg: Record<string, unknown>;
  /** messageUid of the quoted message. */
  referMsgUid?: string;
  /** The reply text. */
  content: string;
  /** objectName of the quoted message. */
  objName: string;
}

/** `RC:ReferenceMsg`: a text reply quoting an earlier message. */
export class ReferenceMessage extends FieldsMessage {
  static readonly objectName = 'RC:ReferenceMsg';
  static readonly options = STORED;
  static override readonly rules: FieldRules = {
    referMsgUserId: id(true), referMsg: { kind: 'object', required: true }, referMsgUid: id(),
    content: text(true), objName: id(true),
  };
  declare readonly referMsgUserId: string;
  declare readonly referMsg: Record<string, unknown>;
  declare readonly referMsgUid?: string;
  declare readonly content: string;
  declare readonly objName: string;
  constructor(fields: ReferenceMessageFields) {
    super(fields);
  }
}

export interface InformationNotificationMessageFields extends CommonFields {
  message: string;
}

/** `RC:InfoNtf`: a grey notice line in the conversation. */
export class InformationNotificationMessage extends FieldsMessage {
  static readonly objectName = 'RC:InfoNtf';
  static readonly options = NOTICE;
  static override readonly rules: FieldRules = { message: text(true) };
  declare readonly message: string;
  constructor(fields: InformationNotificationMessageFields) {
    super(fields);
  }
}

export interface CommandMessageFields extends CommonFields {
  name: string;
  data?: string;
}

/** `RC:CmdMsg`: an app command: delivered live to the members online, never stored or counted. */
export class CommandMessage extends FieldsMessage {
  static readonly objectName = 'RC:CmdMsg';
  static readonly options: MessageTypeOptions = { isPersited: false, isCounted: false };
  static override readonly rules: FieldRules = { name: line(true), data: text() };
  declare readonly name: string;
  declare readonly data?: string;
  constructor(fields: CommandMessageFields) {
    super(fields);
  }
}

export interface TypingStatusMessageFields extends CommonFields {
  /** The objectName of what is being typed (default `RC:TxtMsg`). */
  typingContentType?: string;
}

/**
 * `RC:TypSts`: the sender is typing. Delivered live to the other members online, never stored
 * or counted; `IMClient` reports it as a `typing` event, not as a message.
 */
export class TypingStatusMessage extends FieldsMessage {
  static readonly objectName = 'RC:TypSts';
  static readonly options: MessageTypeOptions = { isPersited: false, isCounted: false };
  static override readonly rules: FieldRules = { typingContentType: id() };
  static override readonly defaults = { typingContentType: 'RC:TxtMsg' };
  declare readonly typingContentType: string;
  constructor(fields: TypingStatusMessageFields = {}) {
    super(fields);
  }
}

export interface GroupNotificationMessageFields extends CommonFields {
  operatorUserId: string;
  /** What happened (the app's names: Add, Kicked, Rename, …). */
  operation: string;
  data?: string;
  message?: string;
}

/** `RC:GrpNtf`: a change to a group, told to its members. */
export class GroupNotificationMessage extends FieldsMessage {
  static readonly objectName = 'RC:GrpNtf';
  static readonly options = NOTICE;
  static override readonly rules: FieldRules = {
    operatorUserId: id(true), operation: line(true), data: text(), message: text(),
  };
  declare readonly operatorUserId: string;
  declare readonly operation: string;
  declare readonly data?: string;
  declare readonly message?: string;
  constructor(fields: GroupNotificationMessageFields) {
    super(fields);
  }
}

export interface RecallCommandMessageFields extends CommonFields {
  /** messageUid of the recalled message (the seed's spelling). */
  messageUId: string;
  conversationType: number;
  /** The conversation's targetId as the recalling user addressed it. */
  targetId: string;
  /** sentTime of the recalled message. */
  sentTime: number;
  /** Who recalled it. */
  operatorId: string;
  recallTime: number;
  /** objectName the recalled message had. */
  originalObjectName: string;
}

/**
 * `RC:RcCmd`: a message was recalled. Only the server issues it (a client asks with
 * `IMClient.recallMessage`); it reaches every member and device, by sync too, and is not counted.
 */
export class RecallCommandMessage extends FieldsMessage {
  static readonly objectName = 'RC:RcCmd';
  static readonly options = NOTICE;
  static override readonly rules: FieldRules = {
    messageUId: id(true), conversationType: { kind: 'number', min: 0, max: 255, integer: true, required: true },
    targetId: id(true), sentTime: time(true), operatorId: id(true), recallTime: time(true), originalObjectName: id(true),
  };
  declare readonly messageUId: string;
  declare readonly conversationType: number;
  declare readonly targetId: string;
  declare readonly sentTime: number;
  declare readonly operatorId: string;
  declare readonly recallTime: number;
  declare readonly originalObjectName: string;
  constructor(fields: RecallCommandMessageFields) {
    super(fields);
  }
}

export interface RecallNotificationMessageFields extends CommonFields {
  /** Who recalled the message. */
  operatorId: string;
  recallTime: number;
  /** objectName the recalled message had. */
  originalObjectName: string;
}

/**
 * `RC:RcNtf`: what a recalled message becomes, in history, in conversation previews and in the
 * store; the original content is gone from the server.
 */
export class RecallNotificationMessage extends FieldsMessage {
  static readonly objectName = 'RC:RcNtf';
  static readonly options = NOTICE;
  static override readonly rules: FieldRules = {
    operatorId: id(true), recallTime: time(true), originalObjectName: id(true),
  };
  declare readonly operatorId: string;
  declare readonly recallTime: number;
  declare readonly originalObjectName: string;
  constructor(fields: RecallNotificationMessageFields) {
    super(fields);
  }
}

for (const type of [ImageMessage, GIFMessage, FileMessage, HQVoiceMessage, SightMessage, LocationMessage, RichContentMessage,
  ReferenceMessage, InformationNotificationMessage, CommandMessage, TypingStatusMessage, GroupNotificationMessage, RecallCommandMessage,
  RecallNotificationMessage]) {
  registerMessageClass(type);
}
