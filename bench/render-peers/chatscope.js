// bench:render — the @chatscope/chat-ui-kit-react peer (bundled by bench/render.mjs with esbuild
// at bench time): React 19, MainContainer > ChatContainer > MessageList > Message, one Message per
// message with its model, a MessageSeparator at each new day, the kit's default styles.
import { createElement as h } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { MainContainer, ChatContainer, MessageList, Message, MessageSeparator } from '@chatscope/chat-ui-kit-react';
import '@chatscope/chat-ui-kit-styles/dist/default/styles.min.css';

/** Messages from one sender less than this apart form a group (first, normal, last), as im-message-list's runs. */
const RUN_GAP_MS = 5 * 60_000;

window.renderPeers ??= {};
window.renderPeers.chatscope = {
  /** Maps the bench's items to chatscope's message models (not timed: like filling the store). */
  prepare(items, { dayKey, dayLabel, timeLabel }) {
    const same = (a, b) => a && b && a.senderUserId === b.senderUserId && dayKey(a.sentTime) === dayKey(b.sentTime)
      && Math.abs(a.sentTime - b.sentTime) <= RUN_GAP_MS;
    return items.map((item, i) => {
      const previous = items[i - 1];
      const next = items[i + 1];
      const withPrevious = same(previous, item);
      const withNext = same(item, next);
      return {
        key: item.id,
        separator: !previous || dayKey(previous.sentTime) !== dayKey(item.sentTime) ? dayLabel(item.sentTime) : undefined,
        model: {
          message: item.content.content,
          sentTime: timeLabel(item.sentTime),
          sender: item.direction === 1 ? 'me' : 'Peer',
          direction: item.direction === 1 ? 'outgoing' : 'incoming',
          position: withPrevious ? (withNext ? 'normal' : 'last') : withNext ? 'first' : 'single',
        },
      };
    });
  },
  /** The element (a div with a React root), rendered when connected, not yet in the document. */
  create(models) {
    const element = document.createElement('div');
    element.className = 'chatscope-peer';
    element.style.cssText = 'position: relative; height: 100%; min-height: 0;';
    const children = [];
    for (const m of models) {
      if (m.separator) children.push(h(MessageSeparator, { key: `day-${m.key}`, content: m.separator }));
      children.push(h(Message, { key: m.key, model: m.model }));
    }
    const tree = h(MainContainer, { style: { height: '100%' } },
      h(ChatContainer, null, h(MessageList, { autoScrollToBottomOnMount: true }, children)));
    const root = createRoot(element);
    // Rendered once the element is in the document (the bench appends it right after create).
    queueMicrotask(() => flushSync(() => root.render(tree)));
    return { element, dispose() { root.unmount(); } };
  },
};
