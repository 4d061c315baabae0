// The Salesforce connector: accounts, contacts and products both ways, orders (Order or Opportunity)
// in with their lines and a status write-back, over the REST API with the client credentials flow;
// changes polled by SystemModstamp and pushed by a Change Data Capture relay.
import type { ConnectorDefinition } from '../contract';
import { createSalesforceClient } from './client';
import { SalesforceConfig } from './config';
import { contactEntity } from './contact';
import { customerEntity } from './customer';
import { orderEntity, orderObjects } from './order';
import { productEntity } from './product';
import { createSalesforceWebhooks } from './webhooks';

export { SalesforceConfig } from './config';

/**
 * The Salesforce connector kind.
 * @example const connector = salesforce.create(SalesforceConfig.parse({ loginUrl: 'https://acme.my.salesforce.com', clientId, clientSecret }))
 *          const page = await connector.entities.customer?.source?.listChanged(null, 100)
 */
export const salesforce: ConnectorDefinition<SalesforceConfig> = {
  name: 'salesforce',
  version: '0.1.0',
  description: 'Salesforce CRM: customers (Account), contacts, products (Product2, with ERP stock written back) and orders (Order or Opportunity, with lines), over the REST API with OAuth client credentials; Change Data Capture through a signed relay.',
  config: SalesforceConfig,
  create(config, deps = {}) {
    const client = createSalesforceClient(config, deps);
    const options = { pageSize: config.pageSize, externalIdField: config.externalIdField };
    const { header } = orderObjects(config.orderModel);
    return {
      name: 'salesforce',
      async check() {
        // A token, then the cheapest authenticated call; it also fails for an API version the org lacks.
        await client.call('GET', '', {}, `API ${config.apiVersion}`);
      },
      entities: {
        customer: customerEntity(client, options),
        contact: contactEntity(client, options),
        product: productEntity(client, options),
        order: orderEntity(client, config.orderModel, options),
      },
      webhooks:
        config.webhookSecrets.length > 0
          ? createSalesforceWebhooks({
              secrets: config.webhookSecrets,
              toleranceSeconds: config.webhookToleranceSeconds,
              entities: { Account: 'customer', Contact: 'contact', Product2: 'product', [header]: 'order' },
            })
          : undefined,
    };
  },
};
