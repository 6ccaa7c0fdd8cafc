/**
 * Image references split into repository and tag the way Docker reads them: the tag is what
 * follows the last colon after the last slash (`localhost:5000/shop/backend:v2`), a digest
 * (`…@sha256:…`) has no tag, and no tag at all means `latest`.
 */
export interface ImageRef {
  repository: string;
  /** '' for a digest reference. */
  tag: string;
}

export function parseImageRef(reference: string): ImageRef {
  const at = reference.indexOf('@');
  if (at >= 0) return { repository: reference.slice(0, at), tag: '' };
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference, tag: 'latest' };
}

/** The image a recreate or pull asks for: `image` as given, or the current repository with `tag`. */
export function wantedImage(params: { image?: string | undefined; tag?: string | undefined }, current: string | null): string | null {
  if (params.image?.trim()) return params.image.trim();
  if (params.tag?.trim() && current) return `${parseImageRef(current).repository}:${params.tag.trim()}`;
  return null;
}
