import { readFileSync } from 'node:fs';

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** What axe needs of a page: playwright-core's (Chromium) and puppeteer-core's (Firefox) both have it. */
interface EvaluatingPage {
  evaluate(script: string | (() => unknown)): Promise<any>;
}

/**
 * axe-core's WCAG 2.1 A/AA rules on the page as it is now; answers the serious and critical violations as
 * `rule: target` lines (empty when there are none). axe runs in the page through the browser's automation
 * protocol (DevTools in Chromium, WebDriver BiDi in Firefox), which the console's Content-Security-Policy does
 * not govern.
 */
export async function checkAccessibility(page: EvaluatingPage): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => ({ target: n.target })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}
