import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { InputError } from '../runner/diagnostics.js';
import { HELPERS } from './helpers.js';

/** The templates shipped with flow: reports/ at the package root, from src/ (tsx) and dist/ alike. */
export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../../reports/', import.meta.url));

/** Files that become partials: templates by name without `.hbs`, inline assets by full name (`report.css`). */
/** The inline script of every page, allowed to run by its hash. */
const SCRIPT = 'report.js';

const PARTIAL_EXTENSIONS = new Set(['.hbs', '.css', '.js']);

/**
 * Renders a page through `layout.hbs`, which includes the partial named `page`. A template folder
 * given by the user is laid over the shipped one: a file there replaces the shipped file of the
 * same name, and the rest still come from flow.
 */
export function renderPage(page: string, context: Record<string, unknown>, templateDir?: string): string {
  const handlebars = Handlebars.create();
  for (const [name, helper] of Object.entries(HELPERS)) handlebars.registerHelper(name, helper);
  const partials = new Map([...partialFiles(DEFAULT_TEMPLATE_DIR), ...(templateDir ? partialFiles(templateDir) : [])]);
  // The newline that ends a file is not part of the template: a partial used inside a line stays inline.
  for (const [name, file] of partials) handlebars.registerPartial(name, readFileSync(file, 'utf8').replace(/\r?\n$/, ''));
  const layout = partials.get('layout');
  if (!layout) throw new InputError([{ file: templateDir ?? DEFAULT_TEMPLATE_DIR, message: 'there is no layout.hbs among the report templates' }]);
  // strict: a name the data does not have fails the render rather than printing nothing.
  const template = handlebars.compile(readFileSync(layout, 'utf8'), { strict: true });
  try {
    // The page's Content-Security-Policy lets only this exact script run.
    const script = partials.has(SCRIPT) ? handlebars.compile(`{{> [${SCRIPT}]}}`, { strict: true })(context) : '';
    const scriptHash = `sha256-${createHash('sha256').update(script).digest('base64')}`;
    return template({ ...context, page, scriptHash });
  } catch (error) {
    throw new InputError([{ file: templateDir ?? DEFAULT_TEMPLATE_DIR, message: `the report templates cannot be rendered: ${(error as Error).message}` }]);
  }
}

/** Partial name → file, for every template and asset under `dir`, subfolders included. */
function partialFiles(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    throw new InputError([{ file: dir, message: 'this template folder cannot be read' }]);
  }
  for (const entry of entries.sort()) {
    const file = join(dir, entry);
    const extension = extname(entry);
    if (!PARTIAL_EXTENSIONS.has(extension) || !statSync(file).isFile()) continue;
    const name = extension === '.hbs' ? basename(entry, '.hbs') : basename(entry);
    if (found.has(name)) throw new InputError([{ file, message: `two report templates are named "${name}": ${found.get(name)} and ${file}` }]);
    found.set(name, file);
  }
  return found;
}
