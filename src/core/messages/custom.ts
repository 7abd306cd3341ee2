import { checkFields, type CommonFields, type FieldRules } from './fields.js';
import {
  getMessageClass, MessageContent, MessageValidationError, registerMessageClass, type MessageContentClass, type MessageTypeOptions,
} from './registry.js';

const OBJECT_NAME = /^[A-Za-z0-9_\-.:]{1,64}$/;

/** Names a custom type's fields may not have: they would hide what every message content has. */
const RESERVED_FIELDS = new Set(['objectName', 'toJSON', 'validate', 'constructor', '__proto__', 'prototype']);

/**
 * A message of a type the app registered. Its fields are own properties, as the built-in types'
 * are: `message.content.question` for a poll's `question`, like `message.content.imageUri` for
 * an image. `toJSON()` gives back the fields that travel.
 */
export abstract class CustomMessage extends MessageContent {
  [field: string]: unknown;
  /** The registered field names; none means every field is kept. */
  static readonly fieldNames: readonly string[] | undefined;

  constructor(fields: Record<string, unknown>) {
    super();
    const names = (this.constructor as typeof CustomMessage).fieldNames;
    const source = fields && typeof fields === 'object' && !Array.isArray(fields) ? fields : {};
    const target = this as Record<string, unknown>;
    for (const name of names ? [...names, 'extra', 'user'] : Object.keys(source)) {
      if (!Object.hasOwn(source, name) || source[name] === undefined) continue;
      if (RESERVED_FIELDS.has(name)) throw new MessageValidationError(`${this.objectName}: a field may not be named ${name}`);
      target[name] = source[name];
    }
  }

  get objectName(): string {
    return (this.constructor as unknown as MessageContentClass).objectName;
  }

  override validate(): void {
    checkFields(this.objectName, noRules, this.toJSON());
  }

  toJSON(): Record<string, unknown> {
    return { ...this } as Record<string, unknown>;
  }
}

const noRules: FieldRules = {};

/** The class `registerMessageType` returns; `Fields` types the fields, `new Poll({ question })`. */
export type CustomMessageClass<Fields extends object = Record<string, unknown>> = MessageContentClass<CustomMessage & Fields>
  & { new (fields: Fields & CommonFields): CustomMessage & Fields };

/**
 * Registers an app's own message type and returns its class (the seed's 5.x
 * `registerMessageType`). Both forms work:
 * `registerMessageType('App:Card', { isPersited: true, isCounted: false }, ['title'])` and the
 * seed's positional `registerMessageType('App:Card', true, false, ['title'])`. `fieldNames`, when
 * given, are the fields kept (besides `extra` and `user`). The server stores and counts the
 * type as these flags say. `RC:` names belong to the built-in types.
 */
export function registerMessageType<Fields extends object = Record<string, unknown>>(
  objectName: string, options: MessageTypeOptions, fieldNames?: readonly string[]): CustomMessageClass<Fields>;
export function registerMessageType<Fields extends object = Record<string, unknown>>(
  objectName: string, isPersited: boolean, isCounted: boolean, fieldNames?: readonly string[]): CustomMessageClass<Fields>;
export function registerMessageType<Fields extends object = Record<string, unknown>>(objectName: string, first: MessageTypeOptions | boolean,
  second?: boolean | readonly string[], third?: readonly string[]): CustomMessageClass<Fields> {
  const options: MessageTypeOptions = typeof first === 'boolean'
    ? { isPersited: first, isCounted: second === true }
    : { isPersited: first?.isPersited !== false, isCounted: first?.isCounted !== false };
  const fieldNames = typeof first === 'boolean' ? third : (second as readonly string[] | undefined);
  if (typeof objectName !== 'string' || !OBJECT_NAME.test(objectName)) {
    throw new MessageValidationError('objectName must be 1-64 characters of A-Z a-z 0-9 _ - . :');
  }
  if (objectName.startsWith('RC:')) throw new MessageValidationError(`${objectName}: RC: names are the built-in types'`);
  if (fieldNames !== undefined && (!Array.isArray(fieldNames) || fieldNames.some((name) => typeof name !== 'string'))) {
    throw new MessageValidationError('fieldNames must be an array of strings');
  }
  const reserved = fieldNames?.find((name) => RESERVED_FIELDS.has(name));
  if (reserved !== undefined) throw new MessageValidationError(`${objectName}: a field may not be named ${reserved}`);
  const existing = getMessageClass(objectName);
  if (existing && !(existing.prototype instanceof CustomMessage)) throw new MessageValidationError(`${objectName} is already registered`);
  const type = class extends CustomMessage {
    static readonly objectName = objectName;
    static readonly options = options;
    static override readonly fieldNames = fieldNames && [...fieldNames];
  };
  registerMessageClass(type);
  return type as unknown as CustomMessageClass<Fields>;
}
