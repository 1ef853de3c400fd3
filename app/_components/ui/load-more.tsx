import { Button } from "@/app/_components/ui/button";

/** The end of a paged list: a "Load more" button while pages remain, else a line saying that is all. */
export function LoadMore({
  list,
  endText,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
  endText: string;
}) {
  if (!list.hasNextPage) return <p className="text-sm text-slate-600">{endText}</p>;
  return (
    <Button variant="secondary" pending={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
      Load more
    </Button>
  );
}
