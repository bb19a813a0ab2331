/**
 * What each party lets the public trace-code check show of it. Nothing by default: a party that
 * set no profile has its batches answered like unknown codes (a recall excepted: a recall is a
 * public act). A party with a profile has its batches' product and inspections shown, its name
 * when `showName`, and its `region` when it gave one.
 */
import type { Store } from '../store/store.js';

export interface PublicProfile {
  /** Show the party's registered name. */
  readonly showName: boolean;
  /** The region to show, as the party words it (省/市, "Hohhot, Inner Mongolia"); null: none. */
  readonly region: string | null;
}

export interface PublicProfiles {
  /** The profiles of the parties among `partyIds` that set one. */
  find(partyIds: readonly string[]): Promise<Map<string, PublicProfile>>;
  /** Sets the party's profile, or with null takes it back (nothing public again). */
  set(partyId: string, profile: PublicProfile | null): Promise<void>;
}

interface ProfileRow {
  party_id: string;
  show_name: boolean;
  region: string | null;
  deleted: number;
}

/**
 * How long a process that shares the store with others (distributed mode) trusts a profile it
 * read: a change made through another instance shows within this time.
 */
export const SHARED_PROFILE_TTL_MS = 5_000;

const NEWEST = `SELECT party_id, show_name, region, deleted FROM party_public_profiles FINAL`;

export function createPublicProfiles(
  store: Store,
  options: { readonly soleWriter?: boolean; readonly now?: () => number } = {},
): PublicProfiles {
  const now = options.now ?? Date.now;
  // Sole writer (chDB): every profile in memory, loaded once, so a check never waits on the store.
  // Otherwise: what was read, each entry (a miss too) trusted for SHARED_PROFILE_TTL_MS.
  const known = new Map<string, { profile: PublicProfile | null; readAt: number }>();
  let loading: Promise<void> | undefined;
  const remember = (row: ProfileRow, readAt: number) =>
    known.set(row.party_id, {
      profile: row.deleted ? null : { showName: Boolean(row.show_name), region: row.region },
      readAt,
    });
  const loadAll = () =>
    (loading ??= (async () => {
      const readAt = now();
      for (const row of await store.query<ProfileRow>(NEWEST)) remember(row, readAt);
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));

  const fresh = (partyId: string) => {
    const entry = known.get(partyId);
    return entry && (options.soleWriter || now() - entry.readAt < SHARED_PROFILE_TTL_MS)
      ? entry
      : undefined;
  };

  return {
    async find(partyIds) {
      if (options.soleWriter) await loadAll();
      else {
        const stale = [...new Set(partyIds)].filter((id) => !fresh(id));
        if (stale.length > 0) {
          const readAt = now();
          const rows = await store.query<ProfileRow>(
            `${NEWEST} WHERE party_id IN {ids:Array(String)}`,
            { ids: stale },
          );
          for (const id of stale) known.set(id, { profile: null, readAt });
          for (const row of rows) remember(row, readAt);
        }
      }
      const found = new Map<string, PublicProfile>();
      for (const id of partyIds) {
        const profile = known.get(id)?.profile;
        if (profile) found.set(id, profile);
      }
      return found;
    },
    async set(partyId, profile) {
      if (options.soleWriter) await loadAll();
      const row: ProfileRow = {
        party_id: partyId,
        show_name: profile?.showName ?? false,
        region: profile?.region ?? null,
        deleted: profile ? 0 : 1,
      };
      await store.insert('party_public_profiles', [
        { ...row, updated_at: new Date().toISOString() },
      ]);
      remember(row, now());
    },
  };
}
