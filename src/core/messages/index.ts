export * from './registry.js';
export * from './text-message.js';
