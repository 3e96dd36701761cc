import { describe, expect, it } from 'vitest';
import { CommandField, CommandSet, CommandTag, encodeCStoreRq, encodeResponse, NO_DATASET } from '../../../src-main/dicom/dimse-command.ts';
import { implicitLeElement, textValue, uidValue, usValue } from '../../helpers/element-encoding.ts';

/** A command set as PS3.7 §6.3 lays it out: implicit VR little endian, the group length first. */
function commandSet(elements: Buffer[]): Buffer {
  const body = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length);
  return Buffer.concat([implicitLeElement(CommandTag.GroupLength, groupLength), body]);
}

describe('encodeCStoreRq', () => {
  it('writes the elements in tag order after their group length, odd UIDs padded with a NUL', () => {
    expect(encodeCStoreRq(7, '1.2.840.10008.5.1.4.1.1.2', '1.2.3.45')).toEqual(
      commandSet([
        implicitLeElement(CommandTag.AffectedSopClassUid, uidValue('1.2.840.10008.5.1.4.1.1.2')),
        implicitLeElement(CommandTag.CommandField, usValue(CommandField.CStoreRq)),
        implicitLeElement(CommandTag.MessageId, usValue(7)),
        implicitLeElement(CommandTag.Priority, usValue(0)),
        implicitLeElement(CommandTag.CommandDataSetType, usValue(0)),
        implicitLeElement(CommandTag.AffectedSopInstanceUid, uidValue('1.2.3.45')),
      ]),
    );
  });
});

describe('encodeResponse', () => {
  it('writes a failure with its status and an error comment padded with a space', () => {
    const bytes = encodeResponse({
      commandField: CommandField.CStoreRsp,
      messageIdBeingRespondedTo: 7,
      status: 0xa700,
      sopClassUid: '1.2.3',
      sopInstanceUid: '1.2.34',
      errorComment: 'disk full',
    });
    expect(bytes).toEqual(
      commandSet([
        implicitLeElement(CommandTag.AffectedSopClassUid, uidValue('1.2.3')),
        implicitLeElement(CommandTag.CommandField, usValue(CommandField.CStoreRsp)),
        implicitLeElement(CommandTag.MessageIdBeingRespondedTo, usValue(7)),
        implicitLeElement(CommandTag.CommandDataSetType, usValue(NO_DATASET)),
        implicitLeElement(CommandTag.Status, usValue(0xa700)),
        implicitLeElement(CommandTag.ErrorComment, textValue('disk full')),
        implicitLeElement(CommandTag.AffectedSopInstanceUid, uidValue('1.2.34')),
      ]),
    );
    const decoded = CommandSet.decode(bytes);
    expect(decoded.uint16(CommandTag.Status)).toBe(0xa700);
    expect(decoded.text(CommandTag.ErrorComment)).toBe('disk full');
  });
});
