import type { TopList } from '../../../common/contract.js';
import { Icon } from '../../ui/icons.js';
import { formatFigure } from './series.js';

/** A ranked list (top tracks by plays, top rooms by messages) with a bar scaled to the first. */
export function TopTable({ title, list, onExport }: { title: string; list: TopList; onExport(): void }) {
  const unit = list.kind === 'tracks' ? 'Plays' : 'Messages';
  const max = Math.max(1, ...list.items.map((i) => i.value));
  return (
    <section className="card top-table" aria-label={title}>
      <header className="section-head">
        <h2>{title}</h2>
        <button type="button" className="button ghost small" onClick={onExport} disabled={list.items.length === 0}>
          <Icon name="download" size={14} /> CSV
        </button>
      </header>
      {list.items.length === 0 ? (
        <p className="muted small">Nothing in this range.</p>
      ) : (
        <table className="stats-table">
          <thead>
            <tr>
              <th scope="col" className="rank">
                #
              </th>
              <th scope="col">{list.kind === 'tracks' ? 'Track' : 'Room'}</th>
              <th scope="col" className="num">
                {unit}
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((item, i) => (
              <tr key={item.id}>
                <td className="rank">{i + 1}</td>
                <td className="name">
                  <span className="name-text" title={item.name}>
                    {item.name}
                  </span>
                  <span className="bar" aria-hidden="true">
                    <span style={{ width: `${(item.value / max) * 100}%` }} />
                  </span>
                </td>
                <td className="num">{formatFigure(item.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
