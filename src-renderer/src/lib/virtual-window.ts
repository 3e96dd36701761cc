/** Which rows of a fixed-row-height list to render for a scroll position: the visible ones plus a margin. */

export interface RowWindow {
  start: number;
  /** One past the last row to render. */
  end: number;
}

export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 6): RowWindow {
  if (rowCount === 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first - overscan, rowCount - 1));
  const end = Math.min(rowCount, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

/** True when the viewport shows the last row (within a pixel or so of rounding). */
export function isScrolledToEnd(scrollTop: number, viewportHeight: number, contentHeight: number): boolean {
  return scrollTop + viewportHeight >= contentHeight - 2;
}
