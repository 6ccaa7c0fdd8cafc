/**
 * A target's pane layout: a tree of splits with panes at the leaves, persisted per target
 * (`settings` key `logs.layout.<targetId>`).
 *
 * Every operation returns a new tree (React state); panes keep their id across splits so their
 * terminals and buffers survive a layout change.
 */
import { z } from 'zod';
import { defaultPaneConfig, PaneConfig } from './pane-config';

export const MAX_PANES = 9;
export const LAYOUT_VERSION = 1;

export type Direction = 'row' | 'column';

export interface PaneNode {
  kind: 'pane';
  id: string;
  config: PaneConfig;
}

export interface SplitNode {
  kind: 'split';
  id: string;
  /** `row`: children side by side (split vertically); `column`: stacked. */
  direction: Direction;
  children: LayoutNode[];
  /** Relative sizes of the children, same length, summing to about 1. */
  sizes: number[];
}

export type LayoutNode = PaneNode | SplitNode;

const PaneNodeSchema = z.object({ kind: z.literal('pane'), id: z.string().max(40), config: PaneConfig });
const LayoutNodeSchema: z.ZodType<LayoutNode> = z.lazy(() =>
  z.union([
    PaneNodeSchema,
    z.object({
      kind: z.literal('split'),
      id: z.string().max(40),
      direction: z.enum(['row', 'column']),
      children: z.array(LayoutNodeSchema).min(2).max(MAX_PANES),
      sizes: z.array(z.number().positive()).max(MAX_PANES),
    }),
  ]),
);
export const SavedLayout = z.object({ version: z.literal(LAYOUT_VERSION), root: LayoutNodeSchema });
export type SavedLayout = z.infer<typeof SavedLayout>;

export function settingKey(targetId: string): string {
  return `logs.layout.${targetId}`;
}

let counter = 0;
export function newId(prefix: string): string {
  counter = (counter + 1) % 1_000_000;
  return `${prefix}-${Date.now().toString(36)}-${counter.toString(36)}`;
}

export function singlePane(sources: string[] = []): PaneNode {
  return { kind: 'pane', id: newId('pane'), config: defaultPaneConfig(sources) };
}

/** A saved layout read back, or undefined when it is not one (then the caller starts fresh). */
export function readLayout(value: unknown): LayoutNode | undefined {
  const parsed = SavedLayout.safeParse(value);
  if (!parsed.success) return undefined;
  const root = normalize(parsed.data.root);
  return countPanes(root) <= MAX_PANES ? root : undefined;
}

export function toSaved(root: LayoutNode): SavedLayout {
  return { version: LAYOUT_VERSION, root };
}

export function countPanes(node: LayoutNode): number {
  return node.kind === 'pane' ? 1 : node.children.reduce((sum, child) => sum + countPanes(child), 0);
}

export function panes(node: LayoutNode): PaneNode[] {
  return node.kind === 'pane' ? [node] : node.children.flatMap(panes);
}

/**
 * Splits `paneId` in two along `direction`; the new pane comes after it, empty (it asks for
 * sources) but with the same display options. Splitting in the direction of the parent adds a
 * sibling instead of nesting, so three side-by-side panes are one row of three.
 */
export function splitPane(
  root: LayoutNode,
  paneId: string,
  direction: Direction,
): { root: LayoutNode; added?: string } {
  if (countPanes(root) >= MAX_PANES) return { root };
  let added: string | undefined;
  const visit = (node: LayoutNode): LayoutNode => {
    if (node.kind === 'pane') {
      if (node.id !== paneId) return node;
      const fresh: PaneNode = { kind: 'pane', id: newId('pane'), config: { ...node.config, sources: [] } };
      added = fresh.id;
      return { kind: 'split', id: newId('split'), direction, children: [node, fresh], sizes: [0.5, 0.5] };
    }
    const index = node.children.findIndex((child) => child.kind === 'pane' && child.id === paneId);
    if (index >= 0 && node.direction === direction) {
      const source = node.children[index] as PaneNode;
      const fresh: PaneNode = { kind: 'pane', id: newId('pane'), config: { ...source.config, sources: [] } };
      added = fresh.id;
      const children = [...node.children.slice(0, index + 1), fresh, ...node.children.slice(index + 1)];
      const half = node.sizes[index]! / 2;
      const sizes = [...node.sizes.slice(0, index), half, half, ...node.sizes.slice(index + 1)];
      return { ...node, children, sizes };
    }
    return { ...node, children: node.children.map(visit) };
  };
  return { root: visit(root), added };
}

/** Closes a pane; its space goes to its neighbours. The last pane cannot be closed. */
export function closePane(root: LayoutNode, paneId: string): LayoutNode {
  if (root.kind === 'pane') return root;
  const visit = (node: LayoutNode): LayoutNode | undefined => {
    if (node.kind === 'pane') return node.id === paneId ? undefined : node;
    const children: LayoutNode[] = [];
    const sizes: number[] = [];
    node.children.forEach((child, i) => {
      const kept = visit(child);
      if (kept) {
        children.push(kept);
        sizes.push(node.sizes[i] ?? 1 / node.children.length);
      }
    });
    if (children.length === 0) return undefined;
    if (children.length === 1) return children[0];
    return { ...node, children, sizes: scaled(sizes) };
  };
  return normalize(visit(root) ?? root);
}

/** The tree with one pane's config replaced; the same tree when nothing changed. */
export function updatePane(root: LayoutNode, paneId: string, update: (config: PaneConfig) => PaneConfig): LayoutNode {
  if (root.kind === 'pane') {
    if (root.id !== paneId) return root;
    const config = update(root.config);
    return config === root.config ? root : { ...root, config };
  }
  const children = root.children.map((child) => updatePane(child, paneId, update));
  return children.every((child, i) => child === root.children[i]) ? root : { ...root, children };
}

export function resizeSplit(root: LayoutNode, splitId: string, sizes: number[]): LayoutNode {
  if (root.kind === 'pane') return root;
  if (root.id === splitId) return { ...root, sizes: scaled(sizes) };
  return { ...root, children: root.children.map((child) => resizeSplit(child, splitId, sizes)) };
}

/** Sizes that match the children and sum to 1; nested splits in the same direction flattened. */
function normalize(node: LayoutNode): LayoutNode {
  if (node.kind === 'pane') return node;
  const children: LayoutNode[] = [];
  const sizes: number[] = [];
  const own =
    node.sizes.length === node.children.length ? scaled(node.sizes) : node.children.map(() => 1 / node.children.length);
  node.children.forEach((raw, i) => {
    const child = normalize(raw);
    if (child.kind === 'split' && child.direction === node.direction) {
      child.children.forEach((grandchild, j) => {
        children.push(grandchild);
        sizes.push(own[i]! * child.sizes[j]!);
      });
    } else {
      children.push(child);
      sizes.push(own[i]!);
    }
  });
  if (children.length === 1) return children[0]!;
  return { ...node, children, sizes: scaled(sizes) };
}

function scaled(sizes: number[]): number[] {
  const total = sizes.reduce((sum, size) => sum + size, 0) || 1;
  return sizes.map((size) => size / total);
}
