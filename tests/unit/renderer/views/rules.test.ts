// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rule } from '../../../../src-main/api/types/routing.ts';
import RulesView from '../../../../src-renderer/src/views/RulesView.svelte';
import { destination } from '../fixtures.ts';
import { installTestBridge } from './view-test-bridge.ts';

const CT_TO_PACS: Rule = { name: 'ct-to-pacs', enabled: true, match: { modality: 'CT' }, forward: ['PACS'], studyQuietSeconds: undefined };
const MR_TO_ARCHIVE: Rule = {
  name: 'mr-archive',
  enabled: true,
  match: { modality: ['MR', 'MRI'], callingAe: { glob: 'MR*' } },
  forward: ['ARCHIVE'],
  studyQuietSeconds: 30,
};
const ALL_TO_BACKUP: Rule = { name: 'backup', enabled: false, match: {}, forward: ['BACKUP'], studyQuietSeconds: undefined };

afterEach(() => cleanup());

function bridgeWithRules() {
  return installTestBridge()
    .answer('listRules', [CT_TO_PACS, MR_TO_ARCHIVE, ALL_TO_BACKUP])
    .answer('listDestinations', [destination('PACS'), destination('ARCHIVE'), destination('BACKUP')])
    .answer('saveRules', ({ rules }) => rules);
}

function ruleNamesInOrder(): string[] {
  return within(screen.getByRole('list', { name: /Rules, in the order/ }))
    .getAllByRole('heading', { level: 2 })
    .map((heading) => heading.textContent ?? '');
}

