/**
 * The keys of a menu, as the WAI-ARIA menu pattern has them: the arrow keys move through its
 * items (from the last round to the first and back), Home and End go to the first and the last;
 * Escape and Tab close it (`close` gives the focus back to what opened it). Other keys are left
 * to the items. For a `keydown` listener on the element with role="menu".
 */
export function onMenuKey(event: KeyboardEvent, close: () => void): void {
  const menu = event.currentTarget as HTMLElement;
  const items = [...menu.querySelectorAll<HTMLElement>('[role="menuitem"]')];
  const at = items.indexOf(event.target as HTMLElement);
  let next: HTMLElement | undefined;
  switch (event.key) {
    case 'Escape':
    case 'Tab':
      event.preventDefault();
      event.stopPropagation();
      close();
      return;
    case 'ArrowDown': next = items[(at + 1) % items.length]; break;
    case 'ArrowUp': next = items[(at <= 0 ? items.length : at) - 1]; break;
    case 'Home': next = items[0]; break;
    case 'End': next = items.at(-1); break;
    default: return;
  }
  event.preventDefault();
  next?.focus();
}
