import { useEffect, useState } from 'react';
import { Icon } from '../../ui/icons.js';
import { useLibrary } from './library-store.js';

/** The library's search field: what is typed reaches the store after a 200 ms pause. */
export function LibrarySearchBox() {
  const [draft, setDraft] = useState(() => useLibrary.getState().query);

  useEffect(() => {
    const timer = setTimeout(() => {
      if (draft !== useLibrary.getState().query) void useLibrary.getState().search(draft);
    }, 200);
    return () => clearTimeout(timer);
  }, [draft]);

  return (
    <div className="search-box">
      <Icon name="search" size={16} />
      <input
        type="search"
        className="input"
        aria-label="Search library"
        placeholder="Search tracks, artists, albums"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setDraft('');
        }}
      />
    </div>
  );
}
