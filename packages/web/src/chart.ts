import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** What the chart draws: every check (short ranges) or average and p95 per bucket (rollups). */
export type ChartData = { from: string; to: string } & (
  | { kind: "checks"; checks: Array<{ at: string; ok: boolean; latencyMs: number }> }
  | { kind: "buckets"; points: Array<{ at: string; avgMs: number | null; p95Ms: number | null }> }
);

/** The palette's colours (styles.css), so the chart follows light and dark mode. */
const colour = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function seriesOf(data: ChartData): { series: uPlot.Series[]; aligned: uPlot.AlignedData } {
  if (data.kind === "checks") {
    const ok = data.checks;
    return {
      series: [
        {},
        { label: "ms (up)", stroke: colour("--chart-avg"), points: { show: true, size: 5 } },
        { label: "ms (failed)", stroke: colour("--bar-down"), width: 0, points: { show: true, size: 7, fill: colour("--bar-down") } },
      ],
      aligned: [ok.map((c) => Date.parse(c.at) / 1000), ok.map((c) => (c.ok ? c.latencyMs : null)), ok.map((c) => (c.ok ? null : c.latencyMs))],
    };
  }
  const p = data.points;
  return {
    series: [
      {},
      { label: "avg ms", stroke: colour("--chart-avg"), points: { show: true, size: 6 } },
      { label: "p95 ms", stroke: colour("--chart-p95"), dash: [4, 4], points: { show: true, size: 6 } },
    ],
    aligned: [p.map((x) => Date.parse(x.at) / 1000), p.map((x) => x.avgMs), p.map((x) => x.p95Ms)],
  };
}

export function drawLatency(el: HTMLElement, data: ChartData) {
  const { series, aligned } = seriesOf(data);
  const width = () => Math.max(280, el.clientWidth);
  const axis = { stroke: colour("--fg"), grid: { stroke: colour("--line") }, ticks: { stroke: colour("--line") } };
  // The whole range on the x axis, so a monitor with one check shows one point in its hour, not a lone dot on a scale of years.
  const range: [number, number] = [Date.parse(data.from) / 1000, Date.parse(data.to) / 1000];
  const plot = new uPlot(
    { width: width(), height: 220, series, scales: { x: { time: true, range: () => range } }, axes: [axis, { ...axis, label: "ms" }] },
    aligned,
    el,
  );
  const onResize = () => plot.setSize({ width: width(), height: 220 });
  addEventListener("resize", onResize);
  return () => {
    removeEventListener("resize", onResize);
    plot.destroy();
  };
}
