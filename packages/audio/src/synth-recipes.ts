/**
 * Filter graphs for the demo pieces. Each returns a graph whose single output is labelled [out].
 *
 * aevalsrc evaluates its expression per sample, which is slow, so each piece computes one short loop at
 * the lowest rate its (low-passed) content allows and `aloop` repeats it; slow modulation and effects then
 * run over the full length. Every note's envelope starts and ends at (or very near) zero and its phase
 * counts from its own start, so neither pitch changes nor the loop seam click. Pitches come from the
 * C major pentatonic scale, where no two notes clash.
 */

export type Recipe = (durationSec: number) => string;

/** Semitones above the scale root for pentatonic degree `d` (any integer expression): 0 2 4 7 9, 12… */
const pentatonic = (d: string) => `(12*floor((${d})/5)+floor(2.4*mod((${d}),5)))`;
const hz = (root: number, semitones: string) => `${root}*pow(2,${semitones}/12)`;
/** Evaluates `value` once into variable `slot`, for a body that needs it several times. */
const using = (slot: number, value: string, body: (ref: string) => string) =>
  `(st(${slot},${value});${body(`ld(${slot})`)})`;
/** `values[index]` as an expression. */
const pick = (index: string, values: readonly number[]) =>
  values.map((value, i) => `eq(${index},${i})*(${value})`).join('+');

function loop(expression: string, loopSec: number, durationSec: number, sampleRate: number): string {
  const samples = Math.round(loopSec * sampleRate);
  const repeats = Math.ceil(durationSec / loopSec);
  return (
    `aevalsrc=exprs='${expression}':s=${sampleRate}:d=${loopSec},` +
    `aloop=loop=${repeats}:size=${samples},atrim=duration=${durationSec}`
  );
}

/** Fades, level, 44.1 kHz stereo, and a final trim: echoes would otherwise ring on past the end. */
function finish(durationSec: number, fadeOutSec: number, gainDb: number, panHz: number | null): string {
  return (
    `afade=t=in:d=3,afade=t=out:st=${durationSec - fadeOutSec}:d=${fadeOutSec},volume=${gainDb}dB,` +
    `aresample=44100,aformat=channel_layouts=stereo,` +
    `${panHz === null ? '' : `apulsator=hz=${panHz}:amount=0.3,`}atrim=duration=${durationSec}[out]`
  );
}

/** Slow pad: four chords, each fading over the next, two layers so one is always sounding. */
const pad: Recipe = (durationSec) => {
  // Semitones above A3 per voice, per chord: Am, F, C/G, G.
  const chords = [
    [0, 3, 7, 12],
    [-4, 0, 3, 8],
    [-5, 3, 7, 15],
    [-2, 2, 5, 10],
  ];
  const layer = (offsetSec: number, first: number, chordVar: number, phaseVar: number) => {
    const voices = [0, 1, 2, 3].map((voice) => {
      const f = hz(
        220,
        `(${pick(
          `ld(${chordVar})`,
          chords.map((chord) => chord[voice] ?? 0),
        )})`,
      );
      const q = `ld(${phaseVar})`;
      return using(4, f, (fv) => `sin(2*PI*${fv}*${q})+0.3*sin(4*PI*${fv}*${q})+0.5*sin(2*PI*${fv}*1.003*${q})`);
    });
    return (
      `st(${chordVar},${first}+2*mod(floor((t-${offsetSec})/16),2));st(${phaseVar},mod(t-${offsetSec},16));` +
      `if(lt(ld(${phaseVar}),10),min(1,ld(${phaseVar})/2.5)*min(1,(10-ld(${phaseVar}))/2.5)*(${voices.join('+')}),0)`
    );
  };
  const expression = `0.045*(${layer(0, 0, 0, 1)})+0.045*(${layer(8, 1, 2, 3)})`;
  return (
    `${loop(expression, 32, durationSec, 11_025)},lowpass=f=1800,aecho=0.8:0.6:350|620:0.3|0.22,` +
    finish(durationSec, 8, 12, 0.05)
  );
};

