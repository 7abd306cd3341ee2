import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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
/**
 * The parts of the script-tag build that are needed only on a user action, sibling ES modules of
 * dist/im-widget.iife.js (the ES module build makes them chunks by itself): the media bubbles'
 * renderers, sending files and recording voice in the composer, the emoji picker's view, and the
 * core's long-polling and chatrooms. Each is one more file a server of the script tag serves
 * beside it (the reference server's demo lists them in src/server/main.ts).
 */
const LAZY_PARTS = [
  { specifier: './media-content.js', from: '/src/components/message-list/', file: './im-widget-media.js', input: 'src/components/message-list/media-content.ts' },
  { specifier: './composer-media.js', from: '/src/components/composer/', file: './im-widget-composer-media.js', input: 'src/components/composer/composer-media.ts' },
  // The core's: uploading, thumbnails and building media messages, on the first file sent.
  {
    specifier: './send-files.js', from: '/src/core/client/', file: './im-widget-send-files.js', input: 'src/core/client/send-files.ts',
    modules: ['/src/core/client/media-messages.ts', '/src/core/client/thumbnail.ts', '/src/core/client/upload-file.ts'],
  },
  // The emoji picker's grid, tabs, search and recent emoji, on its first open or on intent.
  // With the emoji module, which the script tag does not hold (its own script is im-emoji.iife.js).
  {
    specifier: './emoji-picker-view.js', from: '/src/components/emoji-picker/', file: './im-widget-emoji-picker.js', input: 'src/components/emoji-picker/emoji-picker-view.ts',
    modules: readdirSync(new URL('./src/emoji/', import.meta.url)).filter((name) => name.endsWith('.ts') && name !== 'picker-data.ts').map((name) => `/src/emoji/${name}`),
  },
  // What the elements show when the user opens it: menus, search, the new-conversation form,
  // mentions (src/components/internal/actions.ts), on intent or when idle after the first render.
  {
    specifier: './actions-chunk.js', from: '/src/components/internal/', file: './im-widget-actions.js', input: 'src/components/internal/actions-chunk.ts',
    modules: ['/src/components/internal/adopt-styles.ts', '/src/components/internal/menu-keys.ts', '/src/components/composer/composer-extras.ts', '/src/components/conversation-list/list-actions.ts', '/src/components/message-list/menu-position.ts', '/src/components/message-list/message-menu.ts'],
  },
  // The core's HTTP long-polling, a fallback loaded when the client first opens it (WebSocket
  // could not connect, or `transports` puts polling first): src/core/transport/long-poll-lazy.ts.
  { specifier: './long-poll-transport.js', from: '/src/core/transport/', file: './im-widget-long-poll.js', input: 'src/core/transport/long-poll-transport.ts' },
  // The core's chatrooms, loaded on the first chatroom call (src/core/client/chatroom-lazy.ts).
  // Its two object names are constants the client uses too: the sibling holds a copy.
  {
    specifier: './chatroom.js', from: '/src/core/client/', file: './im-widget-chatroom.js', input: 'src/core/client/chatroom.ts',
    modules: ['/src/core/client/chatroom-names.ts'],
  },
];
/**
 * Builds that keep the core's lazy parts inline (the support panel, one module fetched on first
 * open; the seed-compatible facade, one file) take the modules that load long-polling and
 * chatrooms as they were before they were lazy: long-polling made at once, chatrooms there from
 * the start (no loading code, and the same behaviour as a loaded chunk).
 */
