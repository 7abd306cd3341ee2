// Not part of the app: `tsc --noEmit` proves that the element typings are checked.
export const wrongTypes = [
  // @ts-expect-error conversationType is a number
  <im-chat conversationType="x" />,
  // @ts-expect-error the detail of im-status-change has no targetId
  <im-chat onim-status-change={(event) => event.detail.targetId} />,
  // @ts-expect-error <im-chat> has no such property
  <im-chat unknownProperty />,
];
