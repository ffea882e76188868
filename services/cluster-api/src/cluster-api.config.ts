import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface ClusterApiConfig extends BaseConfig {
  /**
   * The Supervisor gateway's ServiceAccount issuer public key (PEM, its DATA_DIR/pki/sa.pub): given to each guest
   * control plane, whose gateway then takes the Supervisor's `kubectl vsphere login` sessions for that cluster. Unset:
   * guests take none.
   */
  SUPERVISOR_ISSUER_PUBLIC_KEY_FILE?: string;
}

export const configSchema = baseSchema({
  SUPERVISOR_ISSUER_PUBLIC_KEY_FILE: { type: 'string', minLength: 1 },
});
