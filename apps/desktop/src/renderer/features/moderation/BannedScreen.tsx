import type { Restriction } from '../../../common/contract.js';
import { Icon } from '../../ui/icons.js';
import { untilText } from './standing-logic.js';

/**
 * Takes the whole window when the server bans me: what happened, why, until when. Nothing else
 * is reachable (the server refuses the connection anyway); signing out is the way on.
 */
export function BannedScreen({
  reason,
  until,
  onSignOut,
}: {
  reason: Restriction['reason'];
  until: Restriction['until'];
  onSignOut(): void;
}) {
  return (
    <main className="banned-screen" role="alertdialog" aria-labelledby="banned-title" aria-describedby="banned-reason">
      <div className="banned-card">
        <span className="banned-icon">
          <Icon name="shield" size={32} />
        </span>
        <h1 id="banned-title">You are banned</h1>
        <p id="banned-reason" className="banned-reason">
          {reason ? reason : 'A moderator banned this account from the server.'}
        </p>
        <p className="banned-until">
          {until === null
            ? 'The ban lasts until a moderator lifts it.'
            : `The ban lasts ${untilText(until)}. Veza reconnects by itself when it ends.`}
        </p>
        <p className="muted small">Your downloads and cached messages stay on this device.</p>
        <button type="button" className="button" onClick={onSignOut}>
          <Icon name="logout" size={16} /> Sign out
        </button>
      </div>
    </main>
  );
}
