import type { Authenticator } from '../http/access.js';
import type { RealtimeFeature } from '../gateway/index.js';
import type { JobHandler } from '../infra/jobs/worker.js';
import type {
  BusSubscription,
  FeatureDeps,
  FeatureJobs,
  FeatureModule,
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

/** A feature as the app runs it: handed the limits of every feature, it reads its own. */
export type RunnableFeature<AllLimits extends object> = Pick<FeatureModule, 'name' | 'limits'> & {
  setup(deps: FeatureDeps<AllLimits>): FeatureParts | Promise<FeatureParts>;
};

/** The features' default limits side by side; a limit's name belongs to one feature only. */
export function composeLimits(features: readonly Pick<FeatureModule, 'name' | 'limits'>[]): Record<string, unknown> {
  const limits: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  for (const feature of features) {
    for (const [name, value] of Object.entries(feature.limits)) {
      const owner = owners.get(name);
      if (owner) throw new Error(`The limit "${name}" is declared by both ${owner} and ${feature.name}.`);
      owners.set(name, feature.name);
      limits[name] = value;
    }
  }
  return limits;
}

/** Sets up every feature in list order; `deps.limits` holds all the features' limits. */
export async function setUpFeatures<AllLimits extends object>(
  features: readonly RunnableFeature<AllLimits>[],
  deps: Omit<FeatureDeps<AllLimits>, 'service'>,
): Promise<SetUpFeatures> {
  const services: Partial<FeatureServices> = {};
  const parts: FeatureParts[] = [];
  let current = '';
  const service = <Name extends keyof FeatureServices>(name: Name): FeatureServices[Name] => {
    const found = services[name];
    if (found === undefined)
      throw new Error(`The ${current} feature needs ${name}, which no earlier feature provides.`);
    return found as FeatureServices[Name];
  };
  for (const feature of features) {
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
