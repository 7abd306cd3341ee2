// Bundling: the full Unicode picker data is a chunk of its own, loaded by the dynamic import;
// the main chunk carries only the built-ins; unused parts shake out.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { rollup, type OutputChunk, type Plugin } from 'rollup';
import terserModule from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

// @rollup/plugin-terser's types describe its CommonJS build; the ESM default export is the factory itself.
const terser = terserModule as unknown as (options?: { format?: { comments?: boolean } }) => Plugin;

const INDEX = fileURLToPath(new URL('../../src/emoji/index.ts', import.meta.url));

/** An entry module `\0entry` with the given source, importing the emoji module. */
const virtualEntry = (source: string): Plugin => ({
  name: 'virtual-entry',
  resolveId: (id) => (id === '\0entry' ? id : id === 'emoji' ? INDEX : null),
  load: (id) => (id === '\0entry' ? source : null),
});

async function build(source: string): Promise<OutputChunk[]> {
  const bundle = await rollup({
    input: '\0entry',
    onwarn: (warning) => { throw new Error(warning.message); },
    // as rollup.config.mjs builds: esbuild strips the types, terser minifies
    plugins: [virtualEntry(source), esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' }), terser({ format: { comments: false } })],
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    return output.filter((o): o is OutputChunk => o.type === 'chunk');
  } finally {
    await bundle.close();
  }
}

describe('bundling src/emoji', () => {
  it('puts the full Unicode set in a lazily loaded chunk of its own', async () => {
    const chunks = await build("export * from 'emoji';");
    assert.equal(chunks.length, 2);
    const [main, picker] = chunks;
    assert.ok(main?.isEntry && picker?.isDynamicEntry);
    assert.ok(main.code.includes('Grinning With Smiling'), 'the built-ins are in the main chunk');
    assert.ok(!main.code.includes('grinning face with big eyes'), 'the Unicode set is not');
    assert.ok(picker.code.includes('grinning face with big eyes') && picker.code.includes('Smileys & Emotion'));
    assert.ok(main.code.includes(`import("./${picker.fileName}")`));
    const mainGzip = gzipSync(main.code).length;
    assert.ok(mainGzip < 8 * 1024, `main chunk ${main.code.length} B, ${mainGzip} B gzipped`);
    assert.ok(gzipSync(picker.code).length < 40 * 1024, 'picker chunk');
  });

  it('shakes out the picker, recent emoji and the default instance when only createEmoji is used', async () => {
    const [main, ...rest] = await build("import { createEmoji } from 'emoji'; export const e = createEmoji();");
    assert.equal(rest.length, 0, 'no picker chunk');
    assert.ok(main && !main.code.includes('im-emoji:recent') && !main.code.includes('import('), 'no recent emoji, no dynamic import');
    assert.ok(main.code.includes('Grinning With Smiling'));
  });

  it('keeps the built-in data out of a bundle that only escapes HTML', async () => {
    const [main] = await build("export { escapeHtml } from 'emoji';");
    assert.ok(main && !main.code.includes('Grinning With Smiling') && main.code.length < 1000, `${main?.code.length} B`);
  });
});
