// The layers of src/ and what each may import: data flows transport → client → store →
// elements, and the server shares only the protocol with the rest. A server that imported the
// client, or a store that imported an element, fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** Which layers (and npm packages) each layer may import; a layer may always import itself. */
const ALLOWED: Record<string, ReadonlySet<string>> = {
  emoji: new Set([]),
  'core/protocol': new Set([]),
  'core/transport': new Set(['core/protocol']),
  'core/messages': new Set([]),
  'core/store': new Set(['core/messages']),
  'core/storage': new Set(['pkg:idb-keyval']),
  'core/client': new Set(['core/protocol', 'core/transport', 'core/messages', 'core/store', 'core/storage']),
  // The core's entry re-exports its parts.
  core: new Set(['core/client', 'core/messages', 'core/protocol', 'core/storage', 'core/store', 'core/transport']),
  // Elements use the protocol's enums (conversation types, error codes) and open the user's
  // store (IndexedDB) for a session; never a transport.
  components: new Set(['core', 'core/client', 'core/store', 'core/messages', 'core/protocol', 'core/storage', 'emoji', 'pkg:lit', 'pkg:@lit']),
  // The seed-compatible facade wraps the client.
  compat: new Set(['core/client', 'core/messages', 'core/protocol']),
  server: new Set(['core/protocol', 'pkg:ws', 'pkg:better-sqlite3', 'pkg:pg', 'pkg:ioredis', 'pkg:aws4']),
};

const layerOf = (file: string): string => {
  const [top, second] = relative(SRC, file).split('/');
  if (top === 'core') return second && !/\.[jt]s$/.test(second) ? `core/${second}` : 'core';
  return top!;
};

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sources(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('layers', () => {
  it('each layer imports only what it may', () => {
    const wrong: string[] = [];
    for (const file of sources(SRC)) {
      const from = layerOf(file);
      const allowed = ALLOWED[from];
      assert.ok(allowed, `${relative(SRC, file)}: a layer the table does not know (${from})`);
      const code = readFileSync(file, 'utf8');
      for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)) {
        const specifier = match[1]!;
        if (specifier.startsWith('node:')) {
          if (from !== 'server') wrong.push(`${relative(SRC, file)} imports ${specifier} (Node only: the server's)`);
          continue;
        }
        const to = specifier.startsWith('.') ? layerOf(resolve(dirname(file), specifier)) : `pkg:${specifier.split('/')[0]}`;
        if (to !== from && !allowed.has(to)) wrong.push(`${relative(SRC, file)} imports ${specifier} (${from} → ${to})`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
