import { FieldsMessage, MAX_TEXT_LENGTH, type CommonFields, type FieldRules } from './fields.js';
import { registerMessageClass } from './registry.js';

export { MAX_TEXT_LENGTH };

export interface MentionedInfo {
  /** 1: everyone, 2: the listed users (the seed's MentionedType). */
  type: 1 | 2;
  userIdList?: string[];
  mentionedContent?: string;
}

export interface TextMessageFields extends CommonFields {
  content: string;
  mentionedInfo?: MentionedInfo;
}

/** `RC:TxtMsg`: plain text (never HTML), stored and counted. */
export class TextMessage extends FieldsMessage {
  static readonly objectName = 'RC:TxtMsg';
  static readonly options = { isPersited: true, isCounted: true };
  static override readonly rules: FieldRules = {
    content: { kind: 'text', max: MAX_TEXT_LENGTH, required: true },
    mentionedInfo: { kind: 'mentions' },
  };
  declare readonly content: string;
  declare readonly mentionedInfo?: MentionedInfo;

  constructor(fields: TextMessageFields) {
    super(fields);
  }
}

registerMessageClass(TextMessage);
