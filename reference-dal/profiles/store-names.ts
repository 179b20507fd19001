// The names a profile's system gives its Redis keys, Elasticsearch indices and S3 bucket: the
// profile's name and what keeps two systems apart (the run's label, or the dataset's id), as
// [a-z0-9-] within 40 characters. A long profile name is cut, never the distinguishing tail: cut
// there, two runs or two datasets of one profile would share an index or a bucket.

/** Lowercase a-z0-9 runs joined by single hyphens. */
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

export const MAX_NAME_SLUG = 40;

/** `<profile>-<unique>`, at most 40 characters, the whole of `unique` always kept. */
export function nameSlug(profile: string, unique: string): string {
  const tail = slug(unique).slice(-(MAX_NAME_SLUG - 1));
  const head = slug(profile)
    .slice(0, MAX_NAME_SLUG - tail.length - 1)
    .replace(/-+$/, '');
  return head ? `${head}-${tail}` : tail;
}
