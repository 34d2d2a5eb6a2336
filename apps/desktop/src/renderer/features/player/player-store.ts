import { create } from 'zustand';
import type { LibraryTrack, PlaybackQuality, PlaybackSource } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { errorMessage } from '../../lib/errors.js';
import * as Q from './queue.js';
import { PlayerEngine } from './engine.js';
import { PlayTracker } from './play-tracker.js';
import { useUi } from '../../app/ui-store.js';

export type PlayerStatus = 'idle' | 'loading' | 'playing' | 'paused' | 'error';
export const SEEK_STEP_S = 5;

interface PlayerStore {
  queue: Q.Queue<LibraryTrack>;
  source: PlaybackSource | null;
  status: PlayerStatus;
  buffering: boolean;
  position: number;
  duration: number;
  volume: number;
  quality: PlaybackQuality;
  error: string | null;
  playTracks(tracks: readonly LibraryTrack[], start?: number): Promise<void>;
  enqueue(tracks: readonly LibraryTrack[]): void;
  playAt(index: number): Promise<void>;
  togglePlay(): void;
  play(): void;
  pause(): void;
  next(): Promise<void>;
  previous(): Promise<void>;
  seek(seconds: number): void;
  seekBy(deltaSeconds: number): void;
  setVolume(volume: number): void;
  setQuality(quality: PlaybackQuality): void;
  removeAt(index: number): void;
  move(index: number, delta: number): void;
  clearQueue(): void;
  /** Initial volume and quality from settings (no write-back). */
  syncSettings(volume: number, quality: PlaybackQuality): void;
  stop(): void;
}

const tracker = new PlayTracker({
  send: (event) => {
    veza.reportPlay({ event }).catch(() => undefined);
  },
  now: () => new Date(),
  newId: () => crypto.randomUUID(),
});

let loadSeq = 0;
let volumeTimer: ReturnType<typeof setTimeout> | undefined;

export const engine = new PlayerEngine({
  onTime: (position, duration) => {
    const state = usePlayer.getState();
    tracker.update(position * 1000, state.status === 'playing');
    if (Math.abs(state.position - position) > 0.05 || state.duration !== duration)
      usePlayer.setState({ position, duration });
  },
  onPlaying: (playing) => {
    const { status, source } = usePlayer.getState();
    if (!source) return;
    if (playing && !tracker.active) tracker.start(source.track.id, source.kind, engine.position * 1000);
    if (status !== 'error' || playing) usePlayer.setState({ status: playing ? 'playing' : 'paused', error: null });
  },
  onWaiting: (buffering) => usePlayer.setState({ buffering }),
  onEnded: () => {
    tracker.end(engine.duration() * 1000);
    const { queue } = usePlayer.getState();
    if (Q.hasNext(queue)) void usePlayer.getState().next();
    else usePlayer.setState({ status: 'paused' });
  },
  onError: (message) => {
    tracker.end();
    usePlayer.setState({ status: 'error', error: message, buffering: false });
    useUi.getState().toast('error', message);
  },
});

export const usePlayer = create<PlayerStore>()((set, get) => {
  const loadCurrent = async (autoplay: boolean): Promise<void> => {
    const track = Q.current(get().queue);
    const seq = ++loadSeq;
    tracker.end(engine.position * 1000);
    if (!track) {
      engine.stop();
      set({ source: null, status: 'idle', position: 0, duration: 0, error: null });
      return;
    }
    set({ status: 'loading', error: null, position: 0, duration: track.durationMs / 1000 });
    try {
      const source = await veza.resolvePlayback({ trackId: track.id, quality: get().quality });
      if (seq !== loadSeq) return;
      set({ source, status: autoplay ? 'loading' : 'paused' });
      engine.load(source, get().quality, autoplay);
    } catch (error) {
      if (seq !== loadSeq) return;
      engine.stop();
      const message = errorMessage(error);
      set({ status: 'error', error: message, source: null });
      useUi.getState().toast('error', message);
    }
  };

  return {
    queue: Q.emptyQueue(),
    source: null,
    status: 'idle',
    buffering: false,
    position: 0,
    duration: 0,
    volume: 1,
    quality: 'auto',
    error: null,
    playTracks: async (tracks, start = 0) => {
      const playable = tracks.filter((t) => t.state === 'ready');
      if (playable.length === 0) {
        useUi.getState().toast('info', 'This track is still processing. Try again in a moment.');
        return;
      }
      const first = tracks[start];
      const startIndex = first ? Math.max(0, playable.indexOf(first)) : 0;
      set({ queue: Q.playList(playable, startIndex) });
      await loadCurrent(true);
    },
    enqueue: (tracks) => {
      const playable = tracks.filter((t) => t.state === 'ready');
      const wasEmpty = get().queue.index === -1;
      set({ queue: Q.enqueue(get().queue, playable) });
      useUi
        .getState()
        .toast('info', playable.length === 1 ? 'Added to the queue.' : `${playable.length} tracks added to the queue.`);
      if (wasEmpty) void loadCurrent(false);
    },
    playAt: async (index) => {
      const queue = get().queue;
      if (index < 0 || index >= queue.items.length) return;
      set({ queue: { ...queue, index } });
      await loadCurrent(true);
    },
    togglePlay: () => {
      if (get().status === 'playing') get().pause();
      else get().play();
    },
    play: () => {
      const { source, status, queue } = get();
      if (!source) {
        if (queue.index >= 0 && status !== 'loading') void loadCurrent(true);
        return;
      }
      void engine.play();
    },
    pause: () => engine.pause(),
    next: async () => {
      const queue = get().queue;
      if (!Q.hasNext(queue)) return;
      set({ queue: Q.skip(queue, 1) });
      await loadCurrent(true);
    },
    previous: async () => {
      const queue = get().queue;
      if (engine.position > Q.RESTART_THRESHOLD_S || !Q.hasPrevious(queue)) {
        get().seek(0);
        return;
      }
      set({ queue: Q.skip(queue, -1) });
      await loadCurrent(true);
    },
    seek: (seconds) => {
      engine.seek(seconds);
      set({ position: engine.position });
    },
    seekBy: (delta) => get().seek(engine.position + delta),
    setVolume: (volume) => {
      const v = Math.max(0, Math.min(1, volume));
      set({ volume: v });
      engine.setVolume(v);
      clearTimeout(volumeTimer);
      volumeTimer = setTimeout(() => {
        veza.updateSettings({ volume: v }).catch(() => undefined);
      }, 400);
    },
    setQuality: (quality) => {
      set({ quality });
      engine.setQuality(quality);
      veza.updateSettings({ playbackQuality: quality }).catch((error: unknown) => useUi.getState().reportError(error));
    },
    removeAt: (index) => {
      const before = get().queue;
      const wasCurrent = index === before.index;
      set({ queue: Q.removeAt(before, index) });
      if (wasCurrent) void loadCurrent(get().status === 'playing');
    },
    move: (index, delta) => set({ queue: Q.move(get().queue, index, delta) }),
    clearQueue: () => set({ queue: Q.clearUpcoming(get().queue) }),
    syncSettings: (volume, quality) => {
      if (get().volume !== volume) engine.setVolume(volume);
      set({ volume, quality });
    },
    stop: () => {
      loadSeq += 1;
      tracker.end(engine.position * 1000);
      engine.stop();
      set({ queue: Q.emptyQueue(), source: null, status: 'idle', position: 0, duration: 0, error: null });
    },
  };
});

export function currentTrack(): LibraryTrack | null {
  return Q.current(usePlayer.getState().queue);
}
