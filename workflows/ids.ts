// Deterministic workflow ids (starting the same work twice finds the running one), and the constants
// workflows and activities share without the workflow bundle importing activity code.

export interface EntityRef {
  connector: string;
  entity: string;
}

export const workflowIds = {
  poll: (r: EntityRef) => `poll:${r.connector}:${r.entity}`,
  applyInbox: (r: EntityRef) => `apply:${r.connector}:${r.entity}`,
  deliverOutbox: (r: EntityRef) => `deliver:${r.connector}:${r.entity}`,
  backfill: (r: EntityRef, version: number) => `backfill:${r.connector}:${r.entity}:v${version}`,
};

/** Records asked of a source per poll page (a connector may cap it lower with its own page size). */
export const POLL_PAGE = 1000;
