import { useMemo, useState } from 'react';
import type { ModerationRuleBody, RuleHit } from '../../../common/contract.js';
import { useConnection } from '../connection/connection-store.js';
import { evaluateDraft, highlightSegments } from './rule-draft.js';
import { useRules } from './rules-store.js';

function HitList({ hits, label }: { hits: readonly RuleHit[]; label: string }) {
  if (hits.length === 0) return <p className="muted small">{label}: no rule fires.</p>;
  return (
    <ul className="hit-list" aria-label={label}>
      {hits.map((hit, i) => (
        <li key={`${hit.ruleId}-${i}`}>
          <strong>{hit.ruleName || 'This rule'}</strong>{' '}
          <span className={`chip action-${hit.action}`}>{hit.action}</span> {hit.detail}
        </li>
      ))}
    </ul>
  );
}

/**
 * The live tester: the message is checked on every keystroke by the shared engine (the same code
 * the server runs, so offline too), and on demand by the server, which also knows the author's
 * history (repeats, flood, slow mode) and is the one that counts.
 */
export function RuleTester({ draft }: { draft: ModerationRuleBody | null }) {
  const [message, setMessage] = useState('');
  const rules = useRules((s) => s.rules);
  const serverTest = useRules((s) => s.serverTest);
  const online = useConnection((s) => s.connection.status === 'online');
  const tried = useMemo(() => (draft ? [draft] : rules.filter((r) => r.enabled)), [draft, rules]);
  const local = useMemo(() => {
    if (message === '') return null;
    try {
      return { ok: true as const, evaluation: evaluateDraft(message, tried, Date.now()) };
    } catch {
      // A draft the engine cannot compile yet (a half-typed pattern): the form names the problem.
      return { ok: false as const };
    }
  }, [message, tried]);
  const segments = local?.ok ? highlightSegments(message, local.evaluation.hits) : [];
  const server = serverTest && serverTest.body === message ? serverTest : null;
  return (
    <section className="rule-tester" aria-labelledby="rule-tester-title">
      <h3 id="rule-tester-title" className="pane-title">
        Try a message {draft ? 'against this rule' : 'against the enabled rules'}
      </h3>
      <textarea
        className="input textarea"
        rows={3}
        maxLength={4000}
        placeholder="Type a message to see which rule fires and why"
        aria-label="Message to test"
        value={message}
        onChange={(e) => setMessage(e.target.value)}
      />
      {local?.ok && (
        <>
          <p className="tester-preview" data-testid="tester-preview">
            {segments.map((s, i) =>
              s.hit ? (
                <mark key={i} className="rule-match">
                  {s.text}
                </mark>
              ) : (
                <span key={i}>{s.text}</span>
              ),
            )}
          </p>
          <div className="tester-verdict">
            <span className={`chip action-${local.evaluation.action ?? 'none'}`} data-testid="tester-action">
              {local.evaluation.action ?? 'allowed'}
            </span>
            <HitList hits={local.evaluation.hits} label="On this device" />
          </div>
        </>
      )}
      {local && !local.ok && <p className="muted small">Fix the rule to test it.</p>}
      <div className="tester-server">
        <button
          type="button"
          className="button"
          disabled={message === '' || !online}
          title={online ? undefined : 'The server’s check needs a connection'}
          onClick={() => void useRules.getState().testOnServer(message, draft)}
        >
          Check on the server
        </button>
        {server &&
          ('error' in server ? (
            <p className="form-error">{server.error}</p>
          ) : (
            <div className="tester-verdict">
              <span className={`chip action-${server.result.action ?? 'none'}`}>
                {server.result.action ?? 'allowed'}
              </span>
              <HitList hits={server.result.hits} label="On the server" />
            </div>
          ))}
      </div>
    </section>
  );
}
