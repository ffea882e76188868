import { matchesSelector } from '../services/vm-service-endpoints';

type Selector = Record<string, string>;

/**
 * The Services' selectors, indexed so that a pod finds the Services selecting it without looking at the others:
 * each selector is filed under its namespace and one of its `key=value` pairs (a pod it matches must carry that
 * label), so a pod's lookup costs one probe per label it has, and nothing for a pod no Service could select.
 */
export class ServiceSelectors {
  private readonly byService = new Map<string, { selector: Selector; slot: string }>();
  private readonly bySlot = new Map<string, Set<string>>();

  /** Files (or re-files) a Service's selector under its key; an empty or missing selector selects nothing. */
  set(service: string, namespace: string, selector: Selector | undefined): void {
    this.delete(service);
    const first = Object.entries(selector ?? {})[0];
    if (!first) return;
    const slot = slotOf(namespace, first[0], first[1]);
    this.byService.set(service, { selector: selector!, slot });
    let services = this.bySlot.get(slot);
    if (!services) this.bySlot.set(slot, (services = new Set()));
    services.add(service);
  }

  delete(service: string): void {
    const filed = this.byService.get(service);
    if (!filed) return;
    this.byService.delete(service);
    const services = this.bySlot.get(filed.slot);
    services?.delete(service);
    if (services?.size === 0) this.bySlot.delete(filed.slot);
  }

  /** The keys of the Services in `namespace` whose selector these labels match, added to `into`. */
  selecting(namespace: string, labels: Selector | undefined, into: Set<string>): void {
    for (const [key, value] of Object.entries(labels ?? {})) {
      for (const service of this.bySlot.get(slotOf(namespace, key, value)) ?? []) {
        if (matchesSelector(this.byService.get(service)!.selector, labels)) into.add(service);
      }
    }
  }
}

/** NUL cannot occur in a namespace or a label key, so the parts cannot run into each other. */
function slotOf(namespace: string, key: string, value: string): string {
  return `${namespace}\u0000${key}\u0000${value}`;
}
