import { barRects, linePath, scaleMax, type Box } from "./pool-view";

const WIDTH = 300;
const HEIGHT = 80;

/**
 * One of a pool's 30-minute charts, drawn as inline SVG: bars for counts per minute, a line for a level
 * or a percentile (broken where a minute had nothing to measure). The chart is one image to assistive
 * technology, labelled with what it shows and its latest and peak values; the scale and times are text.
 */
export function SeriesChart({
  title,
  values,
  kind,
  format,
}: {
  title: string;
  values: readonly (number | null)[];
  kind: "bars" | "line";
  format: (value: number) => string;
}) {
  const measured = values.filter((v) => v !== null);
  const box: Box = { width: WIDTH, height: HEIGHT, max: scaleMax(values) };
  const latest = [...values].reverse().find((v) => v !== null) ?? null;
  const peak = measured.length > 0 ? Math.max(...measured) : null;
  const summary =
    latest === null || peak === null
      ? `${title}: nothing in the last 30 minutes`
      : `${title} over the last 30 minutes: latest ${format(latest)}, peak ${format(peak)}`;
  const slot = WIDTH / Math.max(1, values.length);

  return (
    <figure className="min-w-0">
      <figcaption className="flex items-baseline justify-between gap-2 text-xs">
        <span className="font-medium text-slate-800">{title}</span>
        <span className="text-slate-600">scale {format(box.max)}</span>
      </figcaption>
      <svg
        role="img"
        aria-label={summary}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        className="mt-1 h-20 w-full rounded-sm border border-slate-200 bg-slate-50"
      >
        {/* Half the scale, for reading heights by eye. */}
        <line
          x1={0}
          x2={WIDTH}
          y1={HEIGHT / 2}
          y2={HEIGHT / 2}
          className="stroke-slate-200"
          strokeDasharray="4 4"
          vectorEffect="non-scaling-stroke"
        />
        {kind === "bars" ? (
          barRects(
            values.map((v) => v ?? 0),
            box,
          ).map((bar, i) => (
            <rect
              key={i}
              x={bar.x}
              y={bar.y}
              width={bar.width}
              height={bar.height}
              className="fill-indigo-500"
            />
          ))
        ) : (
          <>
            <path
              d={linePath(values, box)}
              className="fill-none stroke-indigo-600"
              strokeWidth={2}
              strokeLinejoin="round"
              vectorEffect="non-scaling-stroke"
            />
            {values.map((v, i) =>
              v === null ? null : (
                // A dot on each minute, so a lone minute between gaps still shows.
                <line
                  key={i}
                  x1={i * slot + slot / 2}
                  x2={i * slot + slot / 2}
                  y1={HEIGHT - (Math.max(0, v) / box.max) * HEIGHT}
                  y2={HEIGHT - (Math.max(0, v) / box.max) * HEIGHT}
                  className="stroke-indigo-600"
                  strokeWidth={4}
                  strokeLinecap="round"
                  vectorEffect="non-scaling-stroke"
                />
              ),
            )}
          </>
        )}
      </svg>
      <div className="mt-0.5 flex justify-between text-xs text-slate-600" aria-hidden="true">
        <span>30 min ago</span>
        <span>now</span>
      </div>
    </figure>
  );
}
