/**
 * Names for the UIDs the receive log and the tables show. Events carry only UIDs; command results
 * already carry the engine's sopClassName. Both come from the engine's own tables, through the
 * contract, so a name reads the same in every view and message. A UID without a name is shown as
 * the UID itself, never guessed.
 */
export { sopClassName, transferSyntaxName } from '../../../src-main/api/contract.ts';
