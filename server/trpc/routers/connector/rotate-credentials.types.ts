import { z } from "zod";
import { connectionIdInput, credentialsInput } from "./connector.types";

export const rotateCredentialsInput = z.object({
  connectionId: connectionIdInput,
  credentials: credentialsInput,
});
