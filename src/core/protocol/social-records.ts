/**
 * User online status and the blacklist, in the shape both ends hold (`user.*` JSON query bodies
 * and live signals). Types and limits only: nothing here runs.
 */

/** What a user chooses to show while online (the seed names setUserStatus but not its values). */
export type ChosenUserStatus = 'online' | 'away' | 'busy';

/** A user's presence as another user may see it: nothing more than this is ever told. */
export interface UserStatus {
  userId: string;
  /** Any session of the user is connected (to this server node). */
  online: boolean;
  /** The user's chosen status while online; 'offline' while not. */
  status: ChosenUserStatus | 'offline';
  /** A short text the user chose ('' while offline). */
  text: string;
  /** The platforms of the user's connected sessions (`web`, `ios`, …), sorted; [] while offline. */
  platforms: string[];
}

/** A user on the caller's blacklist, and since when (epoch ms). */
export interface BlacklistEntry {
  userId: string;
  time: number;
}

/** Told live to the blacklisting user's other sessions. */
export interface BlacklistChange {
  userId: string;
  blocked: boolean;
}

export const USER_STATUS_VALUES: readonly ChosenUserStatus[] = ['online', 'away', 'busy'];
/** Characters of a status text at most. */
export const MAX_STATUS_TEXT = 64;
/** Users one session may subscribe to at most. */
export const MAX_STATUS_SUBSCRIPTIONS = 200;
/** Users one status query may name at most. */
export const MAX_STATUS_QUERY = 200;
/** Users one user may blacklist at most. */
export const MAX_BLACKLIST = 1000;
/** Who the server speaks as for these signals: no user id contains `:`. */
export const SOCIAL_SENDER = 'user:server';
export const USER_STATUS_OBJECT_NAME = 'IM:UserStatus';
export const BLACKLIST_OBJECT_NAME = 'IM:Blacklist';
