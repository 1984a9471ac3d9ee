/** Fill `{key}` placeholders. Unknown placeholders are left as they are. (Own module: no zod on this path.) */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}
