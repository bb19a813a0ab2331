import { buildDairyChain, postingPlan, type DairyChain } from '../../tools/demo/dairy-chain.js';
import type { TestPlatform } from './platform.js';

/** Registers the demo's parties and posts its events; answers each party's key. */
export async function loadDairyChain(api: TestPlatform): Promise<{
  chain: DairyChain;
  keys: Map<string, string>;
}> {
  const chain = buildDairyChain();
  const keys = new Map<string, string>();
  for (const party of chain.parties)
    keys.set(party.partyId, await api.createParty(party.partyId, [...party.roles], party.name));
  for (const chunk of postingPlan(chain.timeline)) {
    const response = await api.postEvents(keys.get(chunk.party) ?? '', chunk.events);
    if (response.status !== 202) throw new Error(`demo load answered ${response.status}`);
  }
  await api.waitForBatch(keys.get(chain.regulatorPartyId) ?? '', chain.batchIds.at(-1) ?? '');
  return { chain, keys };
}
