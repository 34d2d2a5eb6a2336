import type { ModerationRule, RuleHit } from '../schemas/moderation.js';
import type { CompiledRules } from './compile.js';
import type { RuleContext, RuleEvaluation } from './context.js';
import { scanKeywords } from './keyword-scan.js';
import { findLinks, hostAllowed, type FoundLink } from './links.js';
import { findPattern } from './patterns.js';
import { actionStrength, strongerAction } from './precedence.js';
import { countCapitals, simplifyMessage } from './text-measures.js';

type Span = RuleHit['span'];

/** Whether a rule applies to this author in this room at all (scope, then exemptions). */
export function ruleApplies(rule: ModerationRule, ctx: RuleContext): boolean {
  if (rule.roomId !== null && rule.roomId !== ctx.roomId) return false;
  if (rule.exemptRoles.includes(ctx.authorRole)) return false;
  if (ctx.roomRole !== null && rule.exemptRoomRoles.includes(ctx.roomRole)) return false;
  return true;
}

/**
 * Runs every rule that applies on one message. Pure: the same rules, body and context give the
 * same answer on the server and in the clients (the server's is the one that counts).
 */
export function evaluateMessage(compiled: CompiledRules, body: string, ctx: RuleContext): RuleEvaluation {
  const { rules } = compiled;
  const applies = rules.map((rule) => ruleApplies(rule, ctx));
  const hits: RuleHit[] = [];
  const hit = (rule: ModerationRule, detail: string, span: Span): void => {
    hits.push({
      ruleId: rule.id,
      ruleName: rule.name,
      kind: rule.config.kind,
      action: rule.action,
      timeoutSeconds: rule.action === 'timeout' ? rule.timeoutSeconds : null,
      reason: rule.reason,
      detail,
      span,
    });
  };

  if (compiled.needsText && applies.some((yes, i) => yes && rules[i]!.config.kind === 'keywords')) {
    for (const match of scanKeywords(compiled, body, applies)) {
      const seen = body.slice(match.start, match.end);
      const detail = match.fromPreset
        ? `“${seen}” is on the English profanity list (“${match.label}”)`
        : `“${seen}” matched the keyword “${match.label}”`;
      hit(rules[match.rule]!, detail, { start: match.start, end: match.end });
    }
  }

  let links: FoundLink[] | null = null;
  const linksIn = (): FoundLink[] => (links ??= findLinks(body));

  rules.forEach((rule, index) => {
    if (!applies[index]) return;
    const config = rule.config;
    switch (config.kind) {
      case 'keywords': {
        const any = compiled.anyPattern[index];
        if (any === null || any === undefined || !any.test(body)) return;
        for (const pattern of compiled.patterns[index]!) {
          const span = findPattern(pattern.regex, body);
          if (span !== null)
            hit(rule, `“${body.slice(span.start, span.end)}” matched the pattern /${pattern.source}/`, span);
        }
        return;
      }
      case 'links': {
        const found = linksIn().find(
          (link) => config.mode === 'block_all' || !hostAllowed(link.host, config.allowDomains),
        );
        if (found !== undefined) {
          const detail =
            config.mode === 'block_all'
              ? `link to ${found.host}`
              : `link to ${found.host}, which is not an allowed domain`;
          hit(rule, detail, { start: found.start, end: found.end });
        }
        return;
      }
      case 'mention_spam':
        if (ctx.mentionCount > config.maxMentions) {
          hit(rule, `${ctx.mentionCount} people mentioned, at most ${config.maxMentions}`, null);
        }
        return;
      case 'caps': {
        const { letters, capitals } = countCapitals(body);
        if (letters >= config.minLetters && capitals / letters > config.maxRatio) {
          const share = Math.round((capitals / letters) * 100);
          hit(rule, `${share}% capital letters, at most ${Math.round(config.maxRatio * 100)}%`, null);
        }
        return;
      }
      case 'repeats': {
        const since = ctx.now - config.windowSeconds * 1000;
        let same = 0;
        const simplified = simplifyMessage(body);
        for (let k = ctx.recent.length - 1; k >= 0 && ctx.recent[k]!.at > since; k--) {
          if (simplifyMessage(ctx.recent[k]!.body) === simplified) same++;
        }
        if (same >= config.maxRepeats) {
          hit(
            rule,
            `the same message ${same + 1} times in ${config.windowSeconds} s, at most ${config.maxRepeats}`,
            null,
          );
        }
        return;
      }
      case 'flood': {
        const since = ctx.now - config.windowSeconds * 1000;
        let count = 0;
        for (let k = ctx.recent.length - 1; k >= 0 && ctx.recent[k]!.at > since; k--) count++;
        if (count >= config.maxMessages) {
          hit(rule, `${count + 1} messages in ${config.windowSeconds} s, at most ${config.maxMessages}`, null);
        }
        return;
      }
      case 'slow_mode': {
        const last = ctx.recent[ctx.recent.length - 1];
        const wait = last === undefined ? 0 : last.at + config.intervalSeconds * 1000 - ctx.now;
        if (wait > 0) {
          hit(
            rule,
            `slow mode: one message every ${config.intervalSeconds} s, next in ${Math.ceil(wait / 1000)} s`,
            null,
          );
        }
        return;
      }
      case 'new_account': {
        const ageMinutes = (ctx.now - ctx.accountCreatedAt) / 60_000;
        if (ageMinutes >= config.minAgeMinutes) return;
        const age = `account ${Math.floor(ageMinutes)} min old, at least ${config.minAgeMinutes} min`;
        if (!config.linksOnly) hit(rule, age, null);
        else {
          const link = linksIn()[0];
          if (link !== undefined) hit(rule, `${age} to post links`, { start: link.start, end: link.end });
        }
        return;
      }
    }
  });

  let action: RuleEvaluation['action'] = null;
  for (const h of hits) action = strongerAction(action, h.action);
  // Strongest first (stable): the first hit is the one whose reason the sender is shown.
  hits.sort((a, b) => actionStrength(b.action) - actionStrength(a.action));
  return { hits, action };
}
