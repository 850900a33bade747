export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
export const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;
