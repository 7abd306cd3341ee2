import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { CONVERSATIONS, fixtureNow, inboxSession, ME, nameOf, offlineSession, type ConversationName, type InboxOptions } from './fixtures.js';
import {
  FileMessage, GroupNotificationMessage, ImageMessage, LocationMessage, RecallNotificationMessage, ReferenceMessage, RichContentMessage,
  TextMessage, UnknownMessage,
} from '../src/core/messages/index.js';
import { conversationKey, receiveHistory, setStatus, setUser, type MessageItem } from '../src/core/store/chat-state.js';
import { describe, frame, type FrameArgs } from './frame.js';

interface Args extends FrameArgs {
  height: number;
  /** The conversation shown (`conversation-type` + `target-id`). */
  conversation: ConversationName;
}

const meta = {
  title: 'im-message-list',
  component: 'im-message-list',
  args: { theme: 'light', lang: 'en', width: 520, height: 520, conversation: 'bob' },
  argTypes: {
    height: { control: { type: 'range', min: 160, max: 900, step: 10 } },
    conversation: { control: 'select', options: Object.keys(CONVERSATIONS) },
  },
  parameters: {
    docs: {
      description: {
        component: 'The messages of one conversation, newest at the bottom, virtualized: only the rows near the viewport are '
          + 'in the DOM. Keeps the reader at the bottom while new messages arrive and keeps the first visible message in place '
          + 'when older pages are inserted above. Date separators, sender runs, send status, Retry and Delete on failed '
          + 'messages. It takes its height from its parent.',
      },
    },
  },
  render: (args, { parameters }) => {
    const session = inboxSession({ lang: args.lang, ...(parameters.fixture as InboxOptions | undefined) });
    const shown = CONVERSATIONS[args.conversation];
    return frame(html`
      <im-message-list .session=${session} theme=${args.theme} lang=${args.lang}
        conversation-type=${shown.conversationType} target-id=${shown.targetId}></im-message-list>`,
    { width: args.width, height: args.height });
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;


export const Private: Story = {
  parameters: describe('Two days of a private conversation: date separators, own bubbles on the right with their send state (a check; '
    + 'a double check once delivered, bolder and in the read colour once read), the other side on the left. Hover a bubble for its ⋯ menu.'),
};

export const Group: Story = {
  args: { conversation: 'team' },
  parameters: describe('Group: name and avatar on the first message of each sender’s run (a picture for Grace, initials for the others).'),
};

export const LongConversation: Story = {
  args: { conversation: 'carol' },
  parameters: describe('2,000 messages over almost four weeks. Opens at the newest; about 50 rows at most are in the DOM wherever you scroll.'),
};

export const LoadingOlder: Story = {
  args: { conversation: 'carol' },
  parameters: {
    fixture: { loadingOlder: ['carol'] } satisfies InboxOptions,
    ...describe('The newest six messages shown while the page before them is being fetched (`loadingOlder`).'),
  },
};

export const Loading: Story = {
  parameters: {
    fixture: { unloaded: ['bob'] } satisfies InboxOptions,
    ...describe('The newest page was not fetched yet.'),
  },
};

export const Empty: Story = {
  args: { conversation: 'grace' },
  parameters: describe('Fetched, and no messages: the `empty` slot’s default text.'),
};

export const FailedSend: Story = {
  args: { conversation: 'erin' },
  parameters: describe('Own messages not on the server: failed (30002, network unavailable) with Retry and Delete, and one '
    + 'still sending (…). Retry fails again here: the client is offline.'),
};

export const NotInGroup: Story = {
  args: { conversation: 'hike' },
  parameters: describe('A failed send in a group we left: error 22406 (not in group).'),
};

export const Dark: Story = {
  args: { theme: 'dark', conversation: 'team' },
  parameters: describe('`theme="dark"`.'),
};

export const Chinese: Story = {
  args: { lang: 'zh-CN', conversation: 'team' },
  parameters: describe('`lang="zh-CN"`: dates (今天, 昨天), labels and the fixture text in Chinese.'),
};

export const Narrow: Story = {
  args: { width: 300, conversation: 'team' },
  parameters: describe('300px: bubbles keep to 75% of the width and long words wrap.'),
};

/** One of each message type (images from the Storybook's own assets; thumbnails a tiny JPEG). */
function richSession(lang: 'en' | 'zh-CN') {
  const session = offlineSession();
  const origin = globalThis.location?.origin ?? 'http://localhost';
  const thumbnail = '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=';
  const conversation = CONVERSATIONS.team;
  const now = fixtureNow();
  const zh = lang === 'zh-CN';
  const contents = [
    ['bob', new TextMessage({ content: zh ? '@Alice 看看这张图' : '@Alice have a look at this', mentionedInfo: { type: 2, userIdList: [ME] } })],
    ['bob', new ImageMessage({ content: thumbnail, imageUri: `${origin}/assets/avatar-bob.svg` })],
    ['bob', new TextMessage({ content: zh ? '议程在 www.example.com/agenda，明天见！' : 'The agenda is at www.example.com/agenda, see you tomorrow!' })],
    ['grace', new FileMessage({ name: 'quarterly-report.pdf', size: 2_483_112, type: 'application/pdf', fileUrl: `${origin}/assets/avatar-grace.svg` })],
    ['grace', new LocationMessage({ latitude: 31.2304, longitude: 121.4737, poi: zh ? '人民广场' : 'People\'s Square' })],
    [ME, new ReferenceMessage({ referMsgUserId: 'bob', referMsg: { content: zh ? '看看这张图' : 'have a look at this' }, referMsgUid: 'x', objName: 'RC:TxtMsg', content: zh ? '好看！' : 'Looks great!' })],
    ['bob', new RichContentMessage({ title: zh ? '发布说明' : 'Release notes', content: zh ? '这一版的新功能' : 'What is new in this version', url: 'https://example.com/notes' })],
    ['grace', new GroupNotificationMessage({ operatorUserId: 'grace', operation: 'Add', data: '', message: zh ? 'Grace 邀请 Dave 加入了群聊' : 'Grace added Dave to the group' })],
    ['bob', new RecallNotificationMessage({ operatorId: 'bob', recallTime: now - 60_000, originalObjectName: 'RC:TxtMsg' })],
    ['bob', new UnknownMessage('App:Poll', { question: '?' })],
  ] as const;
  session.store.update((initial) => {
    let state = setStatus(initial, 0, ME);
    for (const userId of ['bob', 'grace', ME]) state = setUser(state, userId, { name: nameOf(userId, lang) });
    const items: MessageItem[] = contents.map(([from, content], index) => ({
      id: `rich-${index}`, ...conversation, senderUserId: from, objectName: content.objectName, content,
      messageUid: `rich-uid-${index}`, seq: index + 1, sentTime: now - (contents.length - index) * 60_000,
      direction: from === ME ? 1 : 2, status: 'sent',
    }));
    return receiveHistory(state, conversationKey(conversation), items, { hasOlder: false, latest: true });
  });
  return session;
}

export const RichMessages: Story = {
  args: { conversation: 'team', height: 760 },
  render: (args) => frame(html`
    <im-message-list .session=${richSession(args.lang)} theme=${args.theme} lang=${args.lang}
      conversation-type=${CONVERSATIONS.team.conversationType} target-id=${CONVERSATIONS.team.targetId}></im-message-list>`,
  { width: args.width, height: args.height }),
  parameters: describe('Every built-in type: an @mention of the reader, an image (click: lightbox), a text with a link, a file card, a location with a map '
    + 'link, a quoted reply, a rich link card, a group notice and a recall as grey bars, and a type the widget does not know.'),
};
