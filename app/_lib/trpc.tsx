"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/trpc/root";

export const { TRPCProvider: TRPCContextProvider, useTRPC } = createTRPCContext<AppRouter>();

// Must match TENANT_HEADER in server/trpc/context.ts (not imported: that module is server-only).
const TENANT_HEADER = "x-tenant";

/**
 * One query cache per tenant: the provider is keyed by the tenant's slug, so switching tenants never
 * shows another tenant's cached data.
 */
export function TRPCProvider({ tenantSlug, children }: { tenantSlug?: string; children: ReactNode }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, retry: false } } }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: "/api/trpc",
          transformer: superjson,
          headers: (): Record<string, string> => (tenantSlug ? { [TENANT_HEADER]: tenantSlug } : {}),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCContextProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCContextProvider>
    </QueryClientProvider>
  );
}
