// The demo page: each pane is one user with its own IMClient on the headless core.
import { IMClient, TextMessage, ConnectionStatus, ConversationType } from '/im-core.js';

const users = ['alice', 'bob', 'carol'];
const statusNames = Object.fromEntries(Object.entries(ConnectionStatus).map(([name, value]) => [value, name]));
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/im`;

for (const userId of users) {
  const pane = document.getElementById('pane').content.firstElementChild.cloneNode(true);
  document.body.append(pane);
  pane.querySelector('.who').textContent = userId;
  const list = pane.querySelector('ol');
  const select = pane.querySelector('select');
  const input = pane.querySelector('input');
  const conversations = [
    { label: 'Group: demo-group', conversationType: ConversationType.GROUP, targetId: 'demo-group' },
    ...users.filter((u) => u !== userId).map((u) => ({ label: `Private: ${u}`, conversationType: ConversationType.PRIVATE, targetId: u })),
  ];
  conversations.forEach((c, i) => select.add(new Option(c.label, String(i))));
  const current = () => conversations[Number(select.value)];

  const show = (message) => {
    const c = current();
    if (message.conversationType !== c.conversationType || message.targetId !== c.targetId) return;
    const item = document.createElement('li');
    item.classList.toggle('own', message.senderUserId === userId);
    const meta = document.createElement('small');
    meta.textContent = `${message.senderUserId} · ${new Date(message.sentTime).toLocaleTimeString()}`;
    item.append(meta, document.createTextNode(message.content.content ?? `[${message.objectName}]`));
    list.append(item);
    list.scrollTop = list.scrollHeight;
  };

  const client = new IMClient({
    url: wsUrl,
    tokenProvider: async () => (await (await fetch(`/demo/token?userId=${userId}`)).json()).token,
  });
  client.on('status', (status) => { pane.querySelector('.status').textContent = statusNames[status] ?? status; });
  client.on('message', show);

  const loadHistory = async () => {
    list.replaceChildren();
    const { messages } = await client.getHistoryMessages(current(), { count: 50 });
    messages.forEach(show);
  };
  select.addEventListener('change', () => loadHistory().catch(console.error));
  pane.querySelector('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = '';
    try {
      show(await client.sendMessage(current(), new TextMessage({ content: text })));
    } catch (error) {
      input.value = text;
      alert(error.message);
    }
  });
  client.connect().then(loadHistory).catch((error) => {
    pane.querySelector('.status').textContent = error.message;
  });
}
