// A connector's settings as the Markdown table its README shows, rendered from the zod schema.
import type { z } from 'zod';

/**
 * One row per setting: name, default (— when none), required or not, and the description.
 * @example expect(readme).toContain(configTable(OdooConfig))
 */
export function configTable(schema: z.ZodObject): string {
  const rows = Object.entries(schema.shape).map(([name, field]) => {
    const parsed = field.safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? `\`${JSON.stringify(parsed.data)}\`` : '—';
    const required = parsed.success ? 'no' : 'yes';
    return `| \`${name}\` | ${fallback} | ${required} | ${field.description ?? ''} |`;
  });
  return ['| setting | default | required | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
