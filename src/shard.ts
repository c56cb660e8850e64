/**
 * Sharding a fleet across processes: `--shard i/n` keeps only the devices whose id hashes to
 * shard i of n. Every shard reads the same device list and decides alone, so no coordination
 * is needed and no device is in two shards.
 *
 * The hash is rendezvous (highest random weight, Thaler & Ravishankar 1998): a device goes to
 * the shard with the highest weight(device, shard). Going from n to n + 1 shards moves only
 * the devices whose new shard outweighs the old one, about 1/(n + 1) of them, where a plain
 * `hash % n` would move about n/(n + 1). The weight is a fixed function of the id's bytes, so a
 * device stays on its shard across restarts, versions and machines.
 */
import { NightowlError } from "./errors.ts";

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** The most shards one fleet may be split into; far past any real fleet, small enough to hash fast. */
export const MAX_SHARDS = 1024;

const SPEC = /^(auto|[0-9]+)\/([0-9]+)$/;

/** Whether `text` is a shard as the setting accepts it: `i/n` or `auto/n`. */
export function isShardSpec(text: string): boolean {
  const m = SPEC.exec(text.trim());
  if (!m) return false;
  const count = Number(m[2]);
  if (!(count >= 1 && count <= MAX_SHARDS)) return false;
  return m[1] === "auto" || Number(m[1]) < count;
}

/**
 * The shard `text` names. `auto/n` takes the index from the ordinal at the end of `hostname`
 * (a StatefulSet's pod `nightowl-2` is shard 2), so every pod of one template finds its own.
 * @throws NightowlError E_CONFIG naming the setting as `given` (its flag or its variable, with the value) when the text or the host name does not fit
 */
export function parseShard(text: string, hostname: string, given = `NIGHTOWL_SHARD=${JSON.stringify(text)}`): Shard {
  const m = SPEC.exec(text.trim());
  if (!m || !isShardSpec(text)) {
    throw new NightowlError("E_CONFIG", `${given} is not allowed: expected i/n with 0 ≤ i < n ≤ ${MAX_SHARDS}, or auto/n`);
  }
  const count = Number(m[2]);
  if (m[1] !== "auto") return { index: Number(m[1]), count };
  const ordinal = /-([0-9]+)$/.exec(hostname);
  const index = ordinal ? Number(ordinal[1]) : NaN;
  if (!(index < count)) {
    throw new NightowlError(
      "E_CONFIG",
      `${given} takes the shard from the host name's ordinal, but the host name ${JSON.stringify(hostname)} ${ordinal ? `ends in ${index}, not below ${count}` : "does not end in -<number>"}`,
    );
  }
  return { index, count };
}

/** The shard (0-based) of `count` that owns `deviceId`. */
export function shardOf(deviceId: string, count: number): number {
  if (count <= 1) return 0;
  const base = fnv1a(deviceId);
  let best = 0;
  let bestWeight = -1;
  for (let shard = 0; shard < count; shard++) {
    const weight = mix(base ^ mix(shard + 0x9e3779b9));
    if (weight > bestWeight) {
      bestWeight = weight;
      best = shard;
    }
  }
  return best;
}

/**
 * A filter keeping the devices of `shard`. It remembers each id's answer: the weights are
 * pure, and a fleet's ids repeat every poll.
 */
export function shardFilter(shard: Shard): <T extends { id: string }>(devices: readonly T[]) => T[] {
  const owned = new Map<string, boolean>();
  return (devices) => {
    // Ids that left the fleet would stay forever: start afresh when most of the map is stale.
    if (owned.size > 2 * devices.length + 1024) owned.clear();
    return devices.filter((d) => {
      let mine = owned.get(d.id);
      if (mine === undefined) {
        mine = shardOf(d.id, shard.count) === shard.index;
        owned.set(d.id, mine);
      }
      return mine;
    });
  };
}

/** FNV-1a over the UTF-16 code units of `s`, 32 bits. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: every input bit moves every output bit. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
