/**
 * Splits a byte stream of signed 16-bit little-endian PCM into samples. Pipe chunks can end halfway
 * through a sample; the odd byte is carried into the next chunk.
 */
export function pcm16Reader(): (chunk: Buffer) => Int16Array {
  let carry: Buffer | null = null;
  return (chunk) => {
    const bytes: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const usable = bytes.length - (bytes.length % 2);
    carry = usable < bytes.length ? Buffer.from(bytes.subarray(usable)) : null;
    const samples = new Int16Array(usable / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
    return samples;
  };
}
