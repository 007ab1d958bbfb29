/**
 * Replaces the values of a workflow's secrets with *** wherever flow prints or writes text:
 * the console, the dataset, the run record and the report. Also their URL-encoded and base64
 * forms, as a secret often travels inside a URL or an Authorization header.
 */
export class SecretMasker {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string): void {
    if (value.length < 3) return;
    for (const form of [value, encodeURIComponent(value), Buffer.from(value).toString('base64')]) this.values.add(form);
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
