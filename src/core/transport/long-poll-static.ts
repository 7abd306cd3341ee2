/**
 * long-poll-lazy.ts for builds that keep long-polling inline (the support panel, the facade's): the
 * transport itself, made at once, with no loading step.
 */
export { LongPollTransport as LazyLongPollTransport } from './long-poll-transport.js';
