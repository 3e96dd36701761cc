import { describe, expect, it } from 'vitest';
import { COMMAND_SCHEMAS } from '../../../src-main/api/command-schemas.ts';
import { problemsFromIssues } from '../../../src-main/config/config-issues.ts';
import { ruleSchema } from '../../../src-main/config/config-schema.ts';

/** The problems the API reports for `rule`, as "field: message". */
function apiRuleProblems(rule: object): string[] {
  const parsed = COMMAND_SCHEMAS.saveRules.safeParse({ rules: [{ name: 'r', enabled: true, forward: ['pacs'], ...rule }] });
  return parsed.success ? [] : problemsFromIssues(parsed.error.issues, COMMAND_SCHEMAS.saveRules).map((p) => `${p.field}: ${p.message}`);
}

/** The same rule's problems in a config file (where `enabled` may be left out). */
function configRuleProblems(rule: object): string[] {
  const parsed = ruleSchema.safeParse({ name: 'r', forward: ['pacs'], ...rule });
  return parsed.success ? [] : problemsFromIssues(parsed.error.issues, ruleSchema).map((p) => `${p.field}: ${p.message}`);
}

describe('saveRules arguments', () => {
  it('refuses a misspelt tag keyword with the likely one, as the config file does', () => {
    const rule = { match: { tags: { PatientNme: 'X' } } };
    expect(apiRuleProblems(rule)).toEqual([
      'rules[0].match.tags.PatientNme: not a DICOM attribute keyword or a tag "(gggg,eeee)" (did you mean PatientName?)',
    ]);
    expect(configRuleProblems(rule)).toEqual([
      'match.tags.PatientNme: not a DICOM attribute keyword or a tag "(gggg,eeee)" (did you mean PatientName?)',
    ]);
  });

  it('refuses a regular expression that does not compile, as the config file does', () => {
    const rule = { match: { peerAddress: { regex: '10.0.(' } } };
    expect(apiRuleProblems(rule)).toEqual(['rules[0].match.peerAddress.regex: invalid regular expression "10.0.(": Unterminated group']);
    expect(configRuleProblems(rule)).toEqual(['match.peerAddress.regex: invalid regular expression "10.0.(": Unterminated group']);
  });

  it('takes a rule whose keywords and tags exist', () => {
    expect(apiRuleProblems({ match: { tags: { PatientID: 'X', '(0008,0060)': ['CT', 'MR'] } } })).toEqual([]);
  });
});
