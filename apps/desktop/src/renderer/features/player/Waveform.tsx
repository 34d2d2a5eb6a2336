import { useEffect, useRef } from 'react';
import { engine, usePlayer } from './player-store.js';

/** The element wavesurfer.js draws into; the engine owns what is drawn. */
export function Waveform() {
  const ref = useRef<HTMLDivElement>(null);
  const hasSource = usePlayer((s) => s.source !== null);
  useEffect(() => {
    engine.attachWaveform(ref.current);
    return () => engine.attachWaveform(null);
  }, []);
  return <div className={hasSource ? 'waveform' : 'waveform idle'} data-testid="waveform" ref={ref} />;
}
