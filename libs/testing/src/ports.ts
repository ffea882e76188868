export { freePort } from '@openpacific/contracts';
