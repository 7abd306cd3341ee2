import { MessageContent, MessageValidationError, registerMessageClass } from './registry.js';

/** User info a message may carry (the seed's `user` field). */
export interface MessageUserInfo {
  id?: string;
  name?: string;
  portraitUri?: string;
}

export interface MentionedInfo {
  /** 1: everyone, 2: the listed users (the seed's MentionedType). */
  type: 1 | 2;
  userIdList?: string[];
  mentionedContent?: string;
}

export interface TextMessageFields {
  content: string;
  extra?: string;
  user?: MessageUserInfo;
  mentionedInfo?: MentionedInfo;
}

/** Largest text, in UTF-16 code units, a TextMessage may carry. */
export const MAX_TEXT_LENGTH = 64 * 1024;

/** `RC:TxtMsg`: plain text (never HTML), stored and counted. */
export class TextMessage extends MessageContent {
  static readonly objectName = 'RC:TxtMsg';
  static readonly options = { isPersited: true, isCounted: true };
  readonly objectName = TextMessage.objectName;
  readonly content: string;
  readonly extra?: string;
  readonly user?: MessageUserInfo;
  readonly mentionedInfo?: MentionedInfo;

  constructor(fields: TextMessageFields) {
    super();
    this.content = fields?.content;
    if (fields?.extra !== undefined) this.extra = fields.extra;
    if (fields?.user !== undefined) this.user = fields.user;
    if (fields?.mentionedInfo !== undefined) this.mentionedInfo = fields.mentionedInfo;
  }

  override validate(): void {
    if (typeof this.content !== 'string' || this.content.length === 0) {
      throw new MessageValidationError('TextMessage.content must be a non-empty string');
    }
    if (this.content.length > MAX_TEXT_LENGTH) {
      throw new MessageValidationError(`TextMessage.content is longer than ${MAX_TEXT_LENGTH}`);
    }
    if (this.extra !== undefined && typeof this.extra !== 'string') {
      throw new MessageValidationError('TextMessage.extra must be a string');
    }
    if (this.user !== undefined && (typeof this.user !== 'object' || this.user === null)) {
      throw new MessageValidationError('TextMessage.user must be an object');
    }
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { content: this.content };
    if (this.extra !== undefined) json.extra = this.extra;
    if (this.user !== undefined) json.user = this.user;
    if (this.mentionedInfo !== undefined) json.mentionedInfo = this.mentionedInfo;
    return json;
  }
}

registerMessageClass(TextMessage);
