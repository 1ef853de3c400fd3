"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { CopyField } from "@/app/_components/ui/copy-field";
import { useTRPC } from "@/app/_lib/trpc";
import type { FacilitySpace } from "@/app/_lib/trpc-types";

/**
 * A space's private iCalendar feed URL, to copy into a calendar app. Whoever holds the URL reads the
 * space's calendar, so a leaked one is rotated: the old URL stops working at once.
 */
export function FeedLink({ space }: { space: FacilitySpace }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const feed = useQuery(trpc.facilities.feedUrl.queryOptions({ spaceId: space.id }));
  const rotate = useMutation(
    trpc.facilities.rotateFeedToken.mutationOptions({
      onSuccess: (fresh) => {
        setConfirming(false);
        queryClient.setQueryData(trpc.facilities.feedUrl.queryKey({ spaceId: space.id }), fresh);
      },
    }),
  );

  if (feed.isError) return <Alert>Could not load the feed link: {feed.error.message}</Alert>;
  if (!feed.data) return <p className="text-sm text-slate-600">Loading the feed link…</p>;
  const url = feed.data.url;

  return (
    <div className="space-y-3">
      <CopyField
        key={url}
        label={`Calendar feed of ${space.name}`}
        name={`feed-${space.id}`}
        value={url}
        what="link"
        hint="Subscribe to it in Google Calendar, Outlook or Apple Calendar. Anyone with this link sees the bookings' times and holders."
      />
      {rotate.error ? <Alert>Could not make a new link: {rotate.error.message}</Alert> : null}
      {confirming ? (
        <div
          role="region"
          aria-label={`Make a new feed link for ${space.name}`}
          className="space-y-3 rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-slate-800"
        >
          <p>The current link stops working at once; every calendar subscribed to it needs the new one.</p>
          <div className="flex gap-2">
            <Button pending={rotate.isPending} onClick={() => rotate.mutate({ spaceId: space.id })}>
              Yes, make a new link
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <Button variant="secondary" size="sm" onClick={() => setConfirming(true)}>
          Make a new link
        </Button>
      )}
    </div>
  );
}
