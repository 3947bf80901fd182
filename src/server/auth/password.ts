import { hash, verify } from '@node-rs/argon2';

// argon2id (the library's default algorithm) with OWASP's recommended minimum cost: 19 MiB, 2 passes.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/**
 * A stored hash argon2 cannot read (an account imported without a password) matches no password: such an account
 * signs in after a reset, and the person hears the same vague refusal as for a wrong password.
 */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

// A real hash of a throwaway password: checking against it costs what a real check costs.
const timingEqualiser =
  '$argon2id$v=19$m=19456,t=2,p=1$78Hna6Na/RpM6oFvlzcCFg$WneJUjJy9LJEtK0XQR728EOQC+BaSdkt3Cjf3HHcIaA';

/** Spends the same time as a real check, so a login for a missing user cannot be told apart by timing. */
export async function verifyAgainstNothing(password: string): Promise<false> {
  await verifyPassword(timingEqualiser, password);
  return false;
}
