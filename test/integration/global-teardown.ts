import { rmSync } from 'node:fs';
import type { DevServer } from '../../temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__BALLAST_DEV_SERVER__ as DevServer | undefined;
  await server?.stop();
  if (process.env.BALLAST_WORKFLOW_BUNDLE) rmSync(process.env.BALLAST_WORKFLOW_BUNDLE, { force: true });
}
