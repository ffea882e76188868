/**
 * A table that renders only the rows in view (10,000 pods scroll smoothly): a scrolling region holding a
 * real <table> whose body is padded above and below the visible rows; aria-rowcount/aria-rowindex tell
 * assistive technology the full size. While a list is still arriving (`total` more than the rows so far),
 * the rows not yet here are drawn as "Loading…" and the region is aria-busy.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';

const ROW = 34;
const HEIGHT = 480;

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
}

export function VirtualTable<T>(props: { label: string; rows: T[]; total?: number; columns: Column<T>[]; rowKey: (row: T) => string; empty?: string }) {
  const { label, rows, columns, rowKey } = props;
  const count = Math.max(rows.length, props.total ?? 0);
  const busy = count > rows.length;
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLDivElement, HTMLTableRowElement>({
        count,
        getScrollElement: () => scroller.current,
        estimateSize: () => ROW,
        overscan: 10,
        initialRect: { width: 800, height: HEIGHT },
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        onChange: () => rerender(0),
      }),
  );
  virtualizer.setOptions({ ...virtualizer.options, count });
  useEffect(() => virtualizer._didMount(), [virtualizer]);
  useEffect(() => virtualizer._willUpdate());

  if (count === 0) return <p>{props.empty ?? 'None.'}</p>;
  const items = virtualizer.getVirtualItems();
  const before = items.length ? items[0].start : 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  return (
    <div ref={scroller} class="virtual" tabIndex={0} role="region" aria-label={`${label} (${count})`} aria-busy={busy ? 'true' : undefined}>
      <table aria-rowcount={count + 1}>
        <caption class="visually-hidden">{label}</caption>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((c) => (
              <th scope="col" key={c.header}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {before > 0 && <tr aria-hidden="true" class="spacer" style={{ height: `${before}px` }} />}
          {items.map((v) => {
            if (v.index >= rows.length) {
              return (
                <tr key={`loading-${v.index}`} aria-rowindex={v.index + 2} class="vrow">
                  <td colSpan={columns.length}>Loading…</td>
                </tr>
              );
            }
            const row = rows[v.index];
            return (
              <tr key={rowKey(row)} aria-rowindex={v.index + 2} class="vrow">
                {columns.map((c) => (
                  <td key={c.header}>{c.cell(row)}</td>
                ))}
              </tr>
            );
          })}
          {after > 0 && <tr aria-hidden="true" class="spacer" style={{ height: `${after}px` }} />}
        </tbody>
      </table>
    </div>
  );
}
