// `npm run pack`: the two npm packages, from the built dist/ (run `npm run build` first).
//   im-widget-<version>.tgz         elements, core, emoji module, typings, custom-elements.json;
//                                   depends on Lit only (everything else is bundled)
//   im-widget-server-<version>.tgz  the reference server (`im-server`, with --demo); depends on ws,
//                                   better-sqlite3, pg, ioredis, aws4 and im-widget (for the demo's script)
//   im-widget.tgz                   the same im-widget tarball under a name that stays the same
//                                   across versions: examples/* install it from .tmp/pack/
// Usage: node scripts/pack.mjs [--out DIR]   (default .tmp/pack). Prints {widget, server}: the paths.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const out = resolve(root, argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : '.tmp/pack');
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));

const widget = json(join(root, 'package.json'));
const server = json(join(root, 'packages/server/package.json'));
if (server.version !== widget.version || server.dependencies['im-widget'] !== widget.version) {
  throw new Error(`packages/server/package.json must have version ${widget.version} and depend on im-widget ${widget.version}`);
}
for (const file of ['im-widget.js', 'im-widget.iife.js', 'im-widget-media.js', 'im-widget-composer-media.js', 'im-widget-send-files.js', 'im-widget-long-poll.js', 'im-widget-chatroom.js', 'im-widget-emoji-picker.js', 'im-widget-actions.js', 'im-emoji.iife.js', 'im-core.js', 'custom-elements.json', 'im-server.js', 'im-server-sqlite-writer.js', 'im-server-sqlite-search.js', 'im-server-api.js', 'types/frameworks/react.d.ts']) {
  if (!existsSync(join(root, 'dist', file))) throw new Error(`dist/${file} is missing: run npm run build first`);
}

mkdirSync(out, { recursive: true });
const pack = (cwd) => {
  const [result] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  return join(out, result.filename);
};

const stage = join(out, 'server-package');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const file of ['im-server.js', 'im-server.js.map', 'im-server-sqlite-writer.js', 'im-server-sqlite-writer.js.map',
  'im-server-sqlite-search.js', 'im-server-sqlite-search.js.map', 'im-server-api.js',
  'im-server-api.js.map', 'demo.html']) copyFileSync(join(root, 'dist', file), join(stage, file));
copyFileSync(join(root, 'packages/server/README.md'), join(stage, 'README.md'));
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(server, null, 2)}\n`);

const paths = { widget: pack(root), server: pack(stage) };
rmSync(stage, { recursive: true, force: true });
copyFileSync(paths.widget, join(out, 'im-widget.tgz'));
console.log(JSON.stringify(paths));
