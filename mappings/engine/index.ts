// The mapping engine: definitions, the transform library, applying a version, and the built-in registry.
export * from './apply';
export * from './context';
export * from './definition';
export * from './entities';
export * from './functions';
export * from './registry';
export * from './transforms';
