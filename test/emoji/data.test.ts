// The committed generated data is what scripts/gen-emoji.mjs makes from its inputs (the TSV
// copied into src/emoji/data and npm emojibase-data), and nothing reads ../shared.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
// @ts-expect-error -- a plain .mjs script without type declarations
import { generate } from '../../scripts/gen-emoji.mjs';

describe('generated emoji data', () => {
  it('src/emoji/builtin-data.ts and picker-data.ts are up to date (run `node scripts/gen-emoji.mjs`)', () => {
    const files = (generate as () => Record<string, string>)();
    assert.equal(Object.keys(files).length, 2);
    for (const [file, source] of Object.entries(files)) {
      assert.equal(readFileSync(file, 'utf8'), source, file);
    }
  });

  it('src/emoji imports nothing outside itself and reads no files', () => {
    const dir = new URL('../../src/emoji/', import.meta.url).pathname;
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(sources.length >= 8);
    let imports = 0;
    for (const file of sources) {
      const text = readFileSync(join(dir, file), 'utf8');
      const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom '([^']+)'/gm), ...text.matchAll(/\bimport\('([^']+)'\)/g)];
      imports += specifiers.length;
      for (const [, specifier] of specifiers) {
        assert.match(specifier ?? '', /^\.\/[\w-]+\.js$/, `${file} imports ${specifier}`);
      }
      const touches = /\bshared\/|\bdocument\.|\bwindow\.|['"]node:|\brequire\(|\bfetch\(/.exec(text);
      assert.equal(touches, null, `${file}: ${touches?.[0]}`);
    }
    assert.ok(imports >= 10, `${imports} imports checked`);
  });
});
