/**
 * A V8 heap snapshot (`--heapsnapshot-signal`, `v8.writeHeapSnapshot`) read as a graph: what each object is, what
 * holds it, and where a closure's function was written. Enough to say what an idle socket's memory is made of.
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: string[][];
      edge_fields: string[];
      edge_types: string[][];
      location_fields: string[];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations: number[];
}

/** Kinds whose name says little: `byKind` can name them by their holder instead. */
const genericKinds = new Set([
  'array:(object properties)',
  'array:',
  'array:(object elements)',
  'object:Object',
  'object:system / Context',
  'closure:',
  'object:Promise',
  'hidden:system / PromiseReaction',
  'hidden:system / PropertyArray',
  'object:Array',
]);

const valueKinds = new Set(['string', 'number', 'concatenated string', 'sliced string']);

export interface Edge {
  from: number;
  to: number;
  type: string;
  name: string;
}

export class HeapGraph {
  private readonly snapshot: HeapSnapshot;
  private readonly nodeWidth: number;
  private readonly edgeWidth: number;
  private readonly at: Record<
    'type' | 'name' | 'size' | 'edgeCount' | 'edgeType' | 'edgeName' | 'to',
    number
  >;
  readonly count: number;

  constructor(path: string) {
    this.snapshot = JSON.parse(readFileSync(path, 'utf8'));
    const { node_fields, edge_fields } = this.snapshot.snapshot.meta;
    this.nodeWidth = node_fields.length;
    this.edgeWidth = edge_fields.length;
    this.count = this.snapshot.nodes.length / this.nodeWidth;
    this.at = {
      type: node_fields.indexOf('type'),
      name: node_fields.indexOf('name'),
      size: node_fields.indexOf('self_size'),
      edgeCount: node_fields.indexOf('edge_count'),
      edgeType: edge_fields.indexOf('type'),
      edgeName: edge_fields.indexOf('name_or_index'),
      to: edge_fields.indexOf('to_node'),
    };
  }

  private field(node: number, at: number): number {
    return this.snapshot.nodes[node * this.nodeWidth + at]!;
  }

  kind(node: number): string {
    return this.snapshot.snapshot.meta.node_types[0]![this.field(node, this.at.type)]!;
  }

  /** "kind:name"; strings and numbers by kind only (their name is their value). */
  name(node: number): string {
    const kind = this.kind(node);
    if (valueKinds.has(kind)) return `${kind}:`;
    return `${kind}:${(this.snapshot.strings[this.field(node, this.at.name)] ?? '').slice(0, 60)}`;
  }

  size(node: number): number {
    return this.field(node, this.at.size);
  }

  /** Every edge, node by node (weak ones left out: they hold nothing). */
  *edges(): Generator<Edge> {
    const { edges, strings } = this.snapshot;
    const edgeTypes = this.snapshot.snapshot.meta.edge_types[0]!;
    for (let from = 0, edge = 0; from < this.count; from++) {
      const end = edge + this.field(from, this.at.edgeCount) * this.edgeWidth;
      for (; edge < end; edge += this.edgeWidth) {
        const type = edgeTypes[edges[edge + this.at.edgeType]!]!;
        if (type === 'weak') continue;
        const nameOrIndex = edges[edge + this.at.edgeName]!;
        const name = ['element', 'hidden'].includes(type)
          ? `[${nameOrIndex}]`
          : (strings[nameOrIndex] ?? '?');
        yield { from, to: edges[edge + this.at.to]! / this.nodeWidth, type, name };
      }
    }
  }

  /** For each node, what holds it (the first strong edge to it). */
  holders(): Map<number, Edge> {
    const first = new Map<number, Edge>();
    for (const edge of this.edges()) if (!first.has(edge.to)) first.set(edge.to, edge);
    return first;
  }

  /** Where each closure's function was written: script and line (tsx's output is one line per file). */
  closureLocations(): Map<number, string> {
    const byNode = new Map<number, Map<string, number>>();
    for (const edge of this.edges()) {
      if (edge.type !== 'internal' && edge.type !== 'property') continue;
      const named = byNode.get(edge.from) ?? new Map<string, number>();
      named.set(edge.name, edge.to);
      byNode.set(edge.from, named);
    }
    const via = (node: number | undefined, name: string) =>
      node === undefined ? undefined : byNode.get(node)?.get(name);
    const { locations, snapshot } = this.snapshot;
    const fields = snapshot.meta.location_fields;
    const [objectAt, lineAt] = [fields.indexOf('object_index'), fields.indexOf('line')];
    const located = new Map<number, string>();
    for (let at = 0; at < locations.length; at += fields.length) {
      const node = locations[at + objectAt]! / this.nodeWidth;
      const script = via(via(via(node, 'shared'), 'script'), 'name');
      const file =
        script === undefined ? '?' : (this.snapshot.strings[this.field(script, this.at.name)] ?? '?');
      const short = file.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/');
      located.set(node, `${short}:${locations[at + lineAt]! + 1}`);
    }
    return located;
  }

  /** Self size and count per kind and name; closures also by where they were written, vague kinds by holder. */
  byKind(options: { byHolder: boolean }): Map<string, { size: number; count: number }> {
    const locations = this.closureLocations();
    const holders = options.byHolder ? this.holders() : null;
    const totals = new Map<string, { size: number; count: number }>();
    for (let node = 0; node < this.count; node++) {
      const name = this.name(node);
      const where = this.kind(node) === 'closure' ? ` @${locations.get(node) ?? '?'}` : '';
      const holder = holders && genericKinds.has(name) ? ` <- ${this.describeHolder(node, holders)}` : '';
      const key = `${name}${where}${holder}`;
      const entry = totals.get(key) ?? { size: 0, count: 0 };
      entry.size += this.size(node);
      entry.count++;
      totals.set(key, entry);
    }
    return totals;
  }

  private describeHolder(node: number, holders: Map<number, Edge>): string {
    const edge = holders.get(node);
    if (!edge) return '(none)';
    const above = holders.get(edge.from);
    return `${this.name(edge.from)} (${edge.type})${above ? ` <- ${this.name(above.from)}` : ''}`;
  }

  /** The chain of what holds the last object named `name`, `depth` steps up. */
  retainers(name: string, depth = 10): string[] {
    const heldBy = new Map<number, Edge[]>();
    for (const edge of this.edges()) heldBy.set(edge.to, [...(heldBy.get(edge.to) ?? []), edge]);
    let node = -1;
    for (let at = 0; at < this.count; at++) if (this.name(at) === name) node = at;
    const seen = new Set<number>();
    const chain: string[] = [];
    for (let step = 0; node >= 0 && step < depth; step++) {
      seen.add(node);
      const holders = (heldBy.get(node) ?? []).filter((edge) => !seen.has(edge.from));
      const listed = holders.slice(0, 4).map((edge) => `${this.name(edge.from)} (${edge.type} ${edge.name})`);
      chain.push(`${this.name(node)} <- ${listed.join('; ')}`);
      node = holders[0]?.from ?? -1;
    }
    return chain;
  }

  /** Closures that carry properties of their own (a kept name is one: tsx's `keepNames`), by where written. */
  closuresWithProperties(): Map<string, number> {
    const locations = this.closureLocations();
    const counts = new Map<string, number>();
    for (const edge of this.edges()) {
      if (edge.type !== 'internal' || edge.name !== 'properties') continue;
      if (this.kind(edge.from) !== 'closure' || this.name(edge.to) !== 'array:(object properties)') continue;
      const key = `${this.name(edge.from)} @${locations.get(edge.from) ?? '?'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }
}
