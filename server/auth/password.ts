import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (OWASP's minimum: m=19 MiB, t=2, p=1).
export const hashPassword = (password: string): Promise<string> => hash(password);

// Verifying against a throwaway hash when the account does not exist (or has no password) keeps the
// response time the same, so timing does not reveal which emails have accounts.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(
  passwordHash: string | null | undefined,
  password: string,
): Promise<boolean> {
  dummyHash ??= hash("no account has this password");
  const target = passwordHash ?? (await dummyHash);
  try {
    return (await verify(target, password)) && passwordHash != null;
  } catch {
    return false;
  }
}
