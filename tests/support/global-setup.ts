// Starts one real Temporal dev server (the pinned CLI) and bundles the workflows once for the suite.
// A missing CLI fails the whole run with the install hint; nothing is skipped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { findTemporalCli, freePort, startDevServer } from '../../ops/temporal-cli';
import { WORKFLOWS_PATH } from '../../workflows/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const cli = findTemporalCli();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-suite-'));
  const [server, bundle] = await Promise.all([
    startDevServer({ cli, port: await freePort(), logFile: path.join(dir, 'temporal.log') }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } }),
  ]);
  const workflowBundlePath = path.join(dir, 'workflows.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', workflowBundlePath);
  return async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
