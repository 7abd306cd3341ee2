// bench:render — the deep-chat peer (bundled by bench/render.mjs with esbuild at bench time).
// deep-chat 2.4.2's <deep-chat> web component, given the conversation through its documented
// `history` property (MessageContent[]: role and text). Its `connect` is a handler that answers
// nothing, so that it shows no "set up a connection" notice; the bench blocks every request that
// is not to its own server (deep-chat asks Google Fonts for Inter).
import 'deep-chat';

window.renderPeers ??= {};
window.renderPeers['deep-chat'] = {
  /** Maps the bench's items to deep-chat's messages (not timed: like filling the store). */
  prepare(items) {
    return items.map((item) => ({ role: item.direction === 1 ? 'user' : 'ai', text: item.content.content }));
  },
  /** The element, its history set, not yet in the document. */
  create(history) {
    const element = document.createElement('deep-chat');
    element.history = history;
    element.connect = { handler: () => undefined };
    // The bench's stage gives the element its size; deep-chat sizes its container by chatStyle.
    element.chatStyle = { width: '100%', height: '100%', border: 'none', borderRadius: '0' };
    element.style.display = 'block';
    return { element, dispose() {} };
  },
};
