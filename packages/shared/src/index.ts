export * from './errors.js';
export * from './roles.js';
export * from './protocol.js';
export * from './schemas/common.js';
export * from './schemas/auth.js';
export * from './schemas/chat.js';
export * from './protocol/events.js';
export * from './protocol/frames.js';