const inlineLazy = () => ({
  name: 'inline-lazy',
  resolveId(source, importer) {
    if (importer?.endsWith('/src/core/client/client.ts')) {
      if (source === '../transport/long-poll-lazy.js') return new URL('./src/core/transport/long-poll-static.ts', import.meta.url).pathname;
      if (source === './chatroom-lazy.js') return new URL('./src/core/client/chatroom-static.ts', import.meta.url).pathname;
    }
    return null;
  },
});
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
 * How the script tag's lazy parts share Lit and our modules with dist/im-widget.iife.js.
 *
 * Why this design: the global `IMWidget` must stay complete and synchronous (pages use
 * `IMWidget.IMClient`, `IMWidget.TextMessage`, and find every <im-*> element defined right after
 * the script tag runs; bench/render-page.html and the e2e suites do), so the script tag stays one
 * classic script holding Lit, the core and the elements; a loader that imports an ES module graph
 * could not give that synchronously. The parts needed only on a user action are sibling ES modules
 * (like im-emoji-data.js), imported by an absolute URL made from document.currentScript (see
 * siblingFiles). They must not bundle a second Lit or core (two copies of `nothing`, of the
 * store, of the element classes), and an ES module cannot import from a classic script: so the
 * IIFE puts the namespaces of the few modules they import into a registry, a property of
 * globalThis under a Symbol.for key made of the package version and this build's id (no new
 * global name, and a different build's siblings never pick it up), and in the sibling modules
 * each such import reads that registry. The first copy of a build to run keeps its registry, as
 * define.ts keeps the first copy's elements. A lazy part may import only the modules listed in
 * SHARED (or types): anything else fails the build, so that nothing is silently bundled twice.
 */
const SHARED = {
  lit: { module: 'lit', names: ['css', 'html', 'nothing'] },
  repeat: { module: 'lit/directives/repeat.js', names: ['repeat'] },
  'style-map': { module: 'lit/directives/style-map.js', names: ['styleMap'] },
  'safe-url': { module: '/src/components/internal/safe-url.ts', names: ['formatSize', 'mapLink', 'safeUrl', 'thumbnailSource'] },
  format: { module: '/src/components/internal/format.ts', names: ['avatarColor', 'displayFileName', 'initials', 'previewText'] },
  icons: { module: '/src/components/internal/icons.ts', names: ['icon'] },
  'message-content': { module: '/src/components/message-list/message-content.ts', names: ['plainText'] },
  'chat-state': { module: '/src/core/store/chat-state.ts', names: ['conversationName'] },
  'chat-session': { module: '/src/core/client/chat-session.ts', names: ['toItem'] },
  codes: { module: '/src/core/protocol/codes.ts', names: ['ConversationType', 'ErrorCode'] },
  frames: { module: '/src/core/protocol/frames.ts', names: ['MAX_FRAME_BYTES'] },
  varint: { module: '/src/core/protocol/varint.ts', names: ['decodeLengthPrefixed', 'encodeLengthPrefixed', 'prefixedSize'] },
  'poll-url': { module: '/src/core/transport/poll-url.ts', names: ['pollUrlFor'] },
  errors: { module: '/src/core/client/errors.ts', names: ['IMError'] },
  messages: { module: '/src/core/messages/index.ts', names: ['FileMessage', 'GIFMessage', 'HQVoiceMessage', 'ImageMessage', 'SightMessage'] },
  upload: { module: '/src/core/client/upload.ts', names: ['fileHttpError'] },
  'send-files-lazy': { module: '/src/core/client/send-files-lazy.ts', names: ['THUMBNAIL_MAX_SIDE', 'THUMBNAIL_MAX_BASE64'] },
};
// The version and a digest of the shared modules' sources: the same sources build the same files.
const BUILD_ID = `${JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version}/${sharedDigest()}`;
const REGISTRY = `globalThis[Symbol.for(${JSON.stringify(`im-widget.shared/${BUILD_ID}`)})]`;
function sharedDigest() {
  const hash = createHash('sha256');
  for (const { module } of Object.values(SHARED)) {
    hash.update(module.startsWith('/') ? readFileSync(new URL(`.${module}`, import.meta.url)) : module);
  }
  return hash.digest('base64url').slice(0, 12);
}
const sharedId = (id) => Object.entries(SHARED).find(([, { module }]) => (module.startsWith('/') ? id.endsWith(module) : id === module))?.[0];

