/** A refusal with the seed's numeric code. */
export class ServiceError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
