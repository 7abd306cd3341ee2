import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

// The server bundle leaves its npm dependencies (those of the im-widget-server package) external.
const serverPackage = JSON.parse(readFileSync(new URL('./packages/server/package.json', import.meta.url), 'utf8'));
const serverExternal = new Set([...Object.keys(serverPackage.dependencies), ...builtinModules]);

/** Copies static files next to the bundles. */
const copy = (files) => ({
  name: 'copy',
  generateBundle() {
    for (const [from, fileName] of files) this.emitFile({ type: 'asset', fileName, source: readFileSync(from) });
  },
});

/**
 * Dynamic imports that stay sibling files of the bundle: the picker data is dist/im-emoji-data.js
 * (for the script tag, and for the launcher's panel module) and the launcher's panel
 * dist/im-support-panel.js (for the script-tag launcher).
 */
const PICKER_DATA = { specifier: './picker-data.js', from: '/src/emoji/', file: './im-emoji-data.js' };
const SUPPORT_PANEL = { specifier: './support-panel.js', from: '/src/components/support/', file: './im-support-panel.js' };

/**
 * Points these dynamic imports at their sibling files. In a classic script (`fromScript`), by
 * an absolute URL made from the script's own, taken while it runs (document.currentScript): a
 * plain `<script src>` from another origin (a CDN, without `crossorigin`) resolves a relative
 * import() against about:blank, so a relative specifier fails there. Without a current script
 * (the bundle evaluated some other way), the relative specifier is kept. An ES module resolves
 * relative imports against its own URL: it keeps them as they are.
 */
const siblingFiles = (siblings, { fromScript = false } = {}) => ({
  name: 'sibling-files',
  resolveDynamicImport(specifier, importer) {
    const sibling = siblings.find((entry) => specifier === entry.specifier && importer?.includes(entry.from));
    return sibling ? { id: sibling.file, external: true } : null;
  },
  renderDynamicImport({ targetModuleId }) {
    if (!fromScript || !siblings.some((entry) => entry.file === targetModuleId)) return null;
    return { left: 'import(__imScriptUrl?new URL(', right: `,__imScriptUrl).href:${JSON.stringify(targetModuleId)})` };
  },
  intro: () => (fromScript ? 'var __imScriptUrl=typeof document<"u"&&document.currentScript&&document.currentScript.src||"";' : ''),
});

/**
 * protobufjs picks up the `long` package (with a WebAssembly blob) for 64-bit integers; our
 * 64-bit fields are plain numbers, so browser builds leave it out.
 */
const withoutLong = () => ({
  name: 'without-long',
  resolveId: (id) => (id === 'long' ? '\0long-stub' : null),
  load: (id) => (id === '\0long-stub' ? 'export default null;' : null),
});

const typescript = () => esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' });

/** Lit stays external in the ESM build (apps dedupe it; Node's SSR loader picks Lit's own server build). */
const widgetExternal = (id) => id === 'lit' || id.startsWith('lit/') || id.startsWith('@lit/');

