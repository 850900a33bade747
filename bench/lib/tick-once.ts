/**
 * One scheduler tick in a fresh process, as one invocation of the tick Lambda: the process
 * holds nothing but the tick's code, so its peak memory is what the function would need.
 * Env: the host's (see host.ts) plus BENCH_TICK_AT, the window start in epoch seconds.
 * Prints one JSON line.
 */
import { reloadConfig } from "@uptime/core/platform/config";
import { Tick } from "@uptime/core/schedule/tick";
import { installMeters, since, snapshot } from "./meter";

reloadConfig();
installMeters();
const at = Number(process.env.BENCH_TICK_AT);

const rssBefore = process.memoryUsage().rss;
let heapPeak = 0;
let rssPeak = 0;
const sample = () => {
  const m = process.memoryUsage();
  heapPeak = Math.max(heapPeak, m.heapUsed);
  rssPeak = Math.max(rssPeak, m.rss);
};
const sampler = setInterval(sample, 5);

const before = snapshot();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
// `now` = the window start, so every job is delayed to its due second (0-59 s), as when the rule fires on time.
const report = await Tick.run(at * 1000, at * 1000);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
sample();
clearInterval(sampler);
const used = since(before);

process.stdout.write(
  JSON.stringify({
    report,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBeforeMB: rssBefore / 2 ** 20,
    rssPeakMB: Math.max(rssPeak, process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    heapPeakMB: heapPeak / 2 ** 20,
    meter: used,
  }) + "\n",
);
process.exit(0);
