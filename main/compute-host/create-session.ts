/**
 * The session the compute host serves: registry predictors (created lazily) and RDKit 2D depictions
 * (the toolkit loads on the first depiction request, not at start-up).
 */
import type { Structure } from '../../core/contract/equimol-api';
import { depictionSvg } from '../../core/chem/describe';
import { loadRDKit } from '../../core/chem/toolkits';
import { EquimolSession, type SessionOptions } from '../../core/session/session';

export async function depictWithRDKit(structure: Structure, options: { readonly width: number; readonly height: number }): Promise<string | null> {
  await loadRDKit();
  return depictionSvg(structure, options.width, options.height);
}

export function createHostSession(options: Partial<SessionOptions> = {}): EquimolSession {
  return new EquimolSession({ platform: 'electron', depict: depictWithRDKit, ...options });
}
