import { Module } from '@nestjs/common';
import { SphereletAgentLifecycle } from './spherelet-agent.lifecycle';

/** One per host: registers the host, heartbeats, runs what is bound to it. Boot only for now. */
@Module({ providers: [SphereletAgentLifecycle] })
export class SphereletAgentModule {}
