import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorLogger } from '../../src/server/error-log.js';

class SqliteLikeError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'SqliteError';
  }
}

describe('server error log', () => {
  it('writes one stack per kind of error, then counts the repeats', () => {
    const lines: string[] = [];
    const logError = errorLogger((line) => lines.push(line));
    for (let i = 0; i < 50; i++) logError('query', new SqliteLikeError(`too many SQL variables (${i})`, 'SQLITE_ERROR'));
    logError('query', new SqliteLikeError('disk I/O error', 'SQLITE_IOERR'));
    logError('query', new TypeError('x is undefined'));
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0]!, /SqliteError SQLITE_ERROR[\s\S]*too many SQL variables \(0\)/);
    assert.match(lines[1]!, /SQLITE_IOERR/);
    assert.match(lines[2]!, /TypeError/);
  });
});
