import type { LibraryTab } from './library-store.js';

const TABS: { id: LibraryTab; label: string }[] = [
  { id: 'tracks', label: 'Tracks' },
  { id: 'albums', label: 'Albums' },
  { id: 'artists', label: 'Artists' },
  { id: 'playlists', label: 'Playlists' },
  { id: 'liked', label: 'Liked' },
];

export function LibraryTabs({ tab, onSelect }: { tab: LibraryTab; onSelect(tab: LibraryTab): void }) {
  return (
    <div className="tabs" role="tablist" aria-label="Library sections">
      {TABS.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          aria-selected={tab === t.id}
          className={tab === t.id ? 'tab active' : 'tab'}
          onClick={() => onSelect(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
