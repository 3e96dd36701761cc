// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../src-main/api/contract.ts';
import HousekeepingView from '../../../../src-renderer/src/views/HousekeepingView.svelte';
import { installTestBridge } from './view-test-bridge.ts';

const EVENT: AuditEvent = {
  id: 1,
  at: '2026-03-01T10:00:00Z',
  action: 'forwarded',
  actor: 'gateway',
  target: 'archive',
  studyInstanceUid: '1.2',
  sopInstanceUid: '1.2.3',
  patientName: 'DOE^JANE',
  patientId: 'P1',
  instances: 1,
  bytes: 1000,
  detail: 'rule ct',
};

afterEach(() => cleanup());

function bridge() {
  return installTestBridge()
    .answer('storageUsage', { storage: '/data', studies: 3, instances: 9, bytes: 9_000_000, diskFreeBytes: null, diskTotalBytes: null })
    .answer('getRetention', { days: null, source: 'default' })
    .answer('searchAudit', [EVENT]);
}

describe('HousekeepingView', () => {
  it('shows the store’s size, retention off by default, and the audit trail', async () => {
    bridge();
    render(HousekeepingView, { active: true });
    expect(await screen.findByText(/in 3 studies \(9 instances\)/)).toBeTruthy();
    expect(await screen.findByText('Not set: studies are kept until deleted by hand.')).toBeTruthy();
    expect((screen.getByRole('textbox', { name: 'Keep studies for (days)' }) as HTMLInputElement).disabled).toBe(true);
    expect(await screen.findByRole('cell', { name: 'DOE, JANE (P1)' })).toBeTruthy();
  });

  it('saves the rule and says what the run it applied deleted and what it kept', async () => {
    const b = bridge().answer('saveRetention', ({ days }) => ({
      settings: { days, source: 'saved' },
      run: {
        ranAt: '2026-03-01T10:00:00Z',
        deleted: [{ studyInstanceUid: '1.2', instances: 2, bytes: 2000, jobs: 0 }],
        keptUnforwarded: 1,
      },
    }));
    render(HousekeepingView, { active: true });
    await fireEvent.click(await screen.findByRole('checkbox', { name: 'Delete old studies automatically' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Keep studies for (days)' }), { target: { value: '14' } });
    await fireEvent.submit(screen.getByRole('form', { name: 'Retention' }));
    await waitFor(() => expect(b.argsOf('saveRetention')).toEqual([{ days: 14 }]));
    expect(await screen.findByText(/deleted 1 study \(2\.00 kB\); kept 1 old study not yet forwarded everywhere/)).toBeTruthy();
    expect(b.argsOf('runRetention')).toEqual([]);
  });

  it('refuses a number of days that is not a whole number, and saves nothing', async () => {
    const b = bridge().answer('saveRetention', ({ days }) => ({ settings: { days, source: 'saved' }, run: null }));
    render(HousekeepingView, { active: true });
    await fireEvent.click(await screen.findByRole('checkbox', { name: 'Delete old studies automatically' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Keep studies for (days)' }), { target: { value: '1.5' } });
    await fireEvent.submit(screen.getByRole('form', { name: 'Retention' }));
    expect(screen.getByText('Enter a whole number of days (0 or more).')).toBeTruthy();
    expect(b.argsOf('saveRetention')).toEqual([]);
  });
});
