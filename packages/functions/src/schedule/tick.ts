// Placeholder: the every-minute scheduler.
export const handler = async () => {};
