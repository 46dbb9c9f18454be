/**
 * canary-inference: one definition of a canary rollout for ML model servers,
 * rendered to KServe, Seldon Core and Argo Rollouts manifests.
 *
 * This entry is for cdk8s users and plain functions; it never loads `@pulumi/*`.
 */
export * from './spec';
export * from './backends';
export * from './routers';
export * from './props';
export * from './render';
export * from './crd';
export * from './config';
export * from './cdk8s';
export * from './cdk8s/validation';
export * from './tables';
