import { describe, expect, it } from 'vitest';
import { CommandError, commandFailureOf, GENERIC_FAILURE } from '../../../src-main/api/command-failure.ts';

describe('commandFailureOf', () => {
  it('keeps the message and detail of a CommandError', () => {
    expect(commandFailureOf(new CommandError('The PACS refused the images.', 'status 0xA700'))).toEqual({
      message: 'The PACS refused the images.',
      detail: 'status 0xA700',
    });
    expect(commandFailureOf(CommandError.of({ message: 'm', detail: 'd' }))).toEqual({ message: 'm', detail: 'd' });
  });

  it('gives any other failure the generic words, with its own message (never its stack) in the detail', () => {
    const failure = commandFailureOf(new TypeError('cannot read x of undefined'));
    expect(failure).toEqual({ message: GENERIC_FAILURE, detail: 'cannot read x of undefined' });
    expect(failure.detail).not.toMatch(/\bat .*\.ts:\d+/);
    expect(commandFailureOf('boom')).toEqual({ message: 'Something went wrong in the gateway.', detail: 'boom' });
  });
});

describe('CommandError', () => {
  it('crosses a transport as exactly its message and detail', () => {
    expect(JSON.parse(JSON.stringify(new CommandError('words', 'detail')))).toEqual({ message: 'words', detail: 'detail' });
  });
});
