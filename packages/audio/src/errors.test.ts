import { describe, expect, it } from 'vitest';
import { AudioProcessError, AudioTimeoutError } from './errors.js';

describe('AudioProcessError', () => {
  it('keeps ffmpeg output readable but out of what loggers copy (it can repeat the upload tags)', () => {
    const error = new AudioTimeoutError('ffmpeg took too long.', null, 'Metadata:\n  comment : private words');
    expect(error).toBeInstanceOf(AudioProcessError);
    expect(error.stderrTail).toContain('private words');
    expect(Object.keys(error)).not.toContain('stderrTail');
    expect(JSON.stringify({ ...error })).not.toContain('private words');
  });
});
