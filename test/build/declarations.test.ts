// The published declarations resolve on their own: every file an entry's types import, relative
// or through `import('…')`, is in dist/types. (The generated codec's typings are not published; a
// client file that named them in a public signature broke every app's type check once.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types?: string }> };

describe('published type declarations', () => {
  it('every entry\'s declarations import only files that are published', () => {
    const entries = Object.values(pkg.exports).flatMap((value) => (typeof value === 'object' && value.types ? [join(ROOT, value.types)] : []));
    assert.ok(entries.length >= 5, 'the entries with types');
    const missing: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string, from: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      if (!existsSync(file)) {
        missing.push(`${relative(ROOT, file)} (imported by ${relative(ROOT, from)})`);
        return;
      }
      // Comments may show imports as examples: only the code counts.
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        visit(join(dirname(file), match[1]!.replace(/\.js$/, '.d.ts')), file);
      }
    };
    for (const entry of entries) visit(entry, join(ROOT, 'package.json'));
    assert.deepEqual(missing, []);
  });
});
