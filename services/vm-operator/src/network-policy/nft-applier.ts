import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `nft` on PATH or in the system directories (a service's PATH may leave out /usr/sbin). */
export function findNft(path = process.env.PATH ?? ''): string | undefined {
  return [...path.split(':'), ...SYSTEM_PATH.split(':')].filter(Boolean).map((d) => join(d, 'nft')).find((p) => existsSync(p));
}

/** Runs `nft -f -` on a script: one transaction, all of it or nothing. */
export function runNft(nft: string, script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(nft, ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`nft -f - exited with ${code}: ${stderr.trim()}`))));
    child.stdin.end(script);
  });
}

/**
 * Keeps one nftables table equal to a rendered ruleset. Each apply replaces the table in a single transaction
 * (create it if missing, delete it, add the new one), so packets never see a half-written policy; an unchanged
 * ruleset is not applied again.
 */
export class NftTableApplier {
  private applied?: string;

  constructor(private readonly nft: string, private readonly table: string) {}

  /** True when the ruleset was written, false when it was already in place. */
  async apply(ruleset: string): Promise<boolean> {
    if (ruleset === this.applied) return false;
    await runNft(this.nft, `${this.dropScript()}${ruleset}`);
    this.applied = ruleset;
    return true;
  }

  /** Removes the table (whether or not it exists). */
  async remove(): Promise<void> {
    this.applied = undefined;
    await runNft(this.nft, this.dropScript());
  }

  private dropScript(): string {
    return `table inet ${this.table} {}\ndelete table inet ${this.table}\n`;
  }
}
