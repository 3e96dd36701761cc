/**
 * A small data dictionary: the VR an Implicit VR dataset does not carry, and a keyword for
 * reports. It covers the file meta group, the attributes common to image objects and the usual
 * sequences; anything else reads as UN, which is what an implicit-VR reader without a
 * dictionary entry must assume.
 */

const ENTRIES: ReadonlyArray<readonly [number, string, string]> = [
  [0x00020000, 'UL', 'FileMetaInformationGroupLength'],
  [0x00020001, 'OB', 'FileMetaInformationVersion'],
  [0x00020002, 'UI', 'MediaStorageSOPClassUID'],
  [0x00020003, 'UI', 'MediaStorageSOPInstanceUID'],
  [0x00020010, 'UI', 'TransferSyntaxUID'],
  [0x00020012, 'UI', 'ImplementationClassUID'],
  [0x00020013, 'SH', 'ImplementationVersionName'],
  [0x00020016, 'AE', 'SourceApplicationEntityTitle'],
  [0x00020017, 'AE', 'SendingApplicationEntityTitle'],
  [0x00020018, 'AE', 'ReceivingApplicationEntityTitle'],
  [0x00020026, 'UR', 'SourcePresentationAddress'],
  [0x00020027, 'UR', 'SendingPresentationAddress'],
  [0x00020028, 'UR', 'ReceivingPresentationAddress'],
  [0x00020031, 'OB', 'RTVMetaInformationVersion'],
  [0x00020032, 'UI', 'RTVCommunicationSOPClassUID'],
  [0x00020033, 'UI', 'RTVCommunicationSOPInstanceUID'],
  [0x00020035, 'OB', 'RTVSourceIdentifier'],
  [0x00020036, 'OB', 'RTVFlowIdentifier'],
  [0x00020037, 'UL', 'RTVFlowRTPSamplingRate'],
  [0x00020038, 'FD', 'RTVFlowActualFrameDuration'],
  [0x00020100, 'UI', 'PrivateInformationCreatorUID'],
  [0x00020102, 'OB', 'PrivateInformation'],
  [0x00080005, 'CS', 'SpecificCharacterSet'],
  [0x00080008, 'CS', 'ImageType'],
  [0x00080012, 'DA', 'InstanceCreationDate'],
  [0x00080013, 'TM', 'InstanceCreationTime'],
  [0x00080014, 'UI', 'InstanceCreatorUID'],
  [0x00080016, 'UI', 'SOPClassUID'],
  [0x00080018, 'UI', 'SOPInstanceUID'],
  [0x00080020, 'DA', 'StudyDate'],
  [0x00080021, 'DA', 'SeriesDate'],
  [0x00080022, 'DA', 'AcquisitionDate'],
  [0x00080023, 'DA', 'ContentDate'],
  [0x0008002a, 'DT', 'AcquisitionDateTime'],
  [0x00080030, 'TM', 'StudyTime'],
  [0x00080031, 'TM', 'SeriesTime'],
  [0x00080032, 'TM', 'AcquisitionTime'],
  [0x00080033, 'TM', 'ContentTime'],
  [0x00080050, 'SH', 'AccessionNumber'],
  [0x00080051, 'SQ', 'IssuerOfAccessionNumberSequence'],
  [0x00080060, 'CS', 'Modality'],
  [0x00080064, 'CS', 'ConversionType'],
  [0x00080070, 'LO', 'Manufacturer'],
  [0x00080080, 'LO', 'InstitutionName'],
  [0x00080081, 'ST', 'InstitutionAddress'],
  [0x00080090, 'PN', 'ReferringPhysicianName'],
  [0x00080100, 'SH', 'CodeValue'],
  [0x00080102, 'SH', 'CodingSchemeDesignator'],
  [0x00080103, 'SH', 'CodingSchemeVersion'],
  [0x00080104, 'LO', 'CodeMeaning'],
  [0x00081010, 'SH', 'StationName'],
  [0x00081030, 'LO', 'StudyDescription'],
  [0x00081032, 'SQ', 'ProcedureCodeSequence'],
  [0x0008103e, 'LO', 'SeriesDescription'],
  [0x00081040, 'LO', 'InstitutionalDepartmentName'],
  [0x00081050, 'PN', 'PerformingPhysicianName'],
  [0x00081070, 'PN', 'OperatorsName'],
  [0x00081090, 'LO', 'ManufacturerModelName'],
  [0x00081110, 'SQ', 'ReferencedStudySequence'],
  [0x00081111, 'SQ', 'ReferencedPerformedProcedureStepSequence'],
  [0x00081115, 'SQ', 'ReferencedSeriesSequence'],
  [0x00081120, 'SQ', 'ReferencedPatientSequence'],
  [0x00081140, 'SQ', 'ReferencedImageSequence'],
  [0x00081150, 'UI', 'ReferencedSOPClassUID'],
  [0x00081155, 'UI', 'ReferencedSOPInstanceUID'],
  [0x00081160, 'IS', 'ReferencedFrameNumber'],
  [0x00082111, 'ST', 'DerivationDescription'],
  [0x00082112, 'SQ', 'SourceImageSequence'],
  [0x00089215, 'SQ', 'DerivationCodeSequence'],
  [0x00100010, 'PN', 'PatientName'],
  [0x00100020, 'LO', 'PatientID'],
  [0x00100021, 'LO', 'IssuerOfPatientID'],
  [0x00100030, 'DA', 'PatientBirthDate'],
  [0x00100040, 'CS', 'PatientSex'],
  [0x00101010, 'AS', 'PatientAge'],
  [0x00101020, 'DS', 'PatientSize'],
  [0x00101030, 'DS', 'PatientWeight'],
  [0x00104000, 'LT', 'PatientComments'],
  [0x00180015, 'CS', 'BodyPartExamined'],
  [0x00180050, 'DS', 'SliceThickness'],
  [0x00180060, 'DS', 'KVP'],
  [0x00180088, 'DS', 'SpacingBetweenSlices'],
  [0x00181000, 'LO', 'DeviceSerialNumber'],
  [0x00181020, 'LO', 'SoftwareVersions'],
  [0x00181030, 'LO', 'ProtocolName'],
  [0x00181150, 'IS', 'ExposureTime'],
  [0x00181151, 'IS', 'XRayTubeCurrent'],
  [0x00181152, 'IS', 'Exposure'],
  [0x00185100, 'CS', 'PatientPosition'],
  [0x0020000d, 'UI', 'StudyInstanceUID'],
  [0x0020000e, 'UI', 'SeriesInstanceUID'],
  [0x00200010, 'SH', 'StudyID'],
  [0x00200011, 'IS', 'SeriesNumber'],
  [0x00200012, 'IS', 'AcquisitionNumber'],
  [0x00200013, 'IS', 'InstanceNumber'],
  [0x00200020, 'CS', 'PatientOrientation'],
  [0x00200032, 'DS', 'ImagePositionPatient'],
  [0x00200037, 'DS', 'ImageOrientationPatient'],
  [0x00200052, 'UI', 'FrameOfReferenceUID'],
  [0x00201040, 'LO', 'PositionReferenceIndicator'],
  [0x00201041, 'DS', 'SliceLocation'],
  [0x00204000, 'LT', 'ImageComments'],
  [0x00209221, 'SQ', 'DimensionOrganizationSequence'],
  [0x00209222, 'SQ', 'DimensionIndexSequence'],
  [0x00280002, 'US', 'SamplesPerPixel'],
  [0x00280004, 'CS', 'PhotometricInterpretation'],
  [0x00280006, 'US', 'PlanarConfiguration'],
  [0x00280008, 'IS', 'NumberOfFrames'],
  [0x00280009, 'AT', 'FrameIncrementPointer'],
  [0x00280010, 'US', 'Rows'],
  [0x00280011, 'US', 'Columns'],
  [0x00280030, 'DS', 'PixelSpacing'],
  [0x00280100, 'US', 'BitsAllocated'],
  [0x00280101, 'US', 'BitsStored'],
  [0x00280102, 'US', 'HighBit'],
  [0x00280103, 'US', 'PixelRepresentation'],
  [0x00281050, 'DS', 'WindowCenter'],
  [0x00281051, 'DS', 'WindowWidth'],
  [0x00281052, 'DS', 'RescaleIntercept'],
  [0x00281053, 'DS', 'RescaleSlope'],
  [0x00281054, 'LO', 'RescaleType'],
  [0x00282110, 'CS', 'LossyImageCompression'],
  [0x00283010, 'SQ', 'VOILUTSequence'],
  [0x00321060, 'LO', 'RequestedProcedureDescription'],
  [0x00324000, 'LT', 'StudyComments'],
  [0x00400244, 'DA', 'PerformedProcedureStepStartDate'],
  [0x00400245, 'TM', 'PerformedProcedureStepStartTime'],
  [0x00400253, 'SH', 'PerformedProcedureStepID'],
  [0x00400254, 'LO', 'PerformedProcedureStepDescription'],
  [0x00400260, 'SQ', 'PerformedProtocolCodeSequence'],
  [0x00400275, 'SQ', 'RequestAttributesSequence'],
  [0x00400007, 'LO', 'ScheduledProcedureStepDescription'],
  [0x00400008, 'SQ', 'ScheduledProtocolCodeSequence'],
  [0x00400009, 'SH', 'ScheduledProcedureStepID'],
  [0x00401001, 'SH', 'RequestedProcedureID'],
  [0x0040a043, 'SQ', 'ConceptNameCodeSequence'],
  [0x0040a168, 'SQ', 'ConceptCodeSequence'],
  [0x0040a730, 'SQ', 'ContentSequence'],
  [0x00540016, 'SQ', 'RadiopharmaceuticalInformationSequence'],
  [0x00880200, 'SQ', 'IconImageSequence'],
  [0x52009229, 'SQ', 'SharedFunctionalGroupsSequence'],
  [0x52009230, 'SQ', 'PerFrameFunctionalGroupsSequence'],
  [0x7fe00008, 'OF', 'FloatPixelData'],
  [0x7fe00009, 'OD', 'DoubleFloatPixelData'],
  [0x7fe00010, 'OW', 'PixelData'],
  [0xfffafffa, 'SQ', 'DigitalSignaturesSequence'],
  [0xfffcfffc, 'OB', 'DataSetTrailingPadding'],
];

const BY_TAG = new Map<number, { vr: string; keyword: string }>(ENTRIES.map(([tag, vr, keyword]) => [tag, { vr, keyword }]));

export const PIXEL_DATA = 0x7fe00010;
export const TRAILING_PADDING = 0xfffcfffc;

function isPrivateCreator(tag: number): boolean {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  return group % 2 === 1 && element >= 0x0010 && element <= 0x00ff;
}

export function isGroupLength(tag: number): boolean {
  return (tag & 0xffff) === 0 && tag >>> 16 !== 0xfffe;
}

/** The VR an Implicit VR reader assumes for `tag`: from the dictionary, else UN. */
export function implicitVrOf(tag: number): string {
  if (isGroupLength(tag)) return 'UL';
  if (isPrivateCreator(tag)) return 'LO';
  return BY_TAG.get(tag)?.vr ?? 'UN';
}

/** "PatientName", "GroupLength", "PrivateCreator", or undefined for tags outside this small dictionary. */
export function keywordOf(tag: number): string | undefined {
  if (isGroupLength(tag) && tag >>> 16 !== 0x0002) return 'GroupLength';
  if (isPrivateCreator(tag)) return 'PrivateCreator';
  return BY_TAG.get(tag)?.keyword;
}
