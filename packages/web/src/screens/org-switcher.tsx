import { useEffect, useState } from "preact/hooks";
import { loadOrg, myOrgs, type MyOrg } from "../api/client";
import { navigate } from "../router";
import { chooseOrg, useSession } from "../session";

/** The header's organisation picker: the choice travels as X-Org-Id and is remembered across reloads. */
export function OrgSwitcher() {
  const me = useSession();
  const [orgs, setOrgs] = useState<MyOrg[]>([]);
  // Reloaded when the organisation or its name changes: after a switch, a create, a rename or a leave.
  useEffect(() => {
    void myOrgs().then((data) => data && setOrgs(data));
  }, [me.orgId, me.orgName]);
  if (orgs.length < 2) return null;
  const selected = me.orgId ?? orgs.find((o) => o.personal)?.id ?? "";

  function pick(id: string) {
    const org = orgs.find((o) => o.id === id);
    if (!org) return;
    chooseOrg(org.personal ? null : org.id);
    void loadOrg();
    // A monitor of one organisation is a 404 in another.
    if (location.pathname.startsWith("/monitors/")) navigate("/");
  }

  return (
    <select class="org-switch" aria-label="Organisation" value={selected} onChange={(e) => pick((e.target as HTMLSelectElement).value)}>
      {orgs.map((o) => (
        <option key={o.id} value={o.id}>{o.personal ? `${o.name} (personal)` : o.name}</option>
      ))}
    </select>
  );
}
