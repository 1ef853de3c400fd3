"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { LoadMore } from "@/app/_components/ui/load-more";
import { linkClass } from "@/app/_components/ui/styles";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

const PAGE = 25;
const URL_PATTERN = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/g;

/**
 * A mail's plain-text body with its http(s) links made clickable. The HTML body is never rendered:
 * the text says the same, and markup from mail has no place in the app's own page.
 */
function MailText({ text }: { text: string }) {
  const parts = text.split(URL_PATTERN);
  return (
    <p className="mt-3 text-sm break-words whitespace-pre-wrap text-slate-800">
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <a key={i} href={part} className={linkClass}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </p>
  );
}

/** The signed-in person's mail, newest first, a page at a time. */
export function OutboxList() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.outbox.mine.infiniteQueryOptions({ limit: PAGE }, { getNextPageParam: (page) => page.nextCursor }),
  );
  if (list.isError) return <Alert>Could not load your mail: {list.error.message}</Alert>;
  if (!list.data) return <p className="text-sm text-slate-600">Loading your mail…</p>;
  if (list.data.pages[0]?.smtp) {
    return (
      <p className="text-sm text-slate-700">
        Mail from Tenet goes out by email to your address; look for it in your mailbox.
      </p>
    );
  }
  const messages = list.data.pages.flatMap((p) => p.messages);
  if (messages.length === 0)
    return <p className="text-sm text-slate-600">No mail has been sent to you yet.</p>;
  return (
    <div className="space-y-4">
      <ol className="space-y-4" aria-label="Your mail, newest first">
        {messages.map((m) => (
          <li key={m.id}>
            <article
              aria-labelledby={`mail-${m.id}`}
              className="rounded-lg border border-slate-200 bg-white p-5 shadow-xs"
            >
              <header className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id={`mail-${m.id}`} className="text-base font-semibold text-slate-900">
                  {m.subject}
                </h2>
                <time dateTime={m.createdAt.toISOString()} className="text-xs text-slate-600">
                  {formatDateTime(m.createdAt)}
                </time>
              </header>
              <p className="mt-1 text-xs text-slate-600">To {m.to}</p>
              <MailText text={m.text} />
            </article>
          </li>
        ))}
      </ol>
      <LoadMore list={list} endText="That is all your mail." />
    </div>
  );
}
