import { describe, expect, it } from 'vitest';
import { dieWithParent } from './parent-death.js';

describe('dieWithParent', () => {
  it.runIf(process.platform === 'linux')('wraps an absolute command in setpriv --pdeathsig KILL on Linux', () => {
    expect(dieWithParent('/usr/bin/ffmpeg', ['-version'])).toEqual({
      command: expect.stringMatching(/\/setpriv$/),
      args: ['--pdeathsig', 'KILL', '--', '/usr/bin/ffmpeg', '-version'],
    });
  });

  it('leaves a bare command name alone (a missing binary must still fail as missing)', () => {
    expect(dieWithParent('ffmpeg', ['-version'])).toEqual({ command: 'ffmpeg', args: ['-version'] });
  });
});
