// Prints the README's configuration table from the config schema, where each setting is documented.
//   node --import tsx ops/scripts/config-doc.ts
import { configTable } from '../../hub/config';

console.log(configTable());
