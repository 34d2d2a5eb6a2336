import { useEffect, useMemo } from 'react';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { Spinner } from '../../ui/Spinner.js';
import { useCan } from '../session/rights.js';
import { useArtistStats } from './artist-stats-store.js';
import { Freshness } from './Freshness.js';
import { LineChart } from './LineChart.js';
import { RangePicker } from './RangePicker.js';
import { formatRange, RANGE_LIMITS } from './ranges.js';
import { artistListeningChart, artistPlaysChart, filledDays, formatFigure, formatListening } from './series.js';

/** An artist's own figures: totals, plays and listeners per day, listening time, per track. */
export function ArtistStats() {
  const allowed = useCan('tracks:upload');
  const selection = useArtistStats((s) => s.selection);
  const view = useArtistStats((s) => s.view);
  const loading = useArtistStats((s) => s.loading);
  const error = useArtistStats((s) => s.error);
  const days = useMemo(() => (view ? filledDays(view.stats, view.range) : []), [view]);
  const plays = useMemo(() => artistPlaysChart(days), [days]);
  const listening = useMemo(() => artistListeningChart(days), [days]);

  useEffect(() => {
    if (allowed) void useArtistStats.getState().load();
  }, [allowed]);

  if (!allowed) {
    return (
      <EmptyState icon={<Icon name="music" size={36} />} title="Stats are for artists">
        <p>Upload tracks to see who listens to them.</p>
      </EmptyState>
    );
  }

  const store = useArtistStats.getState();
  const totals = view?.stats.totals;
  return (
    <section className="view analytics artist-stats" aria-labelledby="stats-title">
      <header className="view-header">
        <h1 id="stats-title">My stats</h1>
        <div className="header-actions">
          {loading && <Spinner label="Loading figures" />}
          {view && <Freshness info={view} />}
        </div>
      </header>
      <div className="view-body analytics-body">
        <div className="analytics-toolbar">
          <RangePicker selection={selection} onSelect={store.select} maxDays={RANGE_LIMITS.maxDays} />
          <button type="button" className="button small" onClick={() => void store.exportCsv('days')} disabled={!view}>
            <Icon name="download" size={14} /> Export CSV
          </button>
        </div>
        {error && (
          <p className="inline-error" role="alert">
            {error}
          </p>
        )}
        {view && totals ? (
          <>
            <p className="muted small range-caption">{formatRange(view.range)}</p>
            <div className="tiles">
              <div className="tile" role="group" aria-label="Plays">
                <span className="tile-value" data-testid="total-plays">
                  {formatFigure(totals.plays)}
                </span>
                <span className="tile-label">Plays</span>
              </div>
              <div className="tile" role="group" aria-label="Listeners">
                <span className="tile-value" data-testid="total-listeners">
                  {formatFigure(totals.listeners)}
                </span>
                <span className="tile-label">Listeners</span>
              </div>
              <div className="tile" role="group" aria-label="Listening time">
                <span className="tile-value" data-testid="total-listening">
                  {formatListening(totals.listeningSeconds)}
                </span>
                <span className="tile-label">Listening time</span>
              </div>
            </div>
            <div className="chart-grid">
              <figure className="card chart-card" aria-label="Plays and listeners per day">
                <figcaption>
                  <span className="chart-title">Plays and listeners per day</span>
                </figcaption>
                <LineChart data={plays} label="Plays and listeners per day" valueFormat={formatFigure} />
              </figure>
              <figure className="card chart-card" aria-label="Listening minutes per day">
                <figcaption>
                  <span className="chart-title">Listening minutes per day</span>
                </figcaption>
                <LineChart data={listening} label="Listening minutes per day" valueFormat={formatFigure} />
              </figure>
            </div>
            <section className="card top-table" aria-label="Per track">
              <header className="section-head">
                <h2>Per track</h2>
                <button
                  type="button"
                  className="button ghost small"
                  onClick={() => void store.exportCsv('tracks')}
                  disabled={view.stats.perTrack.length === 0}
                >
                  <Icon name="download" size={14} /> CSV
                </button>
              </header>
              {view.stats.perTrack.length === 0 ? (
                <p className="muted small">No plays of your tracks in this range yet.</p>
              ) : (
                <table className="stats-table">
                  <thead>
                    <tr>
                      <th scope="col">Track</th>
                      <th scope="col" className="num">
                        Plays
                      </th>
                      <th scope="col" className="num">
                        Listeners
                      </th>
                      <th scope="col" className="num">
                        Listening time
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.stats.perTrack.map((t) => (
                      <tr key={t.trackId}>
                        <td className="name">
                          <span className="name-text" title={t.title}>
                            {t.title}
                          </span>
                        </td>
                        <td className="num">{formatFigure(t.plays)}</td>
                        <td className="num">{formatFigure(t.listeners)}</td>
                        <td className="num">{formatListening(t.listeningSeconds)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </>
        ) : (
          !error && (
            <div className="center-fill">
              <Spinner label="Loading your stats" />
            </div>
          )
        )}
      </div>
    </section>
  );
}
