import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export function drawLatency(el: HTMLElement, points: Array<{ at: string; avgMs: number | null; p95Ms: number | null }>) {
  const data: uPlot.AlignedData = [
    points.map((p) => Date.parse(p.at) / 1000),
    points.map((p) => p.avgMs),
    points.map((p) => p.p95Ms),
  ];
  const width = () => Math.max(280, el.clientWidth);
  const plot = new uPlot(
    {
      width: width(),
      height: 220,
      series: [{}, { label: "avg ms", stroke: "#2563eb", points: { show: true, size: 6 } }, { label: "p95 ms", stroke: "#b45309", dash: [4, 4], points: { show: true, size: 6 } }],
      axes: [{}, { label: "ms" }],
    },
    data,
    el,
  );
  const onResize = () => plot.setSize({ width: width(), height: 220 });
  addEventListener("resize", onResize);
  return () => {
    removeEventListener("resize", onResize);
    plot.destroy();
  };
}
