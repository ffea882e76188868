/** What a host supervisor runs, handed over as JSON in OPENPACIFIC_HOST_PLAN. */
export interface HostPlan {
  host: string;
  services: HostServicePlan[];
}

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
