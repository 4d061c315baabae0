// The HubSpot connector: companies, contacts, products and deals over the date-versioned CRM API,
// with signed webhooks (v3). Qiao writes stock onto products and order progress onto deals.
import type { ConnectorDefinition } from '../contract';
import { ConnectorError } from '../errors';
import { createHubspotClient } from './client';
import { HubspotConfig } from './config';
import { contactEntity } from './contact';
import { customerEntity } from './customer';
import { orderEntity } from './order';
import { productEntity } from './product';
import { createHubspotWebhooks } from './webhooks';

export { HubspotConfig } from './config';

/**
 * The HubSpot connector kind.
 * @example const connector = hubspot.create(HubspotConfig.parse({ accessToken: token, webhookClientSecrets: [secret] }))
 *          const page = await connector.entities.order?.source?.listChanged(null, 100)
 */
export const hubspot: ConnectorDefinition<HubspotConfig> = {
  name: 'hubspot',
  version: '0.1.0',
  description: 'HubSpot CRM (date-versioned API): companies, contacts, products and deals with line items; stock and order progress written back; signed webhooks.',
  config: HubspotConfig,
  create(config, deps = {}) {
    const api = createHubspotClient(config, deps);
    return {
      name: 'hubspot',
      async check() {
        // One cheap authenticated call that also proves the id property exists and is unique.
        const property = await api.getProperty('companies', config.idProperty);
        if (!property) {
          throw new ConnectorError('invalid', `HubSpot companies have no property ${config.idProperty}: create it (single-line text, "Require unique values") on companies, contacts and products`, { field: 'idProperty' });
        }
        if (property.hasUniqueValue !== true) {
          throw new ConnectorError('invalid', `HubSpot property ${config.idProperty} of companies does not require unique values; Qiao upserts by it, so it must`, { field: 'idProperty' });
        }
      },
      entities: {
        customer: customerEntity(api, config),
        contact: contactEntity(api, config),
        product: productEntity(api, config),
        order: orderEntity(api, config),
      },
      webhooks: config.webhookClientSecrets.length > 0 ? createHubspotWebhooks({ secrets: config.webhookClientSecrets, toleranceSeconds: config.webhookToleranceSeconds }) : undefined,
    };
  },
};
