import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lsp-client.js';

export interface Position {
  line: number;
  character: number;
}
export interface Diagnostic {
  range: { start: Position; end: Position };
  message: string;
  data?: unknown;
}
export interface CompletionItem {
  label: string;
  documentation?: string | { value: string };
}

/** What an editor such as VS Code sends: everything on, and no SchemaStore catalogue (this machine has no network). */
const YAML_SETTINGS = { validate: true, completion: true, hover: true, schemaStore: { enable: false } };

const serverPath = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');

/**
 * yaml-language-server driven as an editor drives it: started over stdio, given its settings,
 * and sent documents as if they were open. Positions are zero-based, as in LSP.
 */
export async function startYamlEditor(timeoutMs: number) {
  const client = new LspClient(process.execPath, [serverPath, '--stdio'], timeoutMs);
  let settingsSent!: () => void;
  const configured = new Promise<void>((resolve) => (settingsSent = resolve));
  client.onRequest('workspace/configuration', (params) => {
    settingsSent();
    return (params as { items: { section?: string }[] }).items.map((item) => (item.section === 'yaml' ? YAML_SETTINGS : null));
  });
  try {
    await client.request('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true },
        textDocument: {
          completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: {},
          publishDiagnostics: {},
        },
      },
    });
    client.notify('initialized', {});
    // Settings arriving revalidate the open documents: opened after them, each is published once, with these settings.
    await client.within(configured, 'no workspace/configuration request');
  } catch (error) {
    await client.close();
    throw error;
  }

  let untitled = 0;
  return {
    /**
     * Opens a document and resolves with the diagnostics the server publishes for it. `path`
     * places it (a relative $schema resolves from there); by default it gets a fresh name.
     */
    async open(text: string, path = `/editor-test/untitled-${++untitled}.yaml`): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
      const uri = pathToFileURL(path).href;
      const published = client.nextNotification<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
      const { diagnostics } = await published;
      return { uri, diagnostics };
    },
    async complete(uri: string, position: Position): Promise<CompletionItem[]> {
      const result = await client.request<{ items: CompletionItem[] } | CompletionItem[] | null>('textDocument/completion', { textDocument: { uri }, position });
      return Array.isArray(result) ? result : (result?.items ?? []);
    },
    async hover(uri: string, position: Position): Promise<string> {
      const result = await client.request<{ contents: string | { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position });
      const contents = result?.contents;
      return typeof contents === 'string' ? contents : (contents?.value ?? '');
    },
    /** The titles of the quick fixes the editor offers for a diagnostic. */
    async quickFixes(uri: string, diagnostic: Diagnostic): Promise<string[]> {
      const actions = await client.request<{ title: string }[] | null>('textDocument/codeAction', {
        textDocument: { uri },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic], only: ['quickfix'] },
      });
      return (actions ?? []).map((action) => action.title);
    },
    close: () => client.close(),
  };
}
