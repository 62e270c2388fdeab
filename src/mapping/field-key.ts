// A document field's stable key: given, or derived from its label ("Scope sold" -> "scope-sold").

export function slugify(label: string): string {
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'field' : slug;
}

export function fieldKey(item: { key?: string | undefined; label: string }): string {
  return item.key ?? slugify(item.label);
}
