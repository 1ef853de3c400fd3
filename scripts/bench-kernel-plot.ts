/**
 * The plot of `npm run bench:kernel`: total time per mode, one panel per number of agents (each with
 * its own scale, since 1,000 agents take far longer than 50), as a standalone SVG with no script or
 * external resource, so it renders the same on GitHub and in any browser.
 */

export type PlotBar = { mode: string; label: string; seconds: number; unfinished: boolean };
export type PlotPanel = { agents: number; bars: PlotBar[] };

const COLORS: Record<string, string> = {
  direct: "#9ca3af",
  aios: "#f59e0b",
  fifo: "#1e3a8a",
  round_robin: "#2563eb",
  priority: "#0891b2",
  fair_share: "#059669",
  deadline: "#7c3aed",
};

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A round step for the axis: 1, 2 or 5 times a power of ten, giving about four ticks. */
function tickStep(max: number): number {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  return step ?? 10 * power;
}

export function renderPlot(panels: readonly PlotPanel[], title: string): string {
  const width = 980;
  const height = 420;
  const top = 78;
  const bottom = 70;
  const panelGap = 36;
  const left = 56;
  const panelWidth = (width - left - 20 - panelGap * (panels.length - 1)) / panels.length;
  const plotHeight = height - top - bottom;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escape(title)}</text>`,
  );
  // Legend: one swatch per mode, in the order of the first panel, each as wide as its label.
  const legend = panels[0]?.bars ?? [];
  const widths = legend.map((bar) => 30 + bar.label.length * 6.6);
  const legendWidth = widths.reduce((a, b) => a + b, 0);
  legend.forEach((bar, i) => {
    const x = (width - legendWidth) / 2 + widths.slice(0, i).reduce((a, b) => a + b, 0);
    parts.push(
      `<rect x="${x}" y="40" width="12" height="12" fill="${COLORS[bar.mode] ?? "#6b7280"}"/>`,
      `<text x="${x + 17}" y="50">${escape(bar.label)}</text>`,
    );
  });
  panels.forEach((panel, p) => {
    const x0 = left + p * (panelWidth + panelGap);
    const max = Math.max(...panel.bars.map((b) => b.seconds), 0.001);
    const step = tickStep(max);
    const axisMax = Math.ceil(max / step) * step;
    const y = (seconds: number) => top + plotHeight - (seconds / axisMax) * plotHeight;
    for (let tick = 0; tick <= axisMax + 1e-9; tick += step) {
      parts.push(
        `<line x1="${x0}" x2="${x0 + panelWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e5e7eb"/>`,
        `<text x="${x0 - 6}" y="${y(tick) + 4}" text-anchor="end" fill="#4b5563">${Number(tick.toFixed(3))}</text>`,
      );
    }
    const slot = panelWidth / panel.bars.length;
    const barWidth = slot * 0.72;
    panel.bars.forEach((bar, i) => {
      const bx = x0 + i * slot + (slot - barWidth) / 2;
      const by = y(bar.seconds);
      const value = `${bar.seconds >= 10 ? bar.seconds.toFixed(0) : bar.seconds.toFixed(1)}${bar.unfinished ? "+" : ""}`;
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(top + plotHeight - by).toFixed(1)}" fill="${COLORS[bar.mode] ?? "#6b7280"}"${bar.unfinished ? ' fill-opacity="0.45"' : ""}><title>${escape(`${bar.label}, ${panel.agents} agents: ${value} s`)}</title></rect>`,
        `<text x="${(bx + barWidth / 2).toFixed(1)}" y="${(by - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#111827">${value}</text>`,
      );
    });
    parts.push(
      `<line x1="${x0}" x2="${x0 + panelWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#374151"/>`,
      `<text x="${x0 + panelWidth / 2}" y="${top + plotHeight + 22}" text-anchor="middle" font-weight="600">${panel.agents.toLocaleString("en")} agents</text>`,
    );
  });
  parts.push(
    `<text transform="translate(16 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#374151">total time (s)</text>`,
    `<text x="${width / 2}" y="${height - 16}" text-anchor="middle" fill="#4b5563">lower is better; each panel has its own scale${panels.some((pl) => pl.bars.some((b) => b.unfinished)) ? "; a pale bar with + stopped at the time limit" : ""}</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}
