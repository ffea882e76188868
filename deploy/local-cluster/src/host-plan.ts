/** What a host supervisor runs, handed over as JSON in OPENPACIFIC_HOST_PLAN. */
export interface HostPlan {
  host: string;
  services: HostServicePlan[];
  /** Where the supervisor records its children's pids each time it (re)starts one. */
  pidsFile?: string;
}

/** `${dataDir}/hosts/<host>/pids.json`: the supervisor and its services' current pids. */
export interface HostPids {
  supervisor: number;
  services: Record<string, number | undefined>;
}

export const hostPidsFileName = 'pids.json';

export interface HostServicePlan {
  name: string;
  entry: string;
  env: Record<string, string>;
  logFile: string;
  healthPort: number;
}

export const hostPlanVariable = 'OPENPACIFIC_HOST_PLAN';

export function parseHostPlan(json: string | undefined): HostPlan {
  if (!json) throw new Error(`${hostPlanVariable} is not set: host.js is started by the launcher`);
  const plan = JSON.parse(json) as HostPlan;
  if (typeof plan.host !== 'string' || !Array.isArray(plan.services)) throw new Error(`${hostPlanVariable} is malformed`);
  return plan;
}