/** The IIFE's side: its entry also fills the registry with the shared modules' namespaces. */
const shareModules = (entry) => ({
  name: 'share-modules',
  resolveId: (id) => (id === '\0im-widget-entry' ? id : null),
  load(id) {
    if (id !== '\0im-widget-entry') return null;
    const root = new URL('.', import.meta.url).pathname;
    const shared = Object.entries(SHARED);
    const imports = shared.map(([, { module, names }], index) =>
      `import { ${names.map((name) => `${name} as s${index}_${name}`).join(', ')} } from ${JSON.stringify(module.startsWith('/') ? root + module.slice(1) : module)};`);
    const registry = shared.map(([key, { names }], index) => `${JSON.stringify(key)}: { ${names.map((name) => `${name}: s${index}_${name}`).join(', ')} }`);
    return `${imports.join('\n')}\n${REGISTRY} ??= { ${registry.join(', ')} };\nexport * from ${JSON.stringify(root + entry)};`;
  },
});

/** The sibling modules' side: each import of a shared module reads the registry. */
const fromRegistry = () => ({
  name: 'from-registry',
  async resolveId(source, importer) {
    if (source.startsWith('\0') || !importer) return null;
    const resolved = Object.values(SHARED).some(({ module }) => module === source) ? { id: source } : await this.resolve(source, importer, { skipSelf: true });
    const name = resolved && sharedId(resolved.id);
    if (name) return `\0im-shared:${name}`;
    if (resolved && !LAZY_PARTS.some((part) => [part.input, ...(part.modules ?? [])].some((module) => resolved.id.endsWith(module)))) {
      this.error(`${importer} imports ${resolved.id}, which is not shared with dist/im-widget.iife.js: add it to SHARED in rollup.config.mjs`);
    }
    return null;
  },
  // Only the names listed in SHARED are exported: importing another fails the build.
  load(id) {
    if (!id.startsWith('\0im-shared:')) return null;
    const key = id.slice('\0im-shared:'.length);
    return `const shared = ${REGISTRY}[${JSON.stringify(key)}];\n${SHARED[key].names.map((name) => `export const ${name} = shared.${name};`).join('\n')}`;
  },
});

/**
 * Minifies the CSS of our elements' css`…` literals at build time: comments go, indentation and
 * runs of spaces go, and so do the spaces around { } ; , and after :. Quoted strings and ${…}
 * expressions are kept as they are, and so is every line break (a line break is whitespace to
 * CSS, and keeping them keeps the source maps' lines right).
 */
export function minifyCssLiteral(body) {
  return body.split(/(\$\{[^}]*\})/).map((part, index) => (index % 2 ? part : part
    .split(/('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")/)
    .map((piece, at) => (at % 2 ? piece : piece
      .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ''))
      .replace(/[ \t]*\n[ \t]*/g, '\n')
      .replace(/[ \t]+/g, ' ')
      .replace(/ ?([{};,]) ?/g, '$1')
      .replace(/: /g, ':')))
    .join(''))).join('');
}
const minifyCss = () => ({
  name: 'minify-css',
  transform(code, id) {
    if (!/\/src\/.*\.ts$/.test(id) || !code.includes('css`')) return null;
    return { code: code.replace(/\bcss`((?:[^`\\]|\\.)*)`/g, (_, body) => `css\`${minifyCssLiteral(body)}\``), map: null };
  },
});

