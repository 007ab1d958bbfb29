import { spawn } from 'node:child_process';

/**
 * Starts a benchmark's web server script in a process of its own (its memory and the harness's
 * readings stay out of each other's way) and waits for the address it prints on its first line.
 */
export async function startServerProcess(script: string, args: string[] = []): Promise<{ url: string; close: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of child.stdout) {
    output += chunk;
    if (output.includes('\n')) break;
  }
  const url = output.trim();
  if (!url.startsWith('http')) throw new Error(`${script} did not start: ${output}`);
  return { url, close: () => child.kill() };
}
