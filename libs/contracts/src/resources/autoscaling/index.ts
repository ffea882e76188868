import { horizontalPodAutoscalerResource } from './horizontalpodautoscaler.resource';

export * from './horizontalpodautoscaler.resource';
export * from './hpa.conversion';
export * from './hpa-columns';
export * from './hpa-behavior';

/** autoscaling/v2 (and v1): HorizontalPodAutoscaler (its controller in the scheduler service). */
export const autoscalingResources = [horizontalPodAutoscalerResource];
