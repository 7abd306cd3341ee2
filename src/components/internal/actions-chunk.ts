/**
 * The on-demand parts of the elements (see ./actions.ts), one namespace each. Runtime imports of
 * these modules are limited to Lit and the modules the script tag shares with its sibling files
 * (SHARED in rollup.config.mjs); everything else comes from the element that calls them.
 */
export * as composerExtras from '../composer/composer-extras.js';
export * as listActions from '../conversation-list/list-actions.js';
export * as messageMenu from '../message-list/message-menu.js';
