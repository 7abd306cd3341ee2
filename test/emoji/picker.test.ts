// Picker data: the table first, synchronously; the full Unicode set (CLDR names in zh and en)
// loaded lazily. Recently used emoji per user, with a Map-backed store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_CATEGORY_ID, builtinCategory, createEmoji, loadPickerCategories, RecentEmoji, type RecentEmojiStore } from '../../src/emoji/index.js';

describe('picker categories', () => {
  it('gives the built-ins synchronously, in table order', () => {
    const category = builtinCategory();
    assert.equal(category.id, BUILTIN_CATEGORY_ID);
    assert.equal(category.name, '默认表情');
    assert.equal(category.emoji.length, 128);
    assert.deepEqual(category.emoji[0], { emoji: '😀', name: '笑嘻嘻', zh: '笑嘻嘻', en: 'Grinning Face', symbol: '[笑嘻嘻]', version: undefined });
    const thinking = createEmoji({ lang: 'en', extension: { dataSource: { u1F914: { zh: '思考', en: 'thinking face' } } } });
    assert.equal(builtinCategory(thinking).emoji.at(-1)?.symbol, '[thinking face]');
    assert.equal(builtinCategory(thinking).name, 'Default');
  });

  it('loads the full Unicode set after the built-ins, with zh and en names', async () => {
    const categories = await loadPickerCategories();
    assert.deepEqual(categories.map((c) => c.id), [BUILTIN_CATEGORY_ID, 'smileys-emotion', 'people-body', 'animals-nature',
      'food-drink', 'travel-places', 'activities', 'objects', 'symbols', 'flags']);
    const all = categories.slice(1).flatMap((c) => c.emoji);
    assert.ok(all.length > 1900, `${all.length} emoji`);
    assert.equal(new Set(all.map((e) => e.emoji)).size, all.length, 'no duplicates');
    for (const e of all) {
      assert.ok(e.zh !== '' && e.en !== '' && e.name === e.zh, e.emoji);
      assert.ok(typeof e.version === 'number' && e.version >= 0.6, e.emoji);
    }
    assert.deepEqual(all.find((e) => e.emoji === '😀'), { emoji: '😀', name: '嘿嘿', zh: '嘿嘿', en: 'grinning face', symbol: undefined, version: 1 });
    assert.ok(all.some((e) => e.emoji === '🇨🇳'));
    assert.ok(!all.some((e) => e.emoji === '🏽'), 'components are left out');
    assert.equal(categories[1]?.name, '笑脸与情感');
  });

  it('names in the instance\'s language; the loaded set is shared', async () => {
    const en = createEmoji({ lang: 'en' });
    const [builtins, smileys] = await loadPickerCategories(en);
    assert.equal(builtins?.emoji[0]?.name, 'Grinning Face');
    assert.equal(smileys?.name, 'Smileys & Emotion');
    assert.equal(smileys?.emoji[0]?.name, 'grinning face');
    const again = await loadPickerCategories(createEmoji({ lang: 'en' }));
    assert.equal(again[1], smileys, 'built once per language');
  });
});

/** A store backed by a Map, as the storage layer's memory fallback would be. */
function mapStore(): RecentEmojiStore & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async (key) => map.get(key),
    set: async (key, value) => { map.set(key, value); },
  };
}

describe('recently used emoji', () => {
  it('keeps the last N per user, most recent first, deduplicated', async () => {
    const store = mapStore();
    const alice = new RecentEmoji(store, 'alice', { limit: 3 });
    assert.deepEqual(await alice.list(), []);
    await alice.add('😀');
    await alice.add('👍');
    await alice.add('😀');
    assert.deepEqual(await alice.list(), ['😀', '👍']);
    await alice.add('🎉');
    assert.deepEqual(await alice.add('❄️'), ['❄️', '🎉', '😀']);
    const bob = new RecentEmoji(store, 'bob');
    assert.deepEqual(await bob.list(), [], 'per user');
    assert.equal(bob.limit, 24);
    assert.deepEqual([...store.map.keys()], ['im-emoji:recent:alice']);
    assert.deepEqual(await new RecentEmoji(store, 'alice', { limit: 3 }).list(), ['❄️', '🎉', '😀'], 'persisted');
    await alice.clear();
    assert.deepEqual(await alice.list(), []);
  });

  it('loses nothing to concurrent adds', async () => {
    const recent = new RecentEmoji(mapStore(), 'u');
    const emoji = ['😀', '😁', '😂', '😃', '😅'];
    await Promise.all(emoji.map((e) => recent.add(e)));
    assert.deepEqual(await recent.list(), [...emoji].reverse());
  });

  it('cleans whatever the store returns', async () => {
    const store = mapStore();
    store.map.set('im-emoji:recent:u', ['😀', 42, '', null, '😀', 'x'.repeat(1000), '👍']);
    assert.deepEqual(await new RecentEmoji(store, 'u').list(), ['😀', '👍']);
    store.map.set('im-emoji:recent:u', { not: 'an array' });
    assert.deepEqual(await new RecentEmoji(store, 'u').list(), []);
  });

  it('refuses bad arguments', async () => {
    assert.throws(() => new RecentEmoji(mapStore(), ''), TypeError);
    assert.throws(() => new RecentEmoji(mapStore(), 'u', { limit: 0 }), TypeError);
    await assert.rejects(new RecentEmoji(mapStore(), 'u').add(''), TypeError);
  });

  it('keeps working after a failed write', async () => {
    const store = mapStore();
    let fail = true;
    const flaky: RecentEmojiStore = { get: store.get, set: async (k, v) => { if (fail) { fail = false; throw new Error('disk full'); } await store.set(k, v); } };
    const recent = new RecentEmoji(flaky, 'u');
    await assert.rejects(recent.add('😀'), /disk full/);
    assert.deepEqual(await recent.add('👍'), ['👍']);
  });
});
