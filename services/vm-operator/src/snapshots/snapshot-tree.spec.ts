import { addSnapshot, changedChildren, parentOf, removeSnapshot, SnapshotTree, treeOf } from './snapshot-tree';

const take = (tree: SnapshotTree, ...names: string[]) => names.reduce((t, n) => addSnapshot(t, n).tree, tree);
const empty: SnapshotTree = { roots: [], children: {} };

describe('a VM snapshot tree', () => {
  it('makes the first snapshot a root and each later one a child of the current snapshot', () => {
    const first = addSnapshot(empty, 'a');
    expect(first).toEqual({ tree: { roots: ['a'], children: {}, current: 'a' }, parent: undefined });
    const second = addSnapshot(first.tree, 'b');
    expect(second.parent).toBe('a');
    expect(second.tree).toEqual({ roots: ['a'], children: { a: ['b'] }, current: 'b' });
  });

  it('branches after a revert: the new snapshot is a sibling of the one taken after the snapshot reverted to', () => {
    const reverted = { ...take(empty, 'a', 'b'), current: 'a' };
    expect(take(reverted, 'c')).toEqual({ roots: ['a'], children: { a: ['b', 'c'] }, current: 'c' });
  });

  it('makes a snapshot a root when the current snapshot is not in the tree', () => {
    expect(addSnapshot({ roots: ['a'], children: {}, current: 'gone' }, 'b').tree.roots).toEqual(['a', 'b']);
  });

  it('moves a deleted snapshot’s children up to its parent, in its place, and makes the parent current', () => {
    const tree = take(empty, 'a', 'b', 'c');
    const branched = take({ ...tree, current: 'a' }, 'd');
    const withB = { ...branched, children: { ...branched.children, b: ['c', 'e'] }, current: 'b' };
    expect(removeSnapshot(withB, 'b')).toEqual({ roots: ['a'], children: { a: ['c', 'e', 'd'] }, current: 'a' });
    expect(parentOf(removeSnapshot(withB, 'b'), 'e')).toBe('a');
  });

  it('makes a deleted root’s children roots, and leaves no current snapshot when the current root goes', () => {
    const tree = take(empty, 'a', 'b');
    expect(removeSnapshot(tree, 'a')).toEqual({ roots: ['b'], children: {}, current: 'b' });
    expect(removeSnapshot({ roots: ['a'], children: {}, current: 'a' }, 'a')).toEqual({ roots: [], children: {} });
  });

  it('reads the tree from the VM’s status and its snapshots’, ignoring unmanaged snapshots', () => {
    const vm = { status: { rootSnapshots: [{ type: 'Managed', name: 'a' }, { type: 'Unmanaged', name: 'x' }], currentSnapshot: { type: 'Managed', name: 'b' } } };
    const snaps = [{ metadata: { name: 'a' }, status: { children: [{ type: 'Managed', name: 'b' }] } }, { metadata: { name: 'b' }, status: {} }];
    expect(treeOf(vm, snaps)).toEqual({ roots: ['a'], children: { a: ['b'] }, current: 'b' });
    expect(treeOf({}, [])).toEqual(empty);
  });

  it('names the snapshots whose children changed', () => {
    const before = take(empty, 'a', 'b', 'c');
    const after = removeSnapshot(before, 'b');
    expect([...changedChildren(before, after)]).toEqual([['a', ['c']], ['b', []]]);
    expect(changedChildren(before, before).size).toBe(0);
  });
});
