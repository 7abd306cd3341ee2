/**
 * Message types: each objectName (the seed's identifiers, `RC:TxtMsg`, …) maps to a class that
 * builds its content from the seed's field object and checks it before a send.
 */

/** Thrown by a content class when a field is invalid; `code` is the seed's PARAMETER_ERROR. */
export class MessageValidationError extends Error {
  override readonly name = 'MessageValidationError';
  readonly code = -3;
}

export interface MessageTypeOptions {
  /** Stored on the server and synced to other devices (the seed's 是否存储; its spelling kept). */
  isPersited: boolean;
  /** Counted in unread counts (the seed's 是否计数). */
  isCounted: boolean;
}

/** The content of one message. `toJSON()` is what travels on the wire. */
export abstract class MessageContent {
  abstract readonly objectName: string;
  /** Throws MessageValidationError when a field is unfit to send. */
  validate(): void {}
  abstract toJSON(): Record<string, unknown>;
}

export interface MessageContentClass<C extends MessageContent = MessageContent> {
  new (fields: any): C;
  readonly objectName: string;
  readonly options: MessageTypeOptions;
}

/** Content of a type this client has no class for: kept intact, shown as unsupported. */
export class UnknownMessage extends MessageContent {
  constructor(readonly objectName: string, readonly content: Record<string, unknown>) {
    super();
  }
  toJSON(): Record<string, unknown> {
    return this.content;
  }
}

const registry = new Map<string, MessageContentClass>();

export function registerMessageClass(type: MessageContentClass): void {
  registry.set(type.objectName, type);
}

export function getMessageClass(objectName: string): MessageContentClass | undefined {
  return registry.get(objectName);
}

/** The storage/counting flags of a type; unknown types are stored and counted. */
export function messageTypeOptions(objectName: string): MessageTypeOptions {
  return registry.get(objectName)?.options ?? { isPersited: true, isCounted: true };
}

/**
 * Builds content from received JSON bytes. Never throws: bytes that are not a JSON object, or
 * fields its class rejects, give an UnknownMessage holding what arrived.
 */
export function decodeContent(objectName: string, bytes: Uint8Array): MessageContent {
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(textDecoder.decode(bytes));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) fields = parsed as Record<string, unknown>;
  } catch {
    return new UnknownMessage(objectName, {});
  }
  const type = registry.get(objectName);
  if (!type) return new UnknownMessage(objectName, fields);
  try {
    const content = new type(fields);
    content.validate();
    return content;
  } catch {
    return new UnknownMessage(objectName, fields);
  }
}

export function encodeContent(content: MessageContent): Uint8Array {
  return textEncoder.encode(JSON.stringify(content.toJSON()));
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });
