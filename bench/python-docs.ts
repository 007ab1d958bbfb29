/**
 * The real site of bench/real-site.ts: Python's documentation as Debian installs it
 * (`apt-get install -y python3-doc`: about 530 interlinked pages, written by Python's authors and
 * built with Sphinx, nothing here wrote it).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export interface RealSite {
  /** "python3.11-doc 3.11.2-6+deb12u9": the package and version the pages came from. */
  name: string;
  /** The folder the package installed the pages in. */
  folder: string;
}

const LINK = '/usr/share/doc/python3/html';

/** The installed documentation, or undefined when python3-doc is not installed. */
export function findPythonDocs(): RealSite | undefined {
  if (!existsSync(join(LINK, 'index.html'))) return undefined;
  const folder = realpathSync(LINK);
  const owner = spawnSync('dpkg-query', ['-S', join(folder, 'index.html')], { encoding: 'utf8' }).stdout?.split(':')[0];
  const version = owner && spawnSync('dpkg-query', ['-W', '-f', '${Version}', owner], { encoding: 'utf8' }).stdout;
  return { name: owner ? `${owner} ${version}` : folder, folder };
}

/**
 * Copies the pages where they are served from. Symbolic links are followed: the package links
 * jquery.js and underscore.js to Debian's own copies, which flow's static server (rightly) does
 * not serve from outside the folder, and the pages load them.
 */
export function copySite(site: RealSite, to: string): void {
  cpSync(site.folder, to, { recursive: true, dereference: true });
}
