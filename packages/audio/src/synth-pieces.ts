import { type RecipeName } from './synth-recipes.js';

export interface DemoPiece {
  slug: string;
  title: string;
  artist: string;
  album: string;
  genre: string;
  durationSec: number;
  /** Base colour for the piece's generated cover. */
  coverColor: string;
}

/** Which recipe renders each demo piece, keyed by slug. */
export const DEMO_RECIPES: Readonly<Record<string, RecipeName>> = {
  'slow-tides': 'pad',
  'glass-arpeggio': 'arpeggio',
  'pentatonic-bells': 'bells',
  'soft-pulse': 'pulse',
  'low-lantern': 'drone',
};

export const DEMO_PIECES: readonly DemoPiece[] = Object.freeze([
  {
    slug: 'slow-tides',
    title: 'Slow Tides',
    artist: 'Veza Demo Ensemble',
    album: 'Synthesised Sketches',
    genre: 'Ambient',
    durationSec: 128,
    coverColor: '#3b6ea5',
  },
  {
    slug: 'glass-arpeggio',
    title: 'Glass Arpeggio',
    artist: 'Veza Demo Ensemble',
    album: 'Synthesised Sketches',
    genre: 'Electronic',
    durationSec: 90,
    coverColor: '#8e5bb5',
  },
  {
    slug: 'pentatonic-bells',
    title: 'Pentatonic Bells',
    artist: 'Veza Demo Ensemble',
    album: 'Synthesised Sketches',
    genre: 'New Age',
    durationSec: 115,
    coverColor: '#d08a2e',
  },
  {
    slug: 'soft-pulse',
    title: 'Soft Pulse',
    artist: 'Veza Demo Ensemble',
    album: 'Synthesised Sketches',
    genre: 'Downtempo',
    durationSec: 80,
    coverColor: '#2e9c7f',
  },
  {
    slug: 'low-lantern',
    title: 'Low Lantern',
    artist: 'Veza Demo Ensemble',
    album: 'Synthesised Sketches',
    genre: 'Drone',
    durationSec: 150,
    coverColor: '#b5475b',
  },
]);
