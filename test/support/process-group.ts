import type { ChildProcess } from 'node:child_process';

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; groupAlive(pgid) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
  return !groupAlive(pgid);
}

/**
 * Ends a child started with `detached: true` and every process of its group, then resolves.
 * Chromium's helper processes outlive its main process by a moment and still write to its
 * profile; a test that removes the profile before they are gone fails with ENOTEMPTY.
 */
export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined || !groupAlive(pgid)) return;
  process.kill(-pgid, signal);
  if (await waitGone(pgid, graceMs)) return;
  process.kill(-pgid, 'SIGKILL');
  await waitGone(pgid, 2000);
}
