// @vitest-environment happy-dom
import { describe, expect, test } from 'vitest';
import { createRawSnippet } from 'svelte';
import { fireEvent, render, screen } from '@testing-library/svelte';
import VirtualList from '../../../../src-renderer/src/lib/VirtualList.svelte';
import { visibleRows } from '../../../../src-renderer/src/lib/virtual-window.ts';

interface Item {
  id: number;
  label: string;
}

const items: Item[] = Array.from({ length: 10_000 }, (_, i) => ({ id: i, label: `Row ${i}` }));
// The list is generic; its snippet receives items as `unknown` from the component's point of view.
const row = createRawSnippet((item: () => unknown) => ({ render: () => `<span class="cell">${(item() as Item).label}</span>` }));

function renderedLabels(): string[] {
  return Array.from(document.querySelectorAll('.cell')).map((c) => c.textContent!);
}

describe('VirtualList', () => {
  test('of 10,000 rows renders only those in view plus a small margin', () => {
    render(VirtualList, { props: { items, rowHeight: 20, row, label: 'Rows', fallbackHeight: 400, key: (i: unknown) => (i as Item).id } });
    const labels = renderedLabels();
    // 400 px / 20 px = 20 visible rows, plus overscan: far fewer than 10,000.
    expect(labels.length).toBeGreaterThanOrEqual(20);
    expect(labels.length).toBeLessThan(40);
    expect(labels[0]).toBe('Row 0');
    // The scroll area is as tall as all rows together, so the scrollbar is true to the list.
    const spacer = document.querySelector<HTMLElement>('.vlist-spacer')!;
    expect(spacer.style.height).toBe('200000px');
  });

  test('scrolling to the middle renders the rows there and drops the first ones', async () => {
    render(VirtualList, { props: { items, rowHeight: 20, row, label: 'Rows', fallbackHeight: 400 } });
    const viewport = screen.getByRole('list', { name: 'Rows' });
    viewport.scrollTop = 5000 * 20;
    await fireEvent.scroll(viewport);
    const labels = renderedLabels();
    expect(labels).toContain('Row 5000');
    expect(labels).toContain('Row 5019');
    expect(labels).not.toContain('Row 0');
    expect(labels.length).toBeLessThan(40);
    const window = document.querySelector<HTMLElement>('.vlist-window')!;
    expect(window.style.transform).toBe(`translateY(${Number(labels[0]!.slice(4)) * 20}px)`);
  });

  test('a table list numbers its rows for assistive technology', () => {
    render(VirtualList, { props: { items, rowHeight: 20, row, label: 'Log', kind: 'table', fallbackHeight: 100 } });
    const table = screen.getByRole('table', { name: 'Log' });
    expect(table.getAttribute('aria-rowcount')).toBe('10000');
    const rows = screen.getAllByRole('row');
    expect(rows[0]!.getAttribute('aria-rowindex')).toBe('1');
  });
});

describe('VirtualList following', () => {
  test('a scroll the browser makes itself (the viewport grew before it was measured) does not stop following', async () => {
    let following = true;
    const few = items.slice(0, 10);
    const { rerender } = render(VirtualList, {
      props: {
        items: few,
        rowHeight: 20,
        row,
        label: 'Log',
        follow: true,
        onfollowchange: (f: boolean) => (following = f),
        fallbackHeight: 400,
      },
    });
    const viewport = screen.getByRole('list', { name: 'Log' });
    // Layout gave the viewport 600 px; the resize observer has not reported it yet.
    Object.defineProperty(viewport, 'clientHeight', { configurable: true, get: () => 600 });
    await rerender({ items: items.slice(0, 100) });
    // Following asked for 100 * 20 - 400; the browser clamps to the real end, 100 * 20 - 600, and reports a scroll.
    viewport.scrollTop = 100 * 20 - 600;
    await fireEvent.scroll(viewport);
    expect(following).toBe(true);
    // The layout shrinks the viewport: the position the list set is reported before the list re-measures.
    Object.defineProperty(viewport, 'clientHeight', { configurable: true, get: () => 300 });
    await rerender({ items: items.slice(0, 120) });
    viewport.scrollTop = 120 * 20 - 600;
    await fireEvent.scroll(viewport);
    expect(following).toBe(true);
    // The person scrolling up does stop it.
    viewport.scrollTop = 0;
    await fireEvent.scroll(viewport);
    expect(following).toBe(false);
  });
});

describe('visibleRows', () => {
  test('clamps at both ends of the list', () => {
    expect(visibleRows(0, 100, 10, 5)).toEqual({ start: 0, end: 5 });
    expect(visibleRows(10_000_000, 100, 10, 1000)).toEqual({ start: 999, end: 1000 });
    expect(visibleRows(0, 100, 10, 0)).toEqual({ start: 0, end: 0 });
  });

  test('covers the viewport with the overscan margin on both sides', () => {
    expect(visibleRows(500, 100, 10, 1000, 3)).toEqual({ start: 47, end: 64 });
  });
});
