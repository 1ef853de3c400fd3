import { currentUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { handleReceiptUpload } from "@/server/finance/receipt-http";

/** Attaches a receipt to an expense: server/finance/receipt-http.ts. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleReceiptUpload(req, (await params).id, { db: getDb, session: () => currentUser() });
}
