import type { CDPSession, Page } from 'playwright-core';

/**
 * A V8 heap snapshot boiled down to what a leak hunt needs, in the spirit of memlab: retained
 * size and count of objects by class (constructor name), and detached DOM nodes (elements no
 * longer in the document that something still holds).
 */
export interface HeapSummary {
  totalMb: number;
  nodes: number;
  byClass: Map<string, { count: number; retainedMb: number }>;
  detached: { count: number; retainedMb: number };
}

/** The snapshot JSON as Chromium writes it (`HeapProfiler.takeHeapSnapshot`). */
interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const MB = 1048576;

/** Takes a snapshot of the page's heap after two full collections, as text (5-50 MB for a usual page). */
export async function takeHeapSnapshot(page: Page): Promise<string> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  try {
    await cdp.send('HeapProfiler.enable');
    // Twice: finalizers run by the first free more in the second.
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
    return chunks.join('');
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Retained sizes by class and detached DOM nodes, from a snapshot's text. */
export function summarizeHeap(text: string): HeapSummary {
  const raw = JSON.parse(text) as RawSnapshot;
  const { meta } = raw.snapshot;
  const nodeFieldCount = meta.node_fields.length;
  const edgeFieldCount = meta.edge_fields.length;
  const typeField = meta.node_fields.indexOf('type');
  const nameField = meta.node_fields.indexOf('name');
  const sizeField = meta.node_fields.indexOf('self_size');
  const edgeCountField = meta.node_fields.indexOf('edge_count');
  const detachedField = meta.node_fields.indexOf('detachedness');
  const edgeTypeField = meta.edge_fields.indexOf('type');
  const edgeToField = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const weak = meta.edge_types[0].indexOf('weak');
  const shortcut = meta.edge_types[0].indexOf('shortcut');
  const { nodes, edges, strings } = raw;
  const count = nodes.length / nodeFieldCount;

  // Outgoing edges of each node, in CSR form; weak and shortcut edges do not keep anything alive.
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += nodes[i * nodeFieldCount + edgeCountField] * edgeFieldCount;
  }
  firstEdge[count] = edges.length;
  const targets = (node: number, visit: (to: number) => void) => {
    for (let e = firstEdge[node]; e < firstEdge[node + 1]; e += edgeFieldCount) {
      const type = edges[e + edgeTypeField];
      if (type !== weak && type !== shortcut) visit(edges[e + edgeToField] / nodeFieldCount);
    }
  };

  const dominator = dominators(count, targets);
  const retained = new Float64Array(count);
  for (let i = 0; i < count; i++) retained[i] = nodes[i * nodeFieldCount + sizeField];
  // Children after their dominators in the order, so adding in reverse sums whole subtrees.
  for (const node of dominator.order.slice().reverse()) if (node !== 0 && dominator.idom[node] !== UNREACHED) retained[dominator.idom[node]] += retained[node];

  const isDetached = (node: number): boolean => (detachedField >= 0 ? nodes[node * nodeFieldCount + detachedField] === 2 : strings[nodes[node * nodeFieldCount + nameField]].startsWith('Detached '));
  const classOf = (node: number): string => {
    const type = nodeTypes[nodes[node * nodeFieldCount + typeField]];
    const name = strings[nodes[node * nodeFieldCount + nameField]];
    if (type === 'closure') return `${name || '(anonymous)'}()`;
    if (type === 'native' && isDetached(node) && !name.startsWith('Detached ')) return `Detached ${name}`;
    return type === 'object' || type === 'native' ? name : `(${type})`;
  };
  const byClass = new Map<string, { count: number; retainedMb: number }>();
  const detached = { count: 0, retainedMb: 0 };
  let totalBytes = 0;
  for (let i = 1; i < count; i++) {
    if (dominator.idom[i] === UNREACHED) continue;
    totalBytes += nodes[i * nodeFieldCount + sizeField];
    const name = classOf(i);
    const entry = byClass.get(name) ?? { count: 0, retainedMb: 0 };
    entry.count++;
    // An object inside another of its class is already in that one's retained size.
    if (classOf(dominator.idom[i]) !== name) entry.retainedMb += retained[i] / MB;
    byClass.set(name, entry);
    if (isDetached(i)) {
      detached.count++;
      if (!isDetached(dominator.idom[i])) detached.retainedMb += retained[i] / MB;
    }
  }
  return { totalMb: totalBytes / MB, nodes: count, byClass, detached };
}

const UNREACHED = 0xffffffff;

/**
 * Immediate dominators from node 0 (the snapshot's root), by Cooper, Harvey and Kennedy's
 * iterative algorithm ("A Simple, Fast Dominance Algorithm"): a few passes over the nodes in
 * reverse postorder, which a heap graph's shallow, wide shape makes quick.
 */
function dominators(count: number, targets: (node: number, visit: (to: number) => void) => void): { idom: Uint32Array; order: number[] } {
  const postorder = new Uint32Array(count).fill(UNREACHED);
  const order: number[] = [];
  // Iterative depth-first search: a heap is far too deep for recursion.
  const stack: Array<{ node: number; children: number[]; next: number }> = [];
  const seen = new Uint8Array(count);
  const push = (node: number) => {
    seen[node] = 1;
    const children: number[] = [];
    targets(node, (to) => children.push(to));
    stack.push({ node, children, next: 0 });
  };
  push(0);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      if (!seen[child]) push(child);
    } else {
      stack.pop();
      postorder[top.node] = order.length;
      order.push(top.node);
    }
  }
  const predecessors: number[][] = Array.from({ length: count }, () => []);
  for (const node of order) targets(node, (to) => predecessors[to].push(node));

  const idom = new Uint32Array(count).fill(UNREACHED);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (postorder[a] < postorder[b]) a = idom[a];
      while (postorder[b] < postorder[a]) b = idom[b];
    }
    return a;
  };
  const reverse = order.slice().reverse();
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of reverse) {
      if (node === 0) continue;
      let chosen = UNREACHED;
      for (const pred of predecessors[node]) {
        if (idom[pred] === UNREACHED) continue;
        chosen = chosen === UNREACHED ? pred : intersect(pred, chosen);
      }
      if (chosen !== UNREACHED && idom[node] !== chosen) {
        idom[node] = chosen;
        changed = true;
      }
    }
  }
  return { idom, order: reverse };
}

/** What grew between two snapshots of one tab: the classes whose retained size grew most, and detached DOM nodes. */
export interface HeapGrowth {
  totalMb: number;
  classes: Array<{ name: string; retainedMb: number; count: number }>;
  detached: { count: number; retainedMb: number };
}

export function heapGrowth(before: HeapSummary, after: HeapSummary, top = 5): HeapGrowth {
  const classes = [...after.byClass].map(([name, now]) => {
    const then = before.byClass.get(name) ?? { count: 0, retainedMb: 0 };
    return { name, retainedMb: now.retainedMb - then.retainedMb, count: now.count - then.count };
  });
  return {
    totalMb: after.totalMb - before.totalMb,
    classes: classes.filter((c) => c.retainedMb > 0).sort((a, b) => b.retainedMb - a.retainedMb).slice(0, top),
    detached: { count: after.detached.count - before.detached.count, retainedMb: after.detached.retainedMb - before.detached.retainedMb },
  };
}
