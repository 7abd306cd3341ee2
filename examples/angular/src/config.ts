// Where to connect, and as whom: `?server=ws://host/im&alice=TOKEN&bob=TOKEN`. Without them, the
// demo server of `npm start` (in the repository) and its demo tokens, fetched through the dev
// server's proxy (proxy.conf.json). A real app gets its tokens from its own server.
export type Config = {
  server: string;
  tokens: { alice: string; bob: string };
};

export async function loadConfig(): Promise<Config> {
  const query = new URLSearchParams(location.search);
  const token = async (user: 'alice' | 'bob') => query.get(user)
    ?? (await (await fetch(`/demo/token?userId=${user}`)).json() as { token: string }).token;
  return {
    server: query.get('server') ?? 'ws://127.0.0.1:8080/im',
    tokens: { alice: await token('alice'), bob: await token('bob') },
  };
}
