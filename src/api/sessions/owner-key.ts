/**
 * Who owns a session, as one comparable value: the account's name and, when the session carries
 * one (spec.userId, set for built-in accounts), the account's immutable id. A caller owns a
 * session only when both match, so a new account reusing a deleted account's name never sees
 * or controls the old account's sessions; sessions and accounts without an id match by name.
 */

/** The owner key of a session (`spec.user`, `spec.userId`) or of a caller (`username`, `accountId`). */
export function ownerKey(user: string, accountId: string | undefined): string {
  // A newline never appears in a user name, so the two parts cannot run together ambiguously.
  return accountId ? `${user}\n${accountId}` : user;
}
