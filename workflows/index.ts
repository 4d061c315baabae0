// Every workflow Qiao runs; this file is the worker's workflowsPath and must stay workflow-safe.
export { bulkUpsert } from './bulk-upsert';
export { applyInbox, backfill, deliverOutbox, poll } from './sync';
