import { Module } from '@nestjs/common';
import { VmOperatorLifecycle } from './vm-operator.lifecycle';

/** Reconciles VirtualMachines and their classes, images and services. Boot only for now. */
@Module({ providers: [VmOperatorLifecycle] })
export class VmOperatorModule {}
