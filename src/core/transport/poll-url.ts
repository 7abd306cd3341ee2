/**
 * The long-poll endpoint for a WebSocket endpoint: `ws://h/im` → `http://h/im/poll`,
 * `wss://h/im?x=1` → `https://h/im/poll?x=1`. http(s) URLs are accepted too.
 */
export function pollUrlFor(wsUrl: string): string {
  const url = new URL(wsUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/poll`;
  url.hash = '';
  return url.toString();
}
