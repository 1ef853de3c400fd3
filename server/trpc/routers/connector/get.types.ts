import { z } from "zod";
import { connectorIdInput } from "./connector.types";

export const getInput = z.object({ id: connectorIdInput });
