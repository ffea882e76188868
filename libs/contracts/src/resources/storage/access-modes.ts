/** How kubectl abbreviates access modes, in the order it prints them. */
const ABBREVIATIONS: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

export const ACCESS_MODES = ABBREVIATIONS.map(([mode]) => mode);

/** `RWO,RWX` as `kubectl get pv,pvc` shows a list of access modes (duplicates once, fixed order). */
export function accessModesText(modes: string[] | undefined): string {
  const given = new Set(modes ?? []);
  return ABBREVIATIONS.filter(([mode]) => given.has(mode))
    .map(([, short]) => short)
    .join(',');
}
