/**
 * The TARGETS cell of `kubectl get hpa`, as kube-apiserver 1.32 prints it (formatHPAMetrics): each metric as
 * `<name>: <current>/<target>`, `<unknown>` until the controller reports it, at most two then `+ N more...`.
 */
const MAX_SHOWN = 2;

function quantityText(q: unknown): string {
  return q === undefined || q === null ? '<unknown>' : String(q);
}

function resourceCell(name: string, target: any, current: any): string {
  if (target?.averageValue !== undefined) return `${name}: ${quantityText(current?.averageValue)}/${quantityText(target.averageValue)}`;
  const now = current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : '<unknown>';
  const wanted = target?.averageUtilization !== undefined ? `${target.averageUtilization}%` : '<auto>';
  return `${name}: ${now}/${wanted}`;
}

/** A metric whose target may be a total or a per-pod average (Object, External). */
function valueCell(name: string, target: any, current: any): string {
  if (target?.averageValue !== undefined) return `${name}: ${quantityText(current?.averageValue)}/${quantityText(target.averageValue)} (avg)`;
  return `${name}: ${quantityText(current?.value)}/${quantityText(target?.value)}`;
}

function metricCell(spec: any, status: any): string {
  switch (spec?.type) {
    case 'Resource':
      return resourceCell(spec.resource?.name, spec.resource?.target, status?.resource?.current);
    case 'ContainerResource':
      return resourceCell(spec.containerResource?.name, spec.containerResource?.target, status?.containerResource?.current);
    case 'Pods':
      return `${spec.pods?.metric?.name}: ${quantityText(status?.pods?.current?.averageValue)}/${quantityText(spec.pods?.target?.averageValue)}`;
    case 'Object':
      return valueCell(spec.object?.metric?.name, spec.object?.target, status?.object?.current);
    case 'External':
      return valueCell(spec.external?.metric?.name, spec.external?.target, status?.external?.current);
    default:
      return '<unknown type>';
  }
}

export function hpaTargets(hpa: any): string {
  const specs: any[] = hpa.spec?.metrics ?? [];
  if (specs.length === 0) return '<none>';
  const statuses: any[] = hpa.status?.currentMetrics ?? [];
  // The controller reports the metrics in the order of the spec; a status of another type is not this metric's.
  const cells = specs.map((spec, i) => metricCell(spec, statuses[i]?.type === spec?.type ? statuses[i] : undefined));
  const shown = cells.slice(0, MAX_SHOWN).join(', ');
  return cells.length > MAX_SHOWN ? `${shown} + ${cells.length - MAX_SHOWN} more...` : shown;
}

export function hpaReference(hpa: any): string {
  const ref = hpa.spec?.scaleTargetRef ?? {};
  return `${ref.kind ?? ''}/${ref.name ?? ''}`;
}
