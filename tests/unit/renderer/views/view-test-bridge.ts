/**
 * The shell's test bridge (../test-bridge.ts) with the chaining the view tests read best:
 * `installTestBridge().answer('listRules', [...]).fail('saveRules', {...})`, installed as the bridge
 * components get from useBridge().
 */
import type { CommandArgs, CommandFailure, CommandName, CommandResult } from '../../../../src-main/api/contract.ts';
import { setBridge } from '../../../../src-renderer/src/lib/bridge.ts';
import { createTestBridge, type TestBridge } from '../test-bridge.ts';

type Answer<C extends CommandName> = CommandResult<C> | ((args: CommandArgs<C>) => CommandResult<C> | Promise<CommandResult<C>>);

export interface ViewTestBridge extends TestBridge {
  /** Answers `command` with a value (a fresh copy each call) or a function of the arguments. */
  answer<C extends CommandName>(command: C, answer: Answer<C>): ViewTestBridge;
  /** Makes `command` reject the way transports do: with { message, detail }. */
  fail(command: CommandName, failure: CommandFailure): ViewTestBridge;
  /** The arguments of every call of `command`, in order. */
  argsOf(command: CommandName): unknown[];
  /** Paths pathsForDroppedFiles answers, in the order of the files given. */
  droppedPaths: string[];
}

export function installTestBridge(): ViewTestBridge {
  const bridge = createTestBridge() as ViewTestBridge;
  bridge.droppedPaths = [];
  bridge.resolveDropped = (files) => files.map((file, index) => bridge.droppedPaths[index] ?? `/dropped/${file.name}`);
  bridge.answer = <C extends CommandName>(command: C, answer: Answer<C>) => {
    const handler = typeof answer === 'function' ? answer : () => structuredClone(answer);
    (bridge.handlers as Record<string, unknown>)[command] = handler;
    return bridge;
  };
  bridge.fail = (command, failure) => {
    (bridge.handlers as Record<string, unknown>)[command] = () => Promise.reject({ ...failure });
    return bridge;
  };
  bridge.argsOf = (command) => bridge.calls.filter((call) => call.command === command).map((call) => call.args);
  setBridge(bridge);
  return bridge;
}
