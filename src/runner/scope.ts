import { rootFrame, type ItemFrame } from './items.js';

/**
 * Variables of a running workflow. A loop item gets a scope of its own; plain blocks share
 * their caller's. Assigning updates the variable where it lives, or defines it here. A scope
 * also knows the loop item it runs in, where the records its steps extract go.
 */
export class Scope {
  private readonly values = new Map<string, unknown>();
  private readonly ownFrame: ItemFrame | undefined;

  constructor(
    private readonly parent?: Scope,
    initial?: Record<string, unknown>,
    frame?: ItemFrame,
  ) {
    this.ownFrame = frame ?? (parent ? undefined : rootFrame());
    for (const [name, value] of Object.entries(initial ?? {})) this.values.set(name, value);
  }

  /** The item (or round) this scope's steps run in. */
  get frame(): ItemFrame {
    return this.ownFrame ?? this.parent!.frame;
  }

  get(name: string): unknown {
    if (this.values.has(name)) return this.values.get(name);
    return this.parent?.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name) || (this.parent?.has(name) ?? false);
  }

  set(name: string, value: unknown): void {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.values.has(name)) {
        scope.values.set(name, value);
        return;
      }
    }
    this.values.set(name, value);
  }

  define(name: string, value: unknown): void {
    this.values.set(name, value);
  }

  child(initial?: Record<string, unknown>, frame?: ItemFrame): Scope {
    return new Scope(this, initial, frame);
  }

  /** A plain object of every visible name, innermost winning, for the expression evaluator. */
  snapshot(): Record<string, unknown> {
    const outer = this.parent?.snapshot() ?? {};
    return Object.assign(outer, Object.fromEntries(this.values));
  }
}