const typescript = () => [minifyCss(), esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' })];

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
    // The lazy parts (LAZY_PARTS: media bubbles, sending files, the emoji picker's view, long-polling, chatrooms) are chunks named after them.
    output: {
      dir: 'dist', entryFileNames: '[name].js', format: 'es', sourcemap: true,
      chunkFileNames: (chunk) => {
        const part = LAZY_PARTS.find((entry) => chunk.facadeModuleId?.endsWith(entry.input));
        return part ? `im-lazy-${part.file.slice('./im-widget-'.length, -3)}-[hash].js` : 'im-shared-[hash].js';
      },
    },
    external: widgetExternal,
    plugins: [nodeResolve({ browser: true }), commonjs(), typescript(), terser({ format: { comments: false } })],
  },
  {
    // One file for a script tag: a single global, IMWidget; nothing else is touched. An IIFE
    // cannot hold chunks, so the picker's full emoji set is the separate im-emoji-data.js,
    // imported (relative to this script's URL) when the picker first needs it.
    // The parts needed only on a user action (LAZY_PARTS) are sibling ES modules too, built
    // below; they get Lit and our modules from this script (see shareModules).
    input: '\0im-widget-entry',
    output: { file: 'dist/im-widget.iife.js', format: 'iife', name: 'IMWidget', sourcemap: true, inlineDynamicImports: true },
    plugins: [shareModules('src/components/index.ts'), siblingFiles([PICKER_DATA, ...LAZY_PARTS], { fromScript: true }), nodeResolve({ browser: true }), commonjs(), typescript(), terser({ format: { comments: false } })],
  },
  // The script tag's lazy parts, sibling ES modules of dist/im-widget.iife.js that import
  // nothing but the registry it fills (fromRegistry): no Lit, no core of their own. One build
  // each, so that no chunk is shared between them (each is one self-contained file).
  ...LAZY_PARTS.map((part) => ({
    input: { [part.file.slice(2, -3)]: part.input },
    output: { dir: 'dist', entryFileNames: '[name].js', format: 'es', sourcemap: true },
    // The picker's full set stays the sibling im-emoji-data.js, imported relative to the module's own URL.
    plugins: [fromRegistry(), siblingFiles([PICKER_DATA]), typescript(), terser({ format: { comments: false } })],
  })),
  {
    // The emoji module for a script tag: a single global, IMEmoji (the seed's emoji plugin was a
    // script of its own too). The widget's script tag does not hold it; its picker loads what it needs.
    input: 'src/emoji/index.ts',
    output: { file: 'dist/im-emoji.iife.js', format: 'iife', name: 'IMEmoji', sourcemap: true },
    plugins: [siblingFiles([PICKER_DATA], { fromScript: true }), typescript(), terser({ format: { comments: false } })],
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
    // The lazy parts of the elements (LAZY_PARTS) are inlined: the panel is already a module
    // fetched on first open, and stays one file.
    output: { file: 'dist/im-support-panel.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [inlineLazy(), siblingFiles([PICKER_DATA]), nodeResolve({ browser: true }), commonjs(), typescript(), terser({ format: { comments: false } })],
  },
  {
    // The seed-compatible facade for a script tag: the global RongIMLib, as the seed's own
    // script gives it, so pages written for the seed run with one changed script URL.
    input: 'src/compat/index.ts',
    // One file: the core's lazy part (sending files) is inlined.
    output: { file: 'dist/im-compat.iife.js', format: 'iife', name: 'RongIMLib', sourcemap: true, inlineDynamicImports: true },
    plugins: [inlineLazy(), nodeResolve({ browser: true }), commonjs(), typescript(), terser({ format: { comments: false } })],
  },
  {
    // The reference server (Node only); its npm dependencies stay external.
    input: 'src/server/main.ts',
    output: { file: 'dist/im-server.js', format: 'es', banner: '#!/usr/bin/env node', sourcemap: true },
    external: (id) => id.startsWith('node:') || serverExternal.has(id.split('/')[0]),
    plugins: [
      typescript(),
      copy([['src/server/demo-page/demo.html', 'demo.html']]),
    ],
  },
  {
    // The server's SQLite writer thread, which dist/im-server.js starts from its sibling file.
    input: 'src/server/storage/sqlite-writer.ts',
    output: { file: 'dist/im-server-sqlite-writer.js', format: 'es', sourcemap: true },
    external: (id) => id.startsWith('node:') || serverExternal.has(id.split('/')[0]),
    plugins: [typescript()],
  },
  {
    // The server's search thread, which dist/im-server.js starts from its sibling file.
    input: 'src/server/storage/sqlite-search-worker.ts',
    output: { file: 'dist/im-server-sqlite-search.js', format: 'es', sourcemap: true },
    external: (id) => id.startsWith('node:') || serverExternal.has(id.split('/')[0]),
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
