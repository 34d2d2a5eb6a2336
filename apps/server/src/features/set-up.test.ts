import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../http/access.js';
import type { JobHandler } from '../infra/jobs/worker.js';
import type { AuthService } from './auth/index.js';
import type { FeatureDeps } from './feature-module.js';
import { FEATURES } from './index.js';
import { composeLimits, setUpFeatures, type RunnableFeature } from './set-up.js';

// setUpFeatures hands the infrastructure through untouched; these features read none of it.
const deps = { limits: {} } as Omit<FeatureDeps<object>, 'service'>;
const authenticator: Authenticator = {
  authenticate: async () => {
    throw new Error('not in these tests');
  },
};
const auth = authenticator as AuthService;
const noJob: JobHandler = { run: async () => undefined };
const signIn: RunnableFeature<object> = {
  name: 'sign-in',
  limits: {},
  setup: () => ({ services: { auth }, authenticator }),
};

describe('setting up features', () => {
  it('hands a feature the services of the features before it', async () => {
    let seen: unknown;
    const chat: RunnableFeature<object> = {
      name: 'chat',
      limits: {},
      setup: ({ service }) => {
        seen = service('auth');
        return {};
      },
    };
    const features = await setUpFeatures([signIn, chat], deps);
    expect(seen).toBe(auth);
    expect(features.services.auth).toBe(auth);
    expect(features.authenticator).toBe(authenticator);
  });

  it('stops at start-up when a feature needs a service no earlier feature provides', async () => {
    const chat: RunnableFeature<object> = {
      name: 'chat',
      limits: {},
      setup: ({ service }) => {
        service('auth');
        return {};
      },
    };
    await expect(setUpFeatures([chat, signIn], deps)).rejects.toThrow(
      'The chat feature needs auth, which no earlier feature provides.',
    );
  });

  it("runs every feature's jobs on one worker and refuses a job kind handled twice", async () => {
    const media: RunnableFeature<object> = {
      name: 'media',
      limits: {},
      setup: () => ({ jobs: { kinds: ['track.process'], handlers: { 'track.process': noJob }, concurrency: 2 } }),
    };
    const live: RunnableFeature<object> = {
      name: 'live',
      limits: {},
      setup: () => ({
        jobs: { kinds: ['live.archive', 'live.clip'], handlers: { 'live.archive': noJob }, concurrency: 1 },
      }),
    };
    const { jobs } = await setUpFeatures([signIn, media, live], deps);
    expect(jobs).toEqual({
      kinds: ['track.process', 'live.archive', 'live.clip'],
      handlers: { 'track.process': noJob, 'live.archive': noJob },
      concurrency: 3,
    });
    await expect(setUpFeatures([signIn, media, media], deps)).rejects.toThrow(
      'Two features handle the job kind "track.process".',
    );
  });

  it('needs exactly one feature to authenticate requests', async () => {
    await expect(setUpFeatures([], deps)).rejects.toThrow('Exactly one feature must authenticate requests, not 0.');
    await expect(setUpFeatures([signIn, { ...signIn, name: 'again' }], deps)).rejects.toThrow('not 2');
  });
});

describe("the features' limits", () => {
  it('puts every feature’s limits side by side', () => {
    expect(
      composeLimits([
        { name: 'auth', limits: { authRequestsPerMinute: 60 } },
        { name: 'chat', limits: { presenceIntervalMs: 30_000 } },
      ]),
    ).toEqual({ authRequestsPerMinute: 60, presenceIntervalMs: 30_000 });
  });

  it('refuses a limit name declared by two features', () => {
    expect(() =>
      composeLimits([
        { name: 'chat', limits: { gateway: 1 } },
        { name: 'live', limits: { gateway: 2 } },
      ]),
    ).toThrow('The limit "gateway" is declared by both chat and live.');
  });

  it("composes the server's own features' limits", () => {
    expect(Object.keys(composeLimits(FEATURES))).toEqual(
      expect.arrayContaining([
        'authRequestsPerMinute',
        'chatReads',
        'chatRoutes',
        'mediaCacheBytes',
        'transcodeConcurrency',
      ]),
    );
  });
});
