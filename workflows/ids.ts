// Deterministic workflow ids: starting the same work twice finds the running one.

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
