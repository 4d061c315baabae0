// The kinds of connector this build of Qiao ships; importing this module registers them.
import { template } from '../../connectors/_template';
import { odoo } from '../../connectors/odoo';
import { salesforce } from '../../connectors/salesforce';
import { hubspot } from '../../connectors/hubspot';
import { registerConnectorType } from './connectors';

registerConnectorType(odoo as never);
// The template is a working connector too: a generic REST API with signed webhooks.
registerConnectorType(template as never);
registerConnectorType(salesforce as never);
registerConnectorType(hubspot as never);
