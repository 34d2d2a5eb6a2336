import Hls, { type ErrorData } from 'hls.js';
import WaveSurfer from 'wavesurfer.js';
import type { PlaybackQuality, PlaybackSource } from '../../../common/contract.js';
import { styleNonce } from '../../lib/csp-nonce.js';
import { barSlots, hlsLevelFor, linearGain, peaksDurationSeconds, toWavesurferPeaks } from './peaks.js';

/** The waveform's bars, in CSS pixels. */
const BAR_WIDTH = 2;
const BAR_GAP = 1;

export interface EngineCallbacks {
  onTime(positionS: number, durationS: number): void;
  onPlaying(playing: boolean): void;
  onWaiting(waiting: boolean): void;
  onEnded(): void;
  onError(message: string): void;
}

/**
 * Owns the one <audio> element: hls.js for streams, a plain src for offline files, wavesurfer.js
 * drawing precomputed peaks on top of the same element, and a Web Audio gain stage for the
 * track's loudness correction. The player store drives it; it reports back through callbacks.
 */
export class PlayerEngine {
  private audio: HTMLAudioElement | null = null;
  private waveContainer: HTMLElement | null = null;
  private hls: Hls | null = null;
  private wave: WaveSurfer | null = null;
  private context: AudioContext | null = null;
  private gainNode: GainNode | null = null;
  private gainUnavailable = false;
  private gainDb = 0;
  private volume = 1;
  private quality: PlaybackQuality = 'auto';
  private source: PlaybackSource | null = null;
  private loadToken = 0;
  private detachAudio: (() => void) | null = null;

  constructor(private readonly callbacks: EngineCallbacks) {}

  attachAudio(audio: HTMLAudioElement | null): void {
    if (audio === this.audio) return;
    this.detachAudio?.();
    this.detachAudio = null;
    this.audio = audio;
    if (!audio) return;
    const on = <K extends keyof HTMLMediaElementEventMap>(type: K, fn: () => void): (() => void) => {
      audio.addEventListener(type, fn);
      return () => audio.removeEventListener(type, fn);
    };
    const time = (): void => this.callbacks.onTime(audio.currentTime, this.duration());
    const offs = [
      on('timeupdate', time),
      on('durationchange', time),
      on('seeked', time),
      on('play', () => this.callbacks.onPlaying(true)),
      on('pause', () => this.callbacks.onPlaying(false)),
      on('waiting', () => this.callbacks.onWaiting(true)),
      on('playing', () => this.callbacks.onWaiting(false)),
      on('canplay', () => this.callbacks.onWaiting(false)),
      on('ended', () => this.callbacks.onEnded()),
      on('error', () => {
        // hls.js reports its own errors; a plain src error ends here.
        if (!this.hls && this.source) this.callbacks.onError(mediaErrorText(audio.error));
      }),
    ];
    this.detachAudio = () => offs.forEach((off) => off());
    this.applyGain();
  }

  attachWaveform(container: HTMLElement | null): void {
    if (container === this.waveContainer) return;
    this.waveContainer = container;
    this.destroyWave();
    if (container && this.source && this.audio && (this.source.kind === 'offline' || this.hls?.media))
      this.createWave();
  }

