import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomMessage, UnknownMessage, decodeContent, encodeContent, registerMessageType } from '../../../src/core/messages/index.js';

const bytes = (fields: unknown) => new TextEncoder().encode(JSON.stringify(fields));

describe('custom message types: fields as own properties', () => {
  it('a registered type\'s fields are read like the built-in types\' (content.<field>), and travel as sent', () => {
    const Poll = registerMessageType<{ question: string; options: string[] }>('Unit:Poll', { isPersited: true, isCounted: true }, ['question', 'options']);
    const poll = new Poll({ question: 'Lunch?', options: ['yes', 'no'], extra: 'x' });
    assert.equal(poll.question, 'Lunch?');
    assert.deepEqual(poll.options, ['yes', 'no']);
    assert.equal(poll.objectName, 'Unit:Poll');
    const received = decodeContent('Unit:Poll', encodeContent(poll));
    assert.ok(received instanceof Poll);
    assert.equal((received as InstanceType<typeof Poll>).question, 'Lunch?');
    assert.deepEqual(received.toJSON(), { question: 'Lunch?', options: ['yes', 'no'], extra: 'x' });
  });

  it('a field named content is just a field: content.content', () => {
    const Note = registerMessageType('Unit:Note', true, true);
    const received = decodeContent('Unit:Note', bytes({ content: 'hello', pinned: true }));
    assert.ok(received instanceof CustomMessage);
    assert.equal((received as CustomMessage).content, 'hello');
    assert.equal((received as CustomMessage).pinned, true);
    assert.ok(new Note({}) instanceof Note);
  });

  it('names that would hide what every content has are refused with the seed code, and nothing received is lost', () => {
    assert.throws(() => registerMessageType('Unit:Bad', true, true, ['toJSON']), { code: -3 });
    const Loose = registerMessageType('Unit:Loose', true, true);
    assert.throws(() => new Loose({ objectName: 'RC:TxtMsg' }), { code: -3 });
    const received = decodeContent('Unit:Loose', bytes({ objectName: 'RC:TxtMsg', text: 'kept' }));
    assert.ok(received instanceof UnknownMessage, 'shown as unsupported rather than mislabelled');
    assert.equal(received.objectName, 'Unit:Loose');
    assert.deepEqual(received.toJSON(), { objectName: 'RC:TxtMsg', text: 'kept' });
  });
});
