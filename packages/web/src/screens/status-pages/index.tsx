import { Failed } from "../status";
import { StatusPageEditor } from "./editor";
import { PageIncident } from "./incident";
import { PageIncidents } from "./incidents";
import { PageMaintenance, PageMaintenanceDetails } from "./maintenance";
import { StatusPageList } from "./list";
import { StatusPageForm } from "./page-form";

/** Everything under /status-pages, loaded on first use (see main.tsx). */
export function StatusPagesScreen({ path }: { path: string }) {
  const [pageId, section, itemId, extra] = path.split("/").slice(2).map(decodeURIComponent);
  if (!pageId) return <StatusPageList />;
  if (pageId === "new" && !section) return <StatusPageForm />;
  if (extra === undefined) {
    if (!section) return <StatusPageEditor pageId={pageId} />;
    if (section === "edit" && !itemId) return <StatusPageForm id={pageId} />;
    if (section === "incidents") return itemId ? <PageIncident pageId={pageId} incidentId={itemId} /> : <PageIncidents pageId={pageId} />;
    if (section === "maintenance") return itemId ? <PageMaintenanceDetails pageId={pageId} maintenanceId={itemId} /> : <PageMaintenance pageId={pageId} />;
  }
  return <Failed message="There is no such screen." />;
}
