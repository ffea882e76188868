/**
 * A VM's snapshot tree as VM Operator shows it: the VM's `status.rootSnapshots`, each snapshot's `status.children`
 * and the VM's `status.currentSnapshot` (the snapshot the VM runs from: the last one taken or reverted to).
 * Pure: the controller builds one from the objects, changes it, and writes back what differs.
 */
export interface SnapshotTree {
  roots: string[];
  /** Children by parent name; a snapshot without children may be absent. */
  children: Record<string, string[]>;
  current?: string;
}

export interface SnapshotRef {
  type: 'Managed' | 'Unmanaged';
  name: string;
}

export const managed = (name: string): SnapshotRef => ({ type: 'Managed', name });

/** The tree as the VM and its snapshots record it (only managed snapshots: unmanaged ones are not ours to move). */
export function treeOf(vm: any, snapshots: any[]): SnapshotTree {
  const names = (refs: SnapshotRef[] | undefined) => (refs ?? []).filter((r) => r.type === 'Managed').map((r) => r.name);
  const children: Record<string, string[]> = {};
  for (const s of snapshots) {
    const kids = names(s.status?.children);
    if (kids.length) children[s.metadata.name] = kids;
  }
  const current = vm.status?.currentSnapshot?.type === 'Managed' ? vm.status.currentSnapshot.name : undefined;
  return { roots: names(vm.status?.rootSnapshots), children, ...(current ? { current } : {}) };
}

export function contains(tree: SnapshotTree, name: string): boolean {
  return tree.roots.includes(name) || Object.values(tree.children).some((kids) => kids.includes(name));
}

/** The snapshot `name` is a child of, or undefined for a root (or a snapshot not in the tree). */
export function parentOf(tree: SnapshotTree, name: string): string | undefined {
  return Object.keys(tree.children).find((p) => tree.children[p].includes(name));
}

/** A new snapshot, taken from the VM's current state: a child of the current snapshot (a root without one), and current. */
export function addSnapshot(tree: SnapshotTree, name: string): { tree: SnapshotTree; parent?: string } {
  const parent = tree.current && contains(tree, tree.current) ? tree.current : undefined;
  const children = { ...tree.children };
  if (parent) children[parent] = [...(children[parent] ?? []), name];
  return { tree: { roots: parent ? tree.roots : [...tree.roots, name], children, current: name }, parent };
}

/**
 * A deleted snapshot leaves the tree as vSphere consolidates one: its children take its place under its parent
 * (or among the roots), and if it was current its parent becomes current.
 */
export function removeSnapshot(tree: SnapshotTree, name: string): SnapshotTree {
  const parent = parentOf(tree, name);
  const orphans = tree.children[name] ?? [];
  const replace = (list: string[]) => list.flatMap((n) => (n === name ? orphans : [n]));
  const children: Record<string, string[]> = {};
  for (const [p, kids] of Object.entries(tree.children)) {
    if (p === name) continue;
    const next = replace(kids);
    if (next.length) children[p] = next;
  }
  const current = tree.current === name ? parent : tree.current;
  return { roots: parent ? tree.roots : replace(tree.roots), children, ...(current ? { current } : {}) };
}

/** The snapshots whose `status.children` differ between two trees (by name), with their new children. */
export function changedChildren(before: SnapshotTree, after: SnapshotTree): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of new Set([...Object.keys(before.children), ...Object.keys(after.children)])) {
    const was = before.children[p] ?? [];
    const now = after.children[p] ?? [];
    if (was.length !== now.length || was.some((n, i) => n !== now[i])) out.set(p, now);
  }
  return out;
}
