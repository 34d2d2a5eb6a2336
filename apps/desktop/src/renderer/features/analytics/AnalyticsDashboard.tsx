import { useEffect } from 'react';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { Spinner } from '../../ui/Spinner.js';
import { useCan } from '../session/rights.js';
import { effectiveBucket, useDashboard } from './dashboard-store.js';
import { Freshness } from './Freshness.js';
import { LiveTiles } from './LiveTiles.js';
import { MetricChart } from './MetricChart.js';
import { RangePicker } from './RangePicker.js';
import { formatRange, RANGE_LIMITS } from './ranges.js';
import { TopTable } from './TopTable.js';

/**
 * The moderators' and admins' analytics: live tiles, the history charts over a range, the top
 * tracks and rooms, each exportable as CSV. Mounted as a tab of the admin mode; offline it shows
 * the cached figures and their time.
 */
export function AnalyticsDashboard() {
  const allowed = useCan('analytics:view');
  const selection = useDashboard((s) => s.selection);
  const chosenBucket = useDashboard((s) => s.bucket);
  const view = useDashboard((s) => s.view);
  const loading = useDashboard((s) => s.loading);
  const error = useDashboard((s) => s.error);

  useEffect(() => {
    if (allowed) void useDashboard.getState().load();
  }, [allowed]);

  if (!allowed) {
    return (
      <EmptyState icon={<Icon name="alert" size={36} />} title="Analytics are for moderators and admins">
        <p>Your account cannot see the server’s analytics.</p>
      </EmptyState>
    );
  }

  const store = useDashboard.getState();
  return (
    <section className="view analytics" aria-labelledby="analytics-title">
      <header className="view-header">
        <h1 id="analytics-title">Analytics</h1>
        <div className="header-actions">
          {loading && <Spinner label="Loading figures" />}
          {view && <Freshness info={view} />}
        </div>
      </header>
      <div className="view-body analytics-body">
        <LiveTiles />
        <div className="analytics-toolbar">
          <RangePicker
            selection={selection}
            onSelect={store.select}
            bucket={effectiveBucket(selection, chosenBucket)}
            onBucket={store.setBucket}
            // The top lists cover at most a year of days, whatever the bucket.
            maxDays={RANGE_LIMITS.maxDays}
          />
          <button
            type="button"
            className="button small"
            onClick={() => void store.exportCsv('history')}
            disabled={!view}
          >
            <Icon name="download" size={14} /> Export CSV
          </button>
        </div>
        {error && (
          <p className="inline-error" role="alert">
            {error}
          </p>
        )}
        {view ? (
          <>
            <p className="muted small range-caption">
              {formatRange(view.range)}
              {view.fromCache ? ' · cached figures' : ''}
            </p>
            <div className="chart-grid">
              {view.history.map((history) => (
                <MetricChart key={history.metric} history={history} />
              ))}
            </div>
            <div className="top-grid">
              <TopTable title="Top tracks" list={view.topTracks} onExport={() => void store.exportCsv('tracks')} />
              <TopTable title="Top rooms" list={view.topRooms} onExport={() => void store.exportCsv('rooms')} />
            </div>
          </>
        ) : (
          !error && (
            <div className="center-fill">
              <Spinner label="Loading analytics" />
            </div>
          )
        )}
      </div>
    </section>
  );
}
