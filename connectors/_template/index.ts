// The template connector: a complete, minimal connector to copy for a new system (see README.md).
import type { ConnectorDefinition } from '../contract';
import { createTemplateClient } from './client';
import { TemplateConfig } from './config';
import { recordEntity } from './record';
import { createTemplateWebhooks } from './webhooks';

export { TemplateConfig } from './config';

/**
 * The template connector kind: one entity, `record`, as source and sink, plus signed webhooks.
 * @example const connector = template.create(TemplateConfig.parse({ baseUrl: 'https://api.example.com/', apiToken: token }))
 */
export const template: ConnectorDefinition<TemplateConfig> = {
  name: 'template',
  version: '0.1.0',
  description: 'A minimal REST connector to copy: records listed by updated_at, created, updated, and pushed by signed webhooks.',
  config: TemplateConfig,
  create(config, deps = {}) {
    const api = createTemplateClient(config, deps);
    return {
      name: 'template',
      async check() {
        // The cheapest authenticated call the API has.
        await api.listRecords({ limit: 1 });
      },
      entities: { record: recordEntity(api, config.pageSize) },
      webhooks: config.webhookSecrets.length > 0 ? createTemplateWebhooks({ secrets: config.webhookSecrets, toleranceSeconds: config.webhookToleranceSeconds }) : undefined,
    };
  },
};
