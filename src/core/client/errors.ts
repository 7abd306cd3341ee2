import { errorCodeName } from '../protocol/codes.js';

/** Every failure of the client: an Error with the seed's numeric `code`. */
export class IMError extends Error {
  override readonly name = 'IMError';
  constructor(readonly code: number, message?: string) {
    super(message ? `${errorCodeName(code)} (${code}): ${message}` : `${errorCodeName(code)} (${code})`);
  }
}
