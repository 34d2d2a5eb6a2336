import type { AlbumSummary } from '../../../common/contract.js';
import { Cover } from '../../ui/Cover.js';
import { useServerUrl } from './server-url.js';

export function AlbumCard({ album, onOpen }: { album: AlbumSummary; onOpen(): void }) {
  const src = useServerUrl(album.coverUrl);
  return (
    <li>
      <button type="button" className="grid-card" onClick={onOpen}>
        <Cover src={src} color="var(--surface-3)" size={160} />
        <span className="grid-title">{album.name}</span>
        <span className="grid-sub">
          {album.artist} · {album.trackCount} {album.trackCount === 1 ? 'track' : 'tracks'}
        </span>
      </button>
    </li>
  );
}