/** Arpeggio: two alternating plucked voices climbing and falling through each chord, plus a soft bass. */
const arpeggio: Recipe = (durationSec) => {
  const step = 0.2;
  const chordOffsets = [4, 0, 3, 1];
  const voice = (parity: number) => {
    const start = parity * step;
    const k = `(2*floor((t-${start})/${2 * step})+${parity})`;
    const p = `mod(t-${start},${2 * step})`;
    const chord = `mod(floor(${k}/16),4)`;
    const degree = `(2*(4-abs(mod(${k},8)-4))+(${pick(chord, chordOffsets)}))`;
    const f = hz(261.63, pentatonic(degree));
    return using(5 + parity, p, (pv) =>
      using(
        4,
        f,
        (fv) =>
          `(1-exp(-${pv}*300))*exp(-${pv}*10)*(sin(2*PI*${fv}*${pv})+0.3*sin(4*PI*${fv}*${pv})+0.1*sin(6*PI*${fv}*${pv}))`,
      ),
    );
  };
  const bassPhase = `mod(t,${16 * step})`;
  const bassF = hz(65.41, pentatonic(`(${pick(`mod(floor(t/${16 * step}),4)`, chordOffsets)})`));
  const bass = `min(1,${bassPhase}/0.4)*min(1,(${16 * step}-${bassPhase})/0.4)*sin(2*PI*${bassF}*${bassPhase})`;
  const expression = `0.2*(${voice(0)})+0.2*(${voice(1)})+0.25*${bass}`;
  return (
    `${loop(expression, 64 * step, durationSec, 11_025)},aecho=0.8:0.5:300|450:0.35|0.2,lowpass=f=4000,` +
    finish(durationSec, 6, 10, 0.1)
  );
};

/** Bell melody: FM bells on a wandering pentatonic line with rests, under a long echo. */
const bells: Recipe = (durationSec) => {
  const step = 0.6;
  const voice = (parity: number) => {
    const start = parity * step;
    const k = `(2*floor((t-${start})/${2 * step})+${parity})`;
    const p = `mod(t-${start},${2 * step})`;
    return using(6, k, (kv) => {
      const degree = `max(0,floor(5+4*sin(${kv}*1.3)+2*sin(${kv}*0.37)))`;
      const gate = `gt(sin(${kv}*2.1),-0.6)`;
      return using(5, p, (pv) =>
        using(
          4,
          hz(261.63, pentatonic(degree)),
          (fv) => `${gate}*exp(-${pv}*3.5)*sin(2*PI*${fv}*${pv}+2*exp(-${pv}*2)*sin(2*PI*3.5*${fv}*${pv}))`,
        ),
      );
    });
  };
  const expression = `0.28*(${voice(0)})+0.28*(${voice(1)})`;
  return (
    `${loop(expression, 32 * step, durationSec, 22_050)},aecho=0.8:0.5:450|900:0.35|0.2,lowpass=f=6000,` +
    finish(durationSec, 6, 12, 0.07)
  );
};

/** Soft groove at 96 BPM: a round kick, a pumping octave bass line and a hushed shaker. */
const pulse: Recipe = (durationSec) => {
  const beat = 0.625;
  const eighth = beat / 2;
  const bar = beat * 4;
  const p = `mod(t,${beat})`;
  const q = `mod(t,${eighth})`;
  const kick = `exp(-${p}*9)*sin(2*PI*(50*${p}+3*(1-exp(-30*${p}))))`;
  const rootF = hz(110, `(${pick(`mod(floor(t/${bar}),4)`, [0, -4, 3, -2])})`);
  const bassF = `${rootF}*(1+mod(floor(t/${eighth}),2))`;
  const bass = `sin(PI*${q}/${eighth})*exp(-${q}*5)*(1-0.6*exp(-${p}*10))*(sin(2*PI*${bassF}*t)+0.3*sin(4*PI*${bassF}*t))`;
  const shaker = `(random(0)*2-1)*exp(-mod(t+${eighth / 2},${eighth})*45)`;
  const expression = `0.55*${kick}+0.28*${bass}+0.04*${shaker}`;
  return (
    `${loop(expression, bar * 4, durationSec, 22_050)},lowpass=f=5000,` +
    `aecho=0.8:0.4:${Math.round(eighth * 1500)}:0.2,${finish(durationSec, 5, 12, null)}`
  );
};

/** Drone: an open fifth and a slightly detuned octave beating slowly, with tremolo and a long swell. */
const drone: Recipe = (durationSec) => {
  const tones = [
    [110, 0.35],
    [165, 0.22],
    [220.6, 0.18],
    [330.4, 0.08],
  ] as const;
  const sources = tones.map(([f], i) => `sine=f=${f}:sample_rate=44100:d=${durationSec}[d${i}]`).join(';');
  const weights = tones.map(([, weight]) => weight).join(' ');
  return (
    `${sources};${tones.map((_, i) => `[d${i}]`).join('')}amix=inputs=${tones.length}:weights=${weights}:normalize=0,` +
    `tremolo=f=0.2:d=0.35,lowpass=f=900,volume=eval=frame:volume='0.75+0.25*sin(2*PI*t/23)',` +
    `aecho=0.8:0.5:700|1100:0.3|0.2,${finish(durationSec, 10, 22, 0.03)}`
  );
};

export const RECIPES = { pad, arpeggio, bells, pulse, drone } as const satisfies Record<string, Recipe>;
export type RecipeName = keyof typeof RECIPES;
