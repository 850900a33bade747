/**
 * Instants as a page's visitors read them: in the page's time zone, with the zone's name
 * ("3 Jan 2026, 14:05 CET"), the same on the page, in feeds' HTML and in subscriber mails.
 */
export function inZone(timeZone: string): (t: number) => string {
  const f = new Intl.DateTimeFormat("en-GB", { timeZone, dateStyle: "medium", timeStyle: "short" });
  return (t: number) => {
    const zone = new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "short" }).formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? timeZone;
    return `${f.format(t)} ${zone}`;
  };
}

// Made on first use: the first DateTimeFormat loads ICU's locale data, tens of ms of every cold start otherwise.
let utcDay: Intl.DateTimeFormat | undefined;
/** A UTC day as the bars name it ("3 Jan 2026"), in the same style as the times beside them. */
export const dayText = (t: number) => (utcDay ??= new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", dateStyle: "medium" })).format(t);
