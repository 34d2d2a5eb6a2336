import { describe, expect, it } from 'vitest';
import { appRouteUrl } from './app-url.js';
import { deepLinkRoute, findDeepLinkInArgv, parseDeepLink } from './deep-links.js';

const ID = '0190f5a2-7c4e-7b1a-9c3d-2e4f6a8b0c1d';

describe('parseDeepLink', () => {
  it('accepts veza://room/<uuid> and veza://track/<uuid>', () => {
    expect(parseDeepLink(`veza://room/${ID}`)).toEqual({ kind: 'room', id: ID });
    expect(parseDeepLink(`veza://track/${ID}/`)).toEqual({ kind: 'track', id: ID });
    expect(parseDeepLink(`VEZA://Room/${ID.toUpperCase()}`)).toEqual({ kind: 'room', id: ID });
  });

  it('refuses everything else', () => {
    const refused = [
      `veza://app/${ID}`,
      `veza://room/not-a-uuid`,
      `veza://room/${ID}/extra`,
      `veza://room/${ID}?x=1`,
      `veza://room/${ID}#frag`,
      `veza://room/../${ID}`,
      `veza://room/${ID}%2f..`,
      `https://room/${ID}`,
      `veza:room/${ID}`,
      'veza://room/',
      '',
      42,
      null,
      `veza://room/${ID}${'a'.repeat(300)}`,
    ];
    for (const link of refused) expect(parseDeepLink(link)).toBeNull();
  });

  it('finds the link among argv and builds the renderer route', () => {
    const argv = ['/usr/bin/veza', '--no-sandbox', 'veza://evil/x', `veza://track/${ID}`];
    const link = findDeepLinkInArgv(argv);
    expect(link).toEqual({ kind: 'track', id: ID });
    expect(appRouteUrl(deepLinkRoute(link!))).toBe(`veza://app/index.html#/track/${ID}`);
    expect(findDeepLinkInArgv(['/usr/bin/veza'])).toBeNull();
  });
});
