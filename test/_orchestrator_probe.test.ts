import test from 'node:test';
import assert from 'node:assert/strict';
const n: number = 1;
test('probe', () => assert.equal(n + 1, 2));
test('probe 2', () => assert.ok(true));
