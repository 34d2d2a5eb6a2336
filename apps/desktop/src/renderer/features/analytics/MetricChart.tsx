import { useMemo } from 'react';
import type { History } from '../../../common/contract.js';
import { LineChart } from './LineChart.js';
import { formatFigure, formatHeadline, headline, historyChart, metricTitle } from './series.js';

/** One history metric: its title, its headline figure, and its chart. */
export function MetricChart({ history }: { history: History }) {
  const data = useMemo(() => historyChart(history), [history]);
  const title = metricTitle(history.metric, history.bucket);
  const head = headline(history);
  return (
    <figure className="card chart-card" aria-label={title} data-testid={`chart-${history.metric}`}>
      <figcaption>
        <span className="chart-title">{title}</span>
        <span className="chart-figure">
          {formatHeadline(history.metric, head.value)} <span className="muted small">{head.caption}</span>
        </span>
      </figcaption>
      <LineChart data={data} label={`${title}, ${history.points.length} points`} valueFormat={formatFigure} />
    </figure>
  );
}
