import { createConversions } from "electrodb";
import { MonitorEntity } from "@uptime/core/monitors/monitor";
import { CheckResultEntity } from "@uptime/core/check/result";
import { IncidentEntity } from "@uptime/core/incident/incident";
const mc = (createConversions as any)(MonitorEntity);
const c = mc.byAccessPattern.byOwner.fromComposite.toCursor({ ownerId: "u1", createdAt: 1700000000000, monitorId: "abc" });
console.log(c, Buffer.from(c, "base64url").toString());
const keys = { gsi1pk: "$uptime#ownerid_u1", gsi1sk: "$monitor_1#createdat_abc#monitorid_x#extra_1", pk: "zz", sk: "yy" };
try { console.log(mc.byAccessPattern.byOwner.fromKeys.toComposite(keys)); } catch (e) { console.log("ERR", String(e)); }
const rc = (createConversions as any)(CheckResultEntity);
for (const sk of ["$checkresult_1#at_abc", "$checkresult_1#at_1e400", "$checkresult_1#at_99999999999999999999999", "$checkresult_1#at_-5", "$checkresult_1#at_1.5", "$other_1#at_5"]) {
  try { const comp = rc.byAccessPattern.history.fromKeys.toComposite({ pk: "$uptime#monitorid_m1", sk }); console.log(sk, comp, rc.byAccessPattern.history.fromComposite.toKeys(comp)); } catch (e) { console.log("ERR", sk, String(e)); }
}
