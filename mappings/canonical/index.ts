// The canonical model: zod schemas are the source of truth, types come from z.infer.
export * from './customer';
export * from './finance';
export * from './interaction';
export * from './order';
export * from './ownership';
export * from './primitives';
export * from './product';
export * from './quantity';
