// A transcript as the text file agents and visitors download: one line per message, notices set apart, names chosen by the caller.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transcriptAsText, transcriptFileName } from '../../src/components/internal/transcript.js';

const at = Date.UTC(2026, 11, 6, 9, 30);
const lines = [
  { seq: 1, time: at, senderId: 'cs:server', senderName: '', text: 'Connecting you to an agent…' },
  { seq: 2, time: at + 60_000, senderId: 'visitor-1', senderName: '', text: 'Hi,\nmy order <b>42</b> is late' },
  { seq: 3, time: at + 120_000, senderId: 'agent-ann', senderName: 'Ann', text: '你好 👋 let me check' },
  { seq: 4, time: at + 180_000, senderId: 'cs:robot', senderName: 'Robot', text: 'Rate us' },
];

describe('transcriptAsText', () => {
  it('writes a title, then [time] name: text, with notices as — text — and line breaks indented', () => {
    const text = transcriptAsText(lines, { title: 'Support — visitor-1', locale: 'en-GB' });
    const rows = text.split('\n');
    assert.equal(rows[0], 'Support — visitor-1');
    assert.equal(rows[1], '');
    assert.match(rows[2]!, /^\[\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}\] — Connecting you to an agent… —$/);
    assert.match(rows[3]!, /^\[.+\] visitor-1: Hi,$/, 'no name: the sender id');
    assert.equal(rows[4], '    my order <b>42</b> is late', 'the second line indented, markup left as text');
    assert.match(rows[5]!, /\] Ann: 你好 👋 let me check$/);
    assert.match(rows[6]!, /\] Robot: Rate us$/, 'the robot speaks with its name, not as a notice');
    assert.equal(rows.at(-1), '', 'ends with a line break');
  });

  it('takes the names from the caller (a visitor sees "You")', () => {
    const text = transcriptAsText(lines.slice(1, 3), { title: 't', locale: 'en', nameOf: (line) => (line.senderId === 'visitor-1' ? 'You' : line.senderName) });
    assert.match(text, /\] You: Hi,/);
    assert.match(text, /\] Ann: /);
  });
});

describe('transcriptFileName', () => {
  it('is the prefix with only safe characters and the day', () => {
    assert.equal(transcriptFileName('Support / Sales: <x>', at), 'Support-Sales-x-2026-12-06.txt');
    assert.equal(transcriptFileName('../..', at), 'transcript-2026-12-06.txt');
    assert.equal(transcriptFileName('客服', at), 'transcript-2026-12-06.txt');
  });
});