  /** Loads a source; resolves once the media is attached (playback may still be buffering). */
  load(source: PlaybackSource, quality: PlaybackQuality, autoplay: boolean): void {
    const audio = this.audio;
    if (!audio) {
      this.callbacks.onError('The player is not ready yet.');
      return;
    }
    const token = ++this.loadToken;
    this.teardown();
    this.source = source;
    this.quality = quality;
    this.gainDb = source.gainDb;
    this.applyGain();
    this.callbacks.onTime(0, peaksDurationSeconds(source.peaks, source.track.durationMs));

    if (source.kind === 'stream' && Hls.isSupported()) {
      // CSP-friendly: no worker from a blob: URL.
      const hls = new Hls({ enableWorker: false, maxBufferLength: 30 });
      this.hls = hls;
      hls.on(Hls.Events.MEDIA_ATTACHED, () => {
        if (token !== this.loadToken) return;
        hls.loadSource(source.url);
        // Only now: wavesurfer sees the MSE src and leaves it alone.
        this.createWave();
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        if (token !== this.loadToken) return;
        this.applyQuality();
        if (autoplay) void this.play();
      });
      let mediaRecoveries = 0;
      hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
        if (token !== this.loadToken || !data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
          mediaRecoveries += 1;
          hls.recoverMediaError();
        } else if (
          data.type === Hls.ErrorTypes.NETWORK_ERROR &&
          data.details !== Hls.ErrorDetails.MANIFEST_LOAD_ERROR
        ) {
          hls.startLoad();
        } else {
          this.callbacks.onError(
            data.type === Hls.ErrorTypes.NETWORK_ERROR
              ? 'The stream could not be loaded. Check your connection, or download the track to play it offline.'
              : 'This track could not be played.',
          );
        }
      });
      hls.attachMedia(audio);
      return;
    }

    if (source.kind === 'stream' && !audio.canPlayType(source.mimeType)) {
      this.callbacks.onError('This system cannot play streamed audio.');
      return;
    }
    audio.src = source.url;
    this.createWave();
    if (autoplay) void this.play();
  }

  async play(): Promise<void> {
    const audio = this.audio;
    if (!audio || !this.source) return;
    this.ensureGainGraph();
    if (this.context?.state === 'suspended') await this.context.resume().catch(() => undefined);
    try {
      await audio.play();
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      this.callbacks.onPlaying(false);
      if (error instanceof DOMException && error.name === 'NotAllowedError') return;
      this.callbacks.onError('Playback could not start.');
    }
  }

  pause(): void {
    this.audio?.pause();
  }

  get paused(): boolean {
    return this.audio?.paused ?? true;
  }

  get position(): number {
    return this.audio?.currentTime ?? 0;
  }

  duration(): number {
    const d = this.audio?.duration;
    if (d !== undefined && Number.isFinite(d) && d > 0) return d;
    return this.source ? peaksDurationSeconds(this.source.peaks, this.source.track.durationMs) : 0;
  }

  seek(seconds: number): void {
    const audio = this.audio;
    if (!audio || !this.source) return;
    const target = Math.max(0, Math.min(seconds, Math.max(0, this.duration() - 0.05)));
    audio.currentTime = target;
    this.callbacks.onTime(target, this.duration());
  }

  setVolume(volume: number): void {
    this.volume = volume;
    this.applyGain();
  }

  setQuality(quality: PlaybackQuality): void {
    this.quality = quality;
    this.applyQuality(true);
  }

  /** Stops and forgets the current source. */
  stop(): void {
    this.loadToken += 1;
    this.teardown();
    this.source = null;
  }

  /** Re-reads the waveform colours from CSS (after a theme change). */
  refreshColors(): void {
    if (this.wave && this.waveContainer) this.wave.setOptions(waveColors(this.waveContainer));
  }

  private applyQuality(smooth = false): void {
    const hls = this.hls;
    if (!hls || hls.levels.length === 0) return;
    const level = hlsLevelFor(
      this.quality,
      hls.levels.map((l) => l.bitrate),
    );
    if (smooth) hls.nextLevel = level;
    else hls.currentLevel = level;
  }

  private createWave(): void {
    const audio = this.audio;
    const container = this.waveContainer;
    const source = this.source;
    if (!audio || !container || !source || this.wave) return;
    try {
      // Enough points for every bar slot, even if the window grows later (up to the screen's width):
      // a short track's peaks would otherwise leave wide gaps between bars.
      const slots = barSlots(Math.max(container.clientWidth, window.screen?.width ?? 0), BAR_WIDTH, BAR_GAP);
      const wave = WaveSurfer.create({
        container,
        media: audio,
        peaks: toWavesurferPeaks(source.peaks, 200, slots),
        duration: peaksDurationSeconds(source.peaks, source.track.durationMs),
        height: 36,
        barWidth: BAR_WIDTH,
        barGap: BAR_GAP,
        barRadius: 2,
        cursorWidth: 0,
        normalize: true,
        dragToSeek: true,
        interact: true,
        hideScrollbar: true,
        // Its shadow root's <style> must carry the page's nonce: style-src has no 'unsafe-inline'.
        cspNonce: styleNonce(),
        ...waveColors(container),
      });
      this.wave = wave;
    } catch {
      // The waveform is decoration: playback goes on without it.
      this.wave = null;
    }
  }

  private destroyWave(): void {
    this.wave?.destroy();
    this.wave = null;
  }

  private teardown(): void {
    this.destroyWave();
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    const audio = this.audio;
    if (audio) {
      audio.pause();
      if (audio.hasAttribute('src')) {
        audio.removeAttribute('src');
        audio.load();
      }
    }
  }

  /** Web Audio gain, created once per audio element; element.volume when Web Audio is unavailable. */
  private ensureGainGraph(): void {
    if (this.gainNode || this.gainUnavailable || !this.audio) return;
    try {
      const context = new AudioContext();
      const node = context.createMediaElementSource(this.audio);
      const gain = context.createGain();
      node.connect(gain).connect(context.destination);
      this.context = context;
      this.gainNode = gain;
    } catch {
      this.gainUnavailable = true;
    }
    this.applyGain();
  }

  private applyGain(): void {
    const audio = this.audio;
    if (!audio) return;
    const gain = linearGain(this.gainDb, this.volume);
    if (this.gainNode && this.context) {
      audio.volume = 1;
      this.gainNode.gain.setTargetAtTime(gain, this.context.currentTime, 0.015);
    } else {
      audio.volume = Math.max(0, Math.min(1, gain));
    }
  }
}

function waveColors(container: HTMLElement): { waveColor: string; progressColor: string } {
  const style = getComputedStyle(container);
  return {
    waveColor: style.getPropertyValue('--wave').trim() || '#8a8f98',
    progressColor: style.getPropertyValue('--wave-progress').trim() || '#6c5ce7',
  };
}

function mediaErrorText(error: MediaError | null): string {
  switch (error?.code) {
    case MediaError.MEDIA_ERR_NETWORK:
      return 'The track stopped loading. Check your connection and try again.';
    case MediaError.MEDIA_ERR_DECODE:
    case MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED:
      return 'This track could not be played on this computer.';
    default:
      return 'This track could not be played.';
  }
}
