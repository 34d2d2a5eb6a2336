import { useState } from 'react';
import type { AnalyticsBucket } from '../../../common/contract.js';
import {
  allowedBuckets,
  customRangeProblem,
  presetRange,
  RANGE_PRESETS,
  selectedRange,
  type RangeSelection,
} from './ranges.js';

const BUCKET_LABEL: Record<AnalyticsBucket, string> = { day: 'By day', week: 'By week', month: 'By month' };

/**
 * The range (presets or custom dates) and, when given, the bucket. A custom range is checked
 * here and applied only when it is valid, so a bad one never reaches the server.
 */
export function RangePicker({
  selection,
  onSelect,
  bucket,
  onBucket,
  maxDays,
}: {
  selection: RangeSelection;
  onSelect(selection: RangeSelection): void;
  bucket?: AnalyticsBucket;
  onBucket?(bucket: AnalyticsBucket): void;
  /** Bounds a custom range when there is no coarser bucket to fall back on. */
  maxDays?: number;
}) {
  const today = new Date();
  const [editing, setEditing] = useState(selection.preset === 'custom');
  const [draft, setDraft] = useState(selection.preset === 'custom' ? selection.custom : presetRange('30d', today));
  const problem = customRangeProblem(draft, today, maxDays);
  const range = selectedRange(selection, today);

  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-label="Range">
        {RANGE_PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            aria-pressed={selection.preset === p.id && !editing}
            onClick={() => {
              setEditing(false);
              onSelect({ ...selection, preset: p.id });
            }}
          >
            {p.label}
          </button>
        ))}
        <button type="button" aria-pressed={editing || selection.preset === 'custom'} onClick={() => setEditing(true)}>
          Custom
        </button>
      </div>
      {bucket && onBucket && (
        <select
          className="select small"
          aria-label="Group by"
          value={bucket}
          onChange={(e) => onBucket(e.target.value as AnalyticsBucket)}
        >
          {(['day', 'week', 'month'] as const).map((b) => (
            <option key={b} value={b} disabled={!allowedBuckets(range).includes(b)}>
              {BUCKET_LABEL[b]}
            </option>
          ))}
        </select>
      )}
      {editing && (
        <form
          className="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            if (!problem) onSelect({ preset: 'custom', custom: draft });
          }}
        >
          <label>
            <span className="sr-only">From</span>
            <input
              type="date"
              aria-label="From"
              value={draft.from}
              onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            />
          </label>
          <span aria-hidden="true">–</span>
          <label>
            <span className="sr-only">To</span>
            <input
              type="date"
              aria-label="To"
              value={draft.to}
              onChange={(e) => setDraft({ ...draft, to: e.target.value })}
            />
          </label>
          <button type="submit" className="button small primary" disabled={problem !== null}>
            Apply
          </button>
          {problem && (
            <span className="field-hint error" role="alert">
              {problem}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
