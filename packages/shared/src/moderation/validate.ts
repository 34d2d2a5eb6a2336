import { RULE_LIMITS, type ModerationRuleBody } from '../schemas/moderation.js';
import { parseAllowed, parseKeyword } from './keyword-terms.js';
import { compilePattern } from './patterns.js';

export type RuleValidation = { ok: true } | { ok: false; message: string };

/**
 * What the schema cannot say about a rule: keywords that normalise to nothing, patterns RE2
 * refuses, limits, a timeout without its length. The server answers RULE_INVALID with `message`;
 * the rule editor shows it as the moderator types.
 */
export function validateRule(body: ModerationRuleBody): RuleValidation {
  if (body.action === 'timeout' && body.timeoutSeconds === null) {
    return invalid('a timeout rule needs timeoutSeconds');
  }
  if (body.timeoutSeconds !== null && body.timeoutSeconds > RULE_LIMITS.maxTimeoutSeconds) {
    return invalid(`timeoutSeconds is at most ${RULE_LIMITS.maxTimeoutSeconds} (28 days)`);
  }
  const config = body.config;
  switch (config.kind) {
    case 'keywords': {
      if (config.keywords.length > RULE_LIMITS.maxKeywords) {
        return invalid(`at most ${RULE_LIMITS.maxKeywords} keywords, got ${config.keywords.length}`);
      }
      if (config.patterns.length > RULE_LIMITS.maxPatterns) {
        return invalid(`at most ${RULE_LIMITS.maxPatterns} patterns, got ${config.patterns.length}`);
      }
      if (config.allow.length > RULE_LIMITS.maxAllowed) {
        return invalid(`at most ${RULE_LIMITS.maxAllowed} allowed words, got ${config.allow.length}`);
      }
      if (config.keywords.length === 0 && config.patterns.length === 0 && !config.preset) {
        return invalid('a keyword rule needs keywords, patterns or the English list');
      }
      for (const keyword of config.keywords) {
        if (keyword.length > RULE_LIMITS.maxKeywordLength) {
          return invalid(
            `keyword “${keyword.slice(0, 20)}…” is longer than ${RULE_LIMITS.maxKeywordLength} characters`,
          );
        }
        if (parseKeyword(keyword) === null) return invalid(`keyword “${keyword}” has no letters or digits to match`);
      }
      for (const entry of config.allow) {
        if (entry.length > RULE_LIMITS.maxKeywordLength) {
          return invalid(
            `allowed word “${entry.slice(0, 20)}…” is longer than ${RULE_LIMITS.maxKeywordLength} characters`,
          );
        }
        if (parseAllowed(entry) === null) return invalid(`allowed word “${entry}” has no letters or digits to match`);
      }
      for (const pattern of config.patterns) {
        if (pattern.length > RULE_LIMITS.maxPatternLength) {
          return invalid(`a pattern is longer than ${RULE_LIMITS.maxPatternLength} characters`);
        }
        const compiled = compilePattern(pattern);
        if (!compiled.ok) return invalid(compiled.message);
      }
      return { ok: true };
    }
    case 'links':
      if (config.allowDomains.length > RULE_LIMITS.maxDomains) {
        return invalid(`at most ${RULE_LIMITS.maxDomains} allowed domains, got ${config.allowDomains.length}`);
      }
      return { ok: true };
    default:
      return { ok: true };
  }
}

function invalid(message: string): RuleValidation {
  return { ok: false, message };
}