describe('RulesView', () => {
  it('lists the rules in order with what they match', async () => {
    bridgeWithRules();
    render(RulesView, { active: true });
    await screen.findByText('ct-to-pacs');
    expect(ruleNamesInOrder()).toEqual(['ct-to-pacs', 'mr-archive', 'backup']);
    expect(screen.getByText(/Modality one of "MR", "MRI"/)).toBeTruthy();
    expect(screen.getByText(/Calling AE title like MR\*/)).toBeTruthy();
    expect(screen.getByText('every instance')).toBeTruthy();
  });

  it('asks before a reload or close drops unsaved rules, and not when there are none', async () => {
    bridgeWithRules();
    render(RulesView, { active: true });
    await screen.findByText('ct-to-pacs');
    const leave = () => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(leave()).toBe(false);
    await fireEvent.click(screen.getByRole('button', { name: 'Move backup up' }));
    expect(leave()).toBe(true);
  });

  it('moves rules up and down and saves the new order', async () => {
    const bridge = bridgeWithRules();
    render(RulesView, { active: true });
    await screen.findByText('ct-to-pacs');
    expect((screen.getByRole('button', { name: 'Save rules' }) as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(screen.getByRole('button', { name: 'Move backup up' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Move backup up' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Move ct-to-pacs down' }));
    expect(ruleNamesInOrder()).toEqual(['backup', 'mr-archive', 'ct-to-pacs']);
    expect((screen.getByRole('button', { name: 'Move backup up' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Move ct-to-pacs down' }) as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    await waitFor(() => expect(bridge.argsOf('saveRules')).toHaveLength(1));
    const [{ rules }] = bridge.argsOf('saveRules') as [{ rules: Rule[] }];
    expect(rules.map((rule) => rule.name)).toEqual(['backup', 'mr-archive', 'ct-to-pacs']);
    expect(rules[1]).toEqual(MR_TO_ARCHIVE);
  });

  it('enables a disabled rule and removes another', async () => {
    const bridge = bridgeWithRules();
    render(RulesView, { active: true });
    await screen.findByText('ct-to-pacs');
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Enabled: backup' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove mr-archive' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    await waitFor(() => expect(bridge.argsOf('saveRules')).toEqual([{ rules: [CT_TO_PACS, { ...ALL_TO_BACKUP, enabled: true }] }]));
  });

  it('adds a rule with matchers, a tag condition, destinations and a quiet time', async () => {
    const bridge = bridgeWithRules();
    render(RulesView, { active: true });
    await screen.findByText('ct-to-pacs');
    await fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    const editor = screen.getByRole('form', { name: 'New rule' });
    const field = within(editor);
    await fireEvent.input(field.getByLabelText('Name'), { target: { value: 'us-nights' } });
    await fireEvent.change(field.getByLabelText('Calling AE title'), { target: { value: 'regex' } });
    await fireEvent.input(field.getByLabelText('Calling AE title: pattern'), { target: { value: '^US\\d+$' } });
    await fireEvent.change(field.getByLabelText('Modality'), { target: { value: 'list' } });
    await fireEvent.input(field.getByLabelText('Modality: values, separated by commas'), { target: { value: 'US, IVUS' } });
    await fireEvent.click(field.getByLabelText('Images only'));
    await fireEvent.click(field.getByRole('button', { name: 'Add element condition' }));
    await fireEvent.input(field.getByLabelText('Element 1: keyword or tag'), { target: { value: 'InstitutionName' } });
    await fireEvent.change(field.getByLabelText('Element 1: how it must match'), { target: { value: 'glob' } });
    await fireEvent.input(field.getByLabelText('Element 1: pattern'), { target: { value: 'North*' } });
    await fireEvent.click(field.getByLabelText('ARCHIVE'));
    await fireEvent.click(field.getByLabelText('BACKUP'));
    await fireEvent.input(field.getByLabelText('Forward whole study after quiet time (seconds)'), { target: { value: '45' } });
    await fireEvent.click(field.getByRole('button', { name: 'Done' }));

    expect(ruleNamesInOrder()).toEqual(['ct-to-pacs', 'mr-archive', 'backup', 'us-nights']);
    await fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    await waitFor(() => expect(bridge.argsOf('saveRules')).toHaveLength(1));
    const [{ rules }] = bridge.argsOf('saveRules') as [{ rules: Rule[] }];
    expect(rules[3]).toEqual({
      name: 'us-nights',
      enabled: true,
      match: {
        callingAe: { regex: '^US\\d+$' },
        modality: ['US', 'IVUS'],
        sopClass: 'images',
        tags: { InstitutionName: { glob: 'North*' } },
      },
      forward: ['ARCHIVE', 'BACKUP'],
      studyQuietSeconds: 45,
    });
  });

  it('keeps a rule with problems in the editor, naming them next to the fields', async () => {
    const bridge = bridgeWithRules();
    render(RulesView, { active: true });
    await screen.findByText('ct-to-pacs');
    await fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    const field = within(screen.getByRole('form', { name: 'New rule' }));
    await fireEvent.input(field.getByLabelText('Name'), { target: { value: 'backup' } });
    await fireEvent.change(field.getByLabelText('Peer address'), { target: { value: 'regex' } });
    await fireEvent.input(field.getByLabelText('Peer address: pattern'), { target: { value: '10.0.(' } });
    await fireEvent.click(field.getByRole('button', { name: 'Done' }));
    expect(field.getByText('There is already a rule called "backup".')).toBeTruthy();
    expect(field.getByText(/invalid regular expression "10.0.\(": Unterminated group/)).toBeTruthy();
    expect(field.getByText('Choose at least one destination.')).toBeTruthy();
    expect(ruleNamesInOrder()).toEqual(['ct-to-pacs', 'mr-archive', 'backup']);
    expect(bridge.argsOf('saveRules')).toHaveLength(0);
  });

  it('shows the engine’s refusal of the rules, which names the rule and field, and keeps the changes', async () => {
    installTestBridge()
      .answer('listRules', [CT_TO_PACS, MR_TO_ARCHIVE])
      .answer('listDestinations', [destination('PACS')])
      .fail('saveRules', {
        message: 'Rule "mr-archive": forward names "ARCHIVE", which is not a destination.',
        detail: 'rules[0].forward[0]: unknown destination "ARCHIVE" (known: PACS)',
      });
    render(RulesView, { active: true });
    await screen.findByText('ct-to-pacs');
    await fireEvent.click(screen.getByRole('button', { name: 'Move mr-archive up' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Rule "mr-archive": forward names "ARCHIVE", which is not a destination.')).toBeTruthy();
    expect(within(alert).getByText(/rules\[0\]\.forward\[0\]/)).toBeTruthy();
    expect(ruleNamesInOrder()).toEqual(['mr-archive', 'ct-to-pacs']);
    expect(screen.getByText(/Unsaved changes/)).toBeTruthy();
  });
});
