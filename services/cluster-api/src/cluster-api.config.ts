import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface ClusterApiConfig extends BaseConfig {
  /**
   * The Supervisor gateway's ServiceAccount issuer public key (PEM, its DATA_DIR/pki/sa.pub): given to each guest
   * control plane, whose gateway then takes the Supervisor's `kubectl vsphere login` sessions for that cluster. Unset:
   * guests take none.
   */
  SUPERVISOR_ISSUER_PUBLIC_KEY_FILE?: string;
  /**
   * The Supervisor's datastore (its scheduler's DATASTORE_DIR): each guest cluster's volumes go to
   * `<DATASTORE_DIR>/guests/<cluster uid>`, made for it and removed with it. Unset: a guest keeps them in the folder
   * of the control-plane VM whose scheduler leads, and they go with that VM.
   */
  DATASTORE_DIR?: string;
}

export const configSchema = baseSchema({
  SUPERVISOR_ISSUER_PUBLIC_KEY_FILE: { type: 'string', minLength: 1 },
  DATASTORE_DIR: { type: 'string', minLength: 1 },
});
