import { currentUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { handleReceiptDownload } from "@/server/finance/receipt-http";

/** Downloads a receipt: server/finance/receipt-http.ts. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleReceiptDownload(req, (await params).id, { db: getDb, session: () => currentUser() });
}
