/** The renderer ↔ core contract; one file per domain under contract/ (index.ts composes them). */
export * from './contract/index.js';
