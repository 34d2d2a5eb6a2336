import { adminFeature } from './admin/index.js';
import { analyticsFeature } from './analytics/index.js';
import { apiKeysFeature } from './api-keys/index.js';
import { authFeature } from './auth/index.js';
import { chatFeature } from './chat/index.js';
import type { FeatureModule } from './feature-module.js';
import { composeLimits } from './set-up.js';
import { healthFeature } from './health/index.js';
import { homeFeature } from './home/index.js';
import { libraryFeature } from './library/index.js';
import { mediaFeature } from './media/index.js';
import { moderationFeature } from './moderation/index.js';

/**
 * The features this server runs, in set-up order: a feature comes after those whose services it
 * uses (chat's socket authenticates through auth; moderation guards chat; admin audits through moderation). Routes register in this order too.
 */
export const FEATURES = [
  healthFeature,
  homeFeature,
  authFeature,
  apiKeysFeature,
  chatFeature,
  moderationFeature,
  adminFeature,
  libraryFeature,
  mediaFeature,
  analyticsFeature,
] as const;

type LimitsOf<Module> = Module extends FeatureModule<infer Limits> ? Limits : never;
type Intersection<Union> = (Union extends unknown ? (part: Union) => void : never) extends (all: infer All) => void
  ? All
  : never;

/** Every feature's limits side by side, as buildApp takes them. */
export type FeatureLimits = Intersection<LimitsOf<(typeof FEATURES)[number]>>;

/** The features' default limits, side by side. */
export const defaultFeatureLimits = (): FeatureLimits =>
  // Built from the very modules FeatureLimits is derived from, so the shapes agree.
  composeLimits(FEATURES) as unknown as FeatureLimits;
