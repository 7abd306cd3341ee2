import { useState } from 'react';
// Defines <im-chat> and the other elements. Their JSX typings come from 'im-widget/react'
// ("types" in tsconfig.json).
import { ConnectionStatus, type UserInfo } from 'im-widget';
import type { Config } from './config';

const users = [{ id: 'alice', label: 'Alice' }, { id: 'bob', label: 'Bob' }] as const;
type UserId = (typeof users)[number]['id'];

// Names from the app's own user directory (here: made up).
const nicknames = async (userId: string): Promise<UserInfo> => ({ name: `Nick ${userId}` });

const statusText = (status: number | undefined) =>
  status === undefined ? 'starting' : status === ConnectionStatus.CONNECTED ? 'connected' : `not connected (${status})`;

export function App({ server, tokens }: Config) {
  const [status, setStatus] = useState<Partial<Record<UserId, number>>>({});
  const [selected, setSelected] = useState<Partial<Record<UserId, string>>>({});
  const [withNicknames, setWithNicknames] = useState(false);
  const connected = users.every((user) => status[user.id] === ConnectionStatus.CONNECTED);

  return (
    <main>
      <button disabled={!connected} onClick={() => setWithNicknames(true)}>Use nicknames</button>
      <div className="chats">
        {users.map((user) => (
          <section key={user.id} aria-label={user.label}>
            <h2>{user.label}</h2>
            <p>Connection: {statusText(status[user.id])}</p>
            <p>Selected: {selected[user.id] ?? '(none)'}</p>
            {/* React 19 sets these as properties, and listens to im-* events with onim-*. */}
            <im-chat
              server={server}
              token={tokens[user.id]}
              userInfoProvider={withNicknames ? nicknames : undefined}
              onim-status-change={(event) => setStatus((all) => ({ ...all, [user.id]: event.detail.status }))}
              onim-conversation-select={(event) => setSelected((all) => ({ ...all, [user.id]: event.detail.targetId }))}
            />
          </section>
        ))}
      </div>
    </main>
  );
}
