import { Module } from '@nestjs/common';
import { AdmissionChain } from './admission/admission-chain';
import { AdmissionResponder } from './admission/admission.responder';
import { Admitter, ADMITTERS } from './admission/admitter';

/** Governance per namespace. For now the admission chain is empty, so every request is admitted. */
@Module({
  providers: [
    { provide: ADMITTERS, useValue: [] satisfies Admitter[] },
    { provide: AdmissionChain, useFactory: (admitters: Admitter[]) => new AdmissionChain(admitters), inject: [ADMITTERS] },
    AdmissionResponder,
  ],
  exports: [AdmissionChain],
})
export class PolicyModule {}
