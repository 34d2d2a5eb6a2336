/**
 * The automatic moderation rule engine, shared by the server (the authority), the desktop core
 * and the renderer (which warn before sending). Pure TypeScript: no Node, no DOM.
 */
export { compileRules, type CompiledRules } from './compile.js';
export { RECENT_MAX_MESSAGES, RECENT_WINDOW_MS, type RuleContext, type RuleEvaluation } from './context.js';
export { evaluateMessage, ruleApplies } from './evaluate.js';
export { findLinks, type FoundLink } from './links.js';
export { normalizeForMatching } from './normalize.js';
export { actionStrength } from './precedence.js';
export { validateRule, type RuleValidation } from './validate.js';
