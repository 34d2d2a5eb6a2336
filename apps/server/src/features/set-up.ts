import type { Authenticator } from '../http/access.js';
import type { RealtimeFeature } from '../gateway/index.js';
import type { JobHandler } from '../infra/jobs/worker.js';
import { FEATURES, type FeatureLimits } from './index.js';
import type {
  BusSubscription,
  FeatureDeps,
  FeatureJobs,
  FeatureParts,
  FeatureServices,
  RawRequestHandler,
} from './feature-module.js';

/** The features, set up: what the app registers, runs and hands to tests. */
export interface SetUpFeatures {
  services: FeatureServices;
  /** Each feature's parts, in the list's order. */
  parts: readonly FeatureParts[];
  authenticator: Authenticator;
  jobs: FeatureJobs;
  subscriptions: readonly BusSubscription[];
  rawRequests: readonly RawRequestHandler[];
  /** The frame families of the features that speak over the socket. */
  realtime: readonly RealtimeFeature[];
}

/** Sets up every feature in list order; `deps.limits` holds all the features' limits. */
export async function setUpFeatures(deps: Omit<FeatureDeps<FeatureLimits>, 'service'>): Promise<SetUpFeatures> {
  const services: Partial<FeatureServices> = {};
  const parts: FeatureParts[] = [];
  let current = '';
  const service = <Name extends keyof FeatureServices>(name: Name): FeatureServices[Name] => {
    const found = services[name];
    if (found === undefined)
      throw new Error(`The ${current} feature needs ${name}, which no earlier feature provides.`);
    return found as FeatureServices[Name];
  };
  for (const feature of FEATURES) {
    current = feature.name;
    const featureParts = await feature.setup({ ...deps, service });
    Object.assign(services, featureParts.services);
    parts.push(featureParts);
  }

  const authenticators = parts.flatMap((part) => (part.authenticator ? [part.authenticator] : []));
  if (authenticators.length !== 1)
    throw new Error(`Exactly one feature must authenticate requests, not ${authenticators.length}.`);
  const handlers: Record<string, JobHandler> = {};
  for (const part of parts) {
    for (const [kind, handler] of Object.entries(part.jobs?.handlers ?? {})) {
      if (handlers[kind]) throw new Error(`Two features handle the job kind "${kind}".`);
      handlers[kind] = handler;
    }
  }
  return {
    // Every feature in the list has run, so every service it declares is here.
    services: services as FeatureServices,
    parts,
    authenticator: authenticators[0]!,
    jobs: {
      kinds: parts.flatMap((part) => part.jobs?.kinds ?? []),
      handlers,
      concurrency: parts.reduce((sum, part) => sum + (part.jobs?.concurrency ?? 0), 0),
    },
    subscriptions: parts.flatMap((part) => part.subscriptions ?? []),
    rawRequests: parts.flatMap((part) => (part.rawRequests ? [part.rawRequests] : [])),
    realtime: parts.flatMap((part) => (part.realtime ? [part.realtime] : [])),
  };
}
