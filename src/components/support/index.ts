/**
 * `dist/im-support.js`: the customer-service launcher, registered as `<im-support>` on import
 * (only where custom elements exist: importing it during server-side rendering does nothing).
 * This entry holds the launcher alone; its panel is a chunk fetched on first use.
 */
import { defineElement } from '../internal/define.js';
import { ImSupport } from './support.js';

export { ImSupport };
export type { ImEventDetails } from '../internal/im-element.js';

defineElement('im-support', ImSupport);
