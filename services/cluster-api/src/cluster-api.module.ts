import { Module } from '@nestjs/common';
import { ClusterApiLifecycle } from './cluster-api.lifecycle';

/** Turns TanzuKubernetesClusters into Cluster API objects and VMs. Boot only for now. */
@Module({ providers: [ClusterApiLifecycle] })
export class ClusterApiModule {}
