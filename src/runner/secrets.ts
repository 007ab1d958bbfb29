/** A secret shorter than this cannot be masked without masking ordinary text: such a secret is refused. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Replaces the values of a workflow's secrets with *** wherever flow prints or writes text:
 * the console (every line, live or plain or --json), the journal (and so run.json and the
 * report), the dataset and error messages. Also the forms a secret takes on its way: in a URL
 * (p%40ss%20w0rd, p%40ss+w0rd, p@ss%20w0rd), in JSON (escaped quotes and backslashes), in an
 * Authorization header (base64). Pixels of a screenshot are not text: flow masks password
 * fields in its failure screenshots, and can do no more.
 */
export class SecretMasker {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH) return;
    const json = JSON.stringify(value).slice(1, -1);
    const forms = [value, encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+'), encodeURI(value), json, JSON.stringify(json).slice(1, -1), Buffer.from(value).toString('base64')];
    for (const form of forms) this.values.add(form);
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(sorted.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, '***') : text;
  }

  maskDeep<T>(value: T): T {
    if (!this.pattern) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.walk(item)]));
    return value;
  }
}
