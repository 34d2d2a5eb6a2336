import { RULE_ACTIONS, type RuleAction } from '../schemas/moderation.js';

/** flag < hold < block < timeout < ban: RULE_ACTIONS is listed weakest first. */
export function actionStrength(action: RuleAction): number {
  return RULE_ACTIONS.indexOf(action);
}

export function strongerAction(a: RuleAction | null, b: RuleAction): RuleAction {
  return a === null || actionStrength(b) > actionStrength(a) ? b : a;
}
