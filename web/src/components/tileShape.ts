/**
 * A tile's box at the picture's own proportions, so a landscape variation is not letterboxed in a
 * portrait tile. Without a size (not rendered yet) the source's is used by the caller.
 */
export function shapeOf(size: { width?: number | undefined; height?: number | undefined }): {
  aspectRatio?: string;
} {
  return size.width && size.height ? { aspectRatio: `${size.width} / ${size.height}` } : {};
}