export default [
  {
    // The ES modules for apps and bundlers, built together so that they share code instead of
    // each holding a copy: im-widget.js (defines the elements on import) imports im-core.js and
    // im-emoji.js, so an app that imports both has one core (one message-type registry) and one
    // emoji module. The full emoji set for the picker is im-emoji-data.js, fetched on first use.
    // im-support.js is the customer-service launcher alone (no Lit, no core); its panel is a
    // chunk it imports on first use, sharing the elements' and the core's chunks with the others.
    // im-agent-console.js is the support team's console: an entry of its own, not part of
    // im-widget.js nor of the IIFE, because every site that embeds the chat would pay for a
    // console only agents open; it imports the elements it is made of from the shared chunks.
    input: {
      'im-widget': 'src/components/index.ts',
      'im-support': 'src/components/support/index.ts',
      'im-agent-console': 'src/components/agent-console/index.ts',
      'im-core': 'src/core/index.ts',
      // The seed-compatible facade (RongIMLib's calls over the core): shares the core's chunks.
      'im-compat': 'src/compat/index.ts',
      'im-emoji': 'src/emoji/index.ts',
      'im-emoji-data': 'src/emoji/picker-data.ts',
    },
    output: { dir: 'dist', entryFileNames: '[name].js', chunkFileNames: 'im-shared-[hash].js', format: 'es', sourcemap: true },
    external: widgetExternal,
    plugins: [withoutLong(), nodeResolve({ browser: true }), commonjs(), typescript(), terser({ format: { comments: false } })],
  },
  {
    // One file for a script tag: a single global, IMWidget; nothing else is touched. An IIFE
    // cannot hold chunks, so the picker's full emoji set is the separate im-emoji-data.js,
    // imported (relative to this script's URL) when the picker first needs it.
    input: 'src/components/index.ts',
    output: { file: 'dist/im-widget.iife.js', format: 'iife', name: 'IMWidget', sourcemap: true },
    plugins: [siblingFiles([PICKER_DATA], { fromScript: true }), withoutLong(), nodeResolve({ browser: true }), commonjs(), typescript(), terser({ format: { comments: false } })],
  },
  {
    // The customer-service launcher for a script tag: a single global, IMSupport; nothing else
    // is touched. Like im-support.js it holds the launcher alone; its panel is the module below,
    // imported on first use relative to this script's URL (as a dynamic import in a classic
    // script is), so both files are served from the same folder.
    input: 'src/components/support/index.ts',
    output: { file: 'dist/im-support.iife.js', format: 'iife', name: 'IMSupport', sourcemap: true },
    plugins: [siblingFiles([SUPPORT_PANEL], { fromScript: true }), typescript(), terser({ format: { comments: false } })],
  },
  {
    // The launcher's panel for the script tag: one ES module with Lit, the core and the
    // conversation elements bundled in (no bare imports, so no import map). The picker's full
    // emoji set stays the sibling im-emoji-data.js, imported relative to this module's URL.
    // Beside im-widget.iife.js on one page, the elements both define are defined once (by
    // whichever loads first; see src/components/internal/define.ts).
    input: 'src/components/support/support-panel.ts',
    output: { file: 'dist/im-support-panel.js', format: 'es', sourcemap: true },
    plugins: [siblingFiles([PICKER_DATA]), withoutLong(), nodeResolve({ browser: true }), commonjs(), typescript(), terser({ format: { comments: false } })],
  },
  {
    // The seed-compatible facade for a script tag: the global RongIMLib, as the seed's own
    // script gives it, so pages written for the seed run with one changed script URL.
    input: 'src/compat/index.ts',
    output: { file: 'dist/im-compat.iife.js', format: 'iife', name: 'RongIMLib', sourcemap: true },
    plugins: [withoutLong(), nodeResolve({ browser: true }), commonjs(), typescript(), terser({ format: { comments: false } })],
  },
  {
    // The reference server (Node only); its npm dependencies stay external.
    input: 'src/server/main.ts',
    output: { file: 'dist/im-server.js', format: 'es', banner: '#!/usr/bin/env node', sourcemap: true },
    external: (id) => id.startsWith('node:') || serverExternal.has(id.split('/')[0]) || id.startsWith('protobufjs'),
    plugins: [
      typescript(),
      copy([['src/server/demo-page/demo.html', 'demo.html']]),
    ],
  },
  {
    // The server's SQLite writer thread, which dist/im-server.js starts from its sibling file.
    input: 'src/server/storage/sqlite-writer.ts',
    output: { file: 'dist/im-server-sqlite-writer.js', format: 'es', sourcemap: true },
    external: (id) => id.startsWith('node:') || serverExternal.has(id.split('/')[0]) || id.startsWith('protobufjs'),
    plugins: [typescript()],
  },
  {
    // How app servers sign API requests: the server's own code, for scripts without a TypeScript loader.
    input: 'src/server/api-signing.ts',
    output: { file: 'dist/im-server-api.js', format: 'es', sourcemap: true },
    external: (id) => id.startsWith('node:'),
    plugins: [typescript()],
  },
];
