/** History routing under /console/: every page has its own address, so deep links work on reload. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console/';

export function currentRoute(): string {
  const p = location.pathname;
  return p.startsWith(BASE) ? p.slice(BASE.length) : '';
}

export function navigate(route: string): void {
  history.pushState(null, '', BASE + route);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return route;
}

/** A real link (open in a new tab works) that routes in place on a plain click. */
export function Link(props: { to: string; children: ComponentChildren; current?: boolean; class?: string }) {
  return (
    <a
      href={BASE + props.to}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

/** The console route of an object page: `r/<API path of the object>`. */
export function objectRoute(apiPath: string): string {
  return `r${apiPath}`;
}
