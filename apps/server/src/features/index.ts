import { adminFeature } from './admin/index.js';
import { apiKeysFeature } from './api-keys/index.js';
import { authFeature } from './auth/index.js';
import { chatFeature } from './chat/index.js';
import type { FeatureModule } from './feature-module.js';
import { healthFeature } from './health/index.js';
import { homeFeature } from './home/index.js';
import { libraryFeature } from './library/index.js';
import { mediaFeature } from './media/index.js';

/**
 * The features this server runs, in set-up order: a feature comes after those whose services it
 * uses (chat's socket authenticates through auth). Routes register in this order too.
 */
export const FEATURES = [
  healthFeature,
  homeFeature,
  authFeature,
  apiKeysFeature,
  adminFeature,
  chatFeature,
  libraryFeature,
  mediaFeature,
] as const;

type LimitsOf<Module> = Module extends FeatureModule<infer Limits> ? Limits : never;
type Intersection<Union> = (Union extends unknown ? (part: Union) => void : never) extends (all: infer All) => void
  ? All
  : never;

/** Every feature's limits side by side, as buildApp takes them. */
export type FeatureLimits = Intersection<LimitsOf<(typeof FEATURES)[number]>>;

/** The features' default limits; a limit's name belongs to one feature only. */
export function defaultFeatureLimits(): FeatureLimits {
  const limits: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  for (const feature of FEATURES) {
    for (const [name, value] of Object.entries(feature.limits)) {
      const owner = owners.get(name);
      if (owner) throw new Error(`The limit "${name}" is declared by both ${owner} and ${feature.name}.`);
      owners.set(name, feature.name);
      limits[name] = value;
    }
  }
  // Built from the very modules FeatureLimits is derived from, so the shapes agree.
  return limits as unknown as FeatureLimits;
}
