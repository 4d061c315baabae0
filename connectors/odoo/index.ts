// The Odoo connector: customers, contacts, products, sale orders and manufacturing orders both ways,
// stock levels from Odoo, over JSON-2 (Odoo 19+) or JSON-RPC (Odoo 17/18). Odoo has no signed
// webhooks: every entity is polled.
import type { ConnectorDefinition } from '../contract';
import { createOdooClient } from './client';
import { OdooConfig } from './config';
import { contactEntity } from './contact';
import { customerEntity } from './customer';
import { orderEntity } from './order';
import { productEntity } from './product';
import { productionOrderEntity } from './production-order';
import { stockLevelEntity } from './stock-level';

export { OdooConfig } from './config';

/**
 * The Odoo connector kind.
 * @example const connector = odoo.create(OdooConfig.parse({ url: 'https://acme.odoo.com', database: 'acme', apiKey: key }))
 *          const page = await connector.entities.customer?.source?.listChanged(null, 100)
 */
export const odoo: ConnectorDefinition<OdooConfig> = {
  name: 'odoo',
  version: '0.1.0',
  description:
    'Odoo 17+ ERP: customers (res.partner), contacts, products (product.product), stock per warehouse (stock.quant), sale orders (sale.order) and manufacturing orders (mrp.production), over JSON-2 or JSON-RPC.',
  config: OdooConfig,
  create(config, deps = {}) {
    const client = createOdooClient(config, deps);
    return {
      name: 'odoo',
      async check() {
        // Cheap, and refused like any other call when the key or the login is wrong.
        await client.call('res.users', 'context_get');
      },
      entities: {
        customer: customerEntity(client, config),
        contact: contactEntity(client, config),
        product: productEntity(client, config),
        stock_level: stockLevelEntity(client, config),
        order: orderEntity(client, config),
        production_order: productionOrderEntity(client, config),
      },
    };
  },
};
