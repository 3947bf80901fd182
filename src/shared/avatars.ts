/** Where a user's avatar is served; the version in the name changes on each upload, so caches never go stale. */
export function avatarUrl(userId: number, version: number): string;
export function avatarUrl(userId: number, version: number | null | undefined): string | null;
export function avatarUrl(userId: number, version: number | null | undefined): string | null {
  return version === null || version === undefined ? null : `/avatars/${userId}-${version}.webp`;
}
