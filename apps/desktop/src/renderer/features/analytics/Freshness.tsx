import type { Freshness as FreshnessInfo } from '../../../common/contract.js';
import { Icon } from '../../ui/icons.js';

function when(iso: string): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return d.toLocaleString(
    undefined,
    today ? { hour: '2-digit', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' },
  );
}

/** "As of 22:10": always shown, and marked as cached when the server could not be reached. */
export function Freshness({ info, stale }: { info: FreshnessInfo; stale?: boolean }) {
  const cached = info.fromCache || stale === true;
  return (
    <span className={cached ? 'freshness stale' : 'freshness'} data-testid="freshness">
      <Icon name={cached ? 'clock' : 'check'} size={14} />
      {cached ? `Offline · as of ${when(info.asOf)}` : `As of ${when(info.asOf)}`}
    </span>
  );
}
