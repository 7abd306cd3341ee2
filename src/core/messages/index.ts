export * from './registry.js';
export * from './fields.js';
export * from './text-message.js';
export * from './builtin-types.js';
export * from './custom.js';
