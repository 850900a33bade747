import { isConditionalCheckFailed } from "../platform/errors";
import { MonitorEntity } from "./entity";

/**
 * A DNS monitor with alertOnChange keeps the answer it saw last on its item, written only when
 * the answer changes (a changed answer is rare), so a steady check costs no write. Queued jobs
 * carry it in their snapshot; the first job made after this write compares with the new answer.
 */
export async function rememberAnswer(monitorId: string, answer: string): Promise<void> {
  try {
    await MonitorEntity.patch({ monitorId }).set({ lastAnswer: answer }).go();
  } catch (err) {
    // the monitor was deleted meanwhile: nothing to remember it for
    if (!isConditionalCheckFailed(err)) throw err;
  }
}
