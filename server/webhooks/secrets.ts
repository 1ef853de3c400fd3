import {
  credentialKeyring,
  credentialsHint,
  decryptCredentials,
  encryptCredentials,
  type CredentialKeyring,
} from "@/server/connections/crypto";
import { AppError } from "@/server/errors";

/**
 * Webhook signing secrets at rest, in the connections' AES-256-GCM envelopes (crypto.ts). The binding
 * names the kind of row and its id in place of a connection id, so an endpoint's envelope decrypts
 * neither as another endpoint's, nor as a subscription's, nor as a connection's (whose ids are bare
 * UUIDs), nor in another tenant.
 */
export type SecretOwner = {
  kind: "inbound_endpoint" | "outbound_subscription";
  tenantId: string;
  id: string;
};

const binding = (owner: SecretOwner) => ({
  tenantId: owner.tenantId,
  connectionId: `${owner.kind}:${owner.id}`,
});

export type SealedSecret = { envelope: string; keyId: string; hint: string };

export function sealSecret(
  owner: SecretOwner,
  secret: string,
  ring: CredentialKeyring = credentialKeyring(),
): SealedSecret {
  const { envelope, keyId } = encryptCredentials(ring, binding(owner), { secret });
  return { envelope, keyId, hint: credentialsHint({ secret }) };
}

/** The secret in `envelope`; an INTERNAL error naming the row (never the secret) when it does not open. */
export function openSecret(
  owner: SecretOwner,
  envelope: string,
  ring: CredentialKeyring = credentialKeyring(),
): string {
  const { secret } = decryptCredentials(ring, binding(owner), envelope);
  if (secret === undefined || secret === "") {
    throw new AppError("INTERNAL", `The signing secret of ${owner.kind} ${owner.id} is empty`);
  }
  return secret;
}
