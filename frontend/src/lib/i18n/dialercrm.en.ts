// English strings of the dialer's CRM lists
// (spread into en.ts).
export const dialerCrmEn = {
  "dialer.crmOpen": "CRM lists…",
  "crmlists.title": "Lists from your CRM",
  "crmlists.loading": "Reading the lists of {vendor}…",
  "crmlists.none": "No CRM is connected. Connect one in Settings → CRM to call through its lists.",
  "crmlists.empty": "{vendor} has no contact lists.",
  "crmlists.size": "{count} records",
  "crmlists.size.one": "{count} record",
  "crmlists.sizeUnknown": "size unknown",
  "crmlists.pull": "Pull",
  "crmlists.refresh": "Refresh",
  "crmlists.pullName": "Pull {name}",
  "crmlists.refreshName": "Refresh {name}",
  "crmlists.pulled": "pulled",
  "crmlists.progress": "{done} of {total} records read",
  "crmlists.progressUnknown": "{done} records read",
  "crmlists.done": "{name}: {count} contacts ({added} added, {updated} updated, {removed} removed, {dnc} do-not-call).",
  "crmlists.problems": "Left off ({count})",
  "crmlists.reload": "Reload the lists",
  "crmlists.open": "Use this list",
  "crmlists.close": "Close",
} as const;
