import { Icon } from '../../ui/icons.js';
import { actionSentence, spanParts, type DraftVerdict } from './draft-check.js';

/**
 * Under the composer: which rule the draft breaks and why, before it is sent. A block is red and
 * comes with send disabled; hold, flag and the like are a softer amber note.
 */
export function ComposerRuleWarning({ verdict }: { verdict: DraftVerdict }) {
  const top = verdict.hits[0]!;
  const parts = spanParts(verdict.draft, top.span);
  const others = verdict.hits.length - 1;
  return (
    <div
      className={`rule-warning ${verdict.level}`}
      role={verdict.level === 'block' ? 'alert' : 'status'}
      data-testid="rule-warning"
      data-level={verdict.level}
    >
      <Icon name={verdict.level === 'block' ? 'shield' : 'alert'} size={16} />
      <div className="rule-warning-text">
        <p>
          <strong>{top.reason}</strong> <span className="muted">({top.ruleName})</span>
        </p>
        <p className="small">
          {top.detail}
          {parts && (
            <>
              {' '}
              <span className="rule-excerpt">
                {parts.before}
                <mark>{parts.match}</mark>
                {parts.after}
              </span>
            </>
          )}
        </p>
        <p className="small muted">
          {actionSentence(verdict.action)}
          {others > 0 && ` ${others} more rule${others > 1 ? 's' : ''} also match${others > 1 ? '' : 'es'}.`}
        </p>
      </div>
    </div>
  );
}
