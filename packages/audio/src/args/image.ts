/** Square JPEG output: fills size×size and crops the overflow, so covers are never letterboxed. */
export function squareJpegOutputArgs(outFileUrl: string, size: number): string[] {
  if (!Number.isInteger(size) || size < 16 || size > 4096) throw new RangeError(`Bad cover size ${size}.`);
  return [
    '-frames:v',
    '1',
    '-vf',
    `scale=${size}:${size}:force_original_aspect_ratio=increase,crop=${size}:${size},format=yuvj420p`,
    '-c:v',
    'mjpeg',
    '-q:v',
    '3',
    '-f',
    'image2',
    '-update',
    '1',
    '-y',
    outFileUrl,
  ];
}
