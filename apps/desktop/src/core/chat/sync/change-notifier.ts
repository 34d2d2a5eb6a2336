import type { CoreEvent } from '../../../common/contract.js';

/** How long changes pile up before one notice goes out: about one frame of the UI. */
const COALESCE_MS = 16;

/**
 * Coalesces "something changed" notices: whatever happens within ~16 ms yields at most one
 * `messages.changed` per room and one `rooms.changed`, so a 10k-event catch-up costs the UI a
 * few re-queries, not 10k.
 */
export class ChangeNotifier {
  private readonly rooms = new Set<string>();
  private roomList = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly emit: (event: CoreEvent) => void) {}

  messagesChanged(roomId: string): void {
    this.rooms.add(roomId);
    this.schedule();
  }

  roomsChanged(): void {
    this.roomList = true;
    this.schedule();
  }

  /** Sends what is waiting now (used on stop, so nothing is lost). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rooms = [...this.rooms];
    const roomList = this.roomList;
    this.rooms.clear();
    this.roomList = false;
    for (const roomId of rooms) this.emit({ type: 'messages.changed', roomId });
    if (roomList) this.emit({ type: 'rooms.changed' });
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }
}
