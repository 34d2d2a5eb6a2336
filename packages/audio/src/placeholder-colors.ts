/**
 * Two colours for a placeholder cover, as '#rrggbb'. From a seed: a hue picked by hashing, with
 * saturation and lightness held in a range that reads well behind white text. From an explicit colour:
 * that colour, then a neighbour 40° round the wheel and a little darker.
 */
export function placeholderColors(seed: string, color?: string): [string, string] {
  if (color !== undefined) {
    const parsed = parseHex(color);
    if (!parsed) throw new RangeError(`"${color}" is not a #rrggbb colour.`);
    const [hue, saturation, lightness] = rgbToHsl(parsed);
    return [toHex(parsed), toHex(hslToRgb(hue + 40, saturation, Math.max(0.15, lightness - 0.12)))];
  }
  const hash = fnv1a(seed);
  const hue = hash % 360;
  const saturation = 0.5 + ((hash >>> 9) % 20) / 100;
  const lightness = 0.45 + ((hash >>> 17) % 12) / 100;
  const shift = 30 + ((hash >>> 24) % 30);
  return [toHex(hslToRgb(hue, saturation, lightness)), toHex(hslToRgb(hue + shift, saturation, lightness - 0.12))];
}

type Rgb = [number, number, number];

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function parseHex(color: string): Rgb | null {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!match) return null;
  return [parseInt(match[1] ?? '0', 16), parseInt(match[2] ?? '0', 16), parseInt(match[3] ?? '0', 16)];
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}

function rgbToHsl([r, g, b]: Rgb): [number, number, number] {
  const [rn, gn, bn] = [r / 255, g / 255, b / 255];
  const max = Math.max(rn, gn, bn);
  const min = Math.min(rn, gn, bn);
  const lightness = (max + min) / 2;
  const delta = max - min;
  if (delta === 0) return [0, 0, lightness];
  const saturation = delta / (1 - Math.abs(2 * lightness - 1));
  let hue: number;
  if (max === rn) hue = ((gn - bn) / delta) % 6;
  else if (max === gn) hue = (bn - rn) / delta + 2;
  else hue = (rn - gn) / delta + 4;
  return [(hue * 60 + 360) % 360, saturation, lightness];
}

function hslToRgb(hue: number, saturation: number, lightness: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 60;
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const m = lightness - chroma / 2;
  const sectors: Rgb[] = [
    [chroma, x, 0],
    [x, chroma, 0],
    [0, chroma, x],
    [0, x, chroma],
    [x, 0, chroma],
    [chroma, 0, x],
  ];
  const sector = sectors[Math.floor(h) % 6] ?? [0, 0, 0];
  return sector.map((channel) => (channel + m) * 255) as Rgb;
}
