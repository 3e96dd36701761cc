/**
 * Which storage SOP classes are "images" for routing (a rule's `sopClass: images`).
 *
 * The list is every SOP class PS3.4 Annex B names "... Image Storage" (current and retired, since
 * old modalities still send the retired ones), plus Enhanced US Volume Storage, whose IOD is an
 * image IOD although its name omits the word. Checked against DCMTK's image storage classes
 * (dcmIsImageStorageSOPClassUID): derived objects that carry pixel data but are not images to
 * look at are left out where DCMTK counts them: Segmentation (all three kinds) and OCT B-scan
 * Volume Analysis (DCMTK 3.6.7 also counted Parametric Map and the ophthalmic thickness and
 * corneal topography maps). A rule that wants those lists their UIDs. Every class dcmjs-dimse's
 * StorageClass names "...Image..." is included, and none of its others.
 */

/** By UID; each line names its class for the reader (the names people see: storage-sop-classes.ts). */
export const IMAGE_STORAGE_SOP_CLASSES: ReadonlySet<string> = new Set([
  '1.2.840.10008.5.1.1.29', // Hardcopy Grayscale Image Storage (Retired)
  '1.2.840.10008.5.1.1.30', // Hardcopy Color Image Storage (Retired)
  '1.2.840.10008.5.1.4.1.1.1', // Computed Radiography Image Storage
  '1.2.840.10008.5.1.4.1.1.1.1', // Digital X-Ray Image Storage - For Presentation
  '1.2.840.10008.5.1.4.1.1.1.1.1', // Digital X-Ray Image Storage - For Processing
  '1.2.840.10008.5.1.4.1.1.1.2', // Digital Mammography X-Ray Image Storage - For Presentation
  '1.2.840.10008.5.1.4.1.1.1.2.1', // Digital Mammography X-Ray Image Storage - For Processing
  '1.2.840.10008.5.1.4.1.1.1.3', // Digital Intra-Oral X-Ray Image Storage - For Presentation
  '1.2.840.10008.5.1.4.1.1.1.3.1', // Digital Intra-Oral X-Ray Image Storage - For Processing
  '1.2.840.10008.5.1.4.1.1.2', // CT Image Storage
  '1.2.840.10008.5.1.4.1.1.2.1', // Enhanced CT Image Storage
  '1.2.840.10008.5.1.4.1.1.2.2', // Legacy Converted Enhanced CT Image Storage
  '1.2.840.10008.5.1.4.1.1.3', // Ultrasound Multi-frame Image Storage (Retired)
  '1.2.840.10008.5.1.4.1.1.3.1', // Ultrasound Multi-frame Image Storage
  '1.2.840.10008.5.1.4.1.1.4', // MR Image Storage
  '1.2.840.10008.5.1.4.1.1.4.1', // Enhanced MR Image Storage
  '1.2.840.10008.5.1.4.1.1.4.3', // Enhanced MR Color Image Storage
  '1.2.840.10008.5.1.4.1.1.4.4', // Legacy Converted Enhanced MR Image Storage
  '1.2.840.10008.5.1.4.1.1.5', // Nuclear Medicine Image Storage (Retired)
  '1.2.840.10008.5.1.4.1.1.6', // Ultrasound Image Storage (Retired)
  '1.2.840.10008.5.1.4.1.1.6.1', // Ultrasound Image Storage
  '1.2.840.10008.5.1.4.1.1.6.2', // Enhanced US Volume Storage
  '1.2.840.10008.5.1.4.1.1.6.3', // Photoacoustic Image Storage
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture Image Storage
  '1.2.840.10008.5.1.4.1.1.7.1', // Multi-frame Single Bit Secondary Capture Image Storage
  '1.2.840.10008.5.1.4.1.1.7.2', // Multi-frame Grayscale Byte Secondary Capture Image Storage
  '1.2.840.10008.5.1.4.1.1.7.3', // Multi-frame Grayscale Word Secondary Capture Image Storage
  '1.2.840.10008.5.1.4.1.1.7.4', // Multi-frame True Color Secondary Capture Image Storage
  '1.2.840.10008.5.1.4.1.1.12.1', // X-Ray Angiographic Image Storage
  '1.2.840.10008.5.1.4.1.1.12.1.1', // Enhanced XA Image Storage
  '1.2.840.10008.5.1.4.1.1.12.2', // X-Ray Radiofluoroscopic Image Storage
  '1.2.840.10008.5.1.4.1.1.12.2.1', // Enhanced XRF Image Storage
  '1.2.840.10008.5.1.4.1.1.12.3', // X-Ray Angiographic Bi-Plane Image Storage (Retired)
  '1.2.840.10008.5.1.4.1.1.13.1.1', // X-Ray 3D Angiographic Image Storage
  '1.2.840.10008.5.1.4.1.1.13.1.2', // X-Ray 3D Craniofacial Image Storage
  '1.2.840.10008.5.1.4.1.1.13.1.3', // Breast Tomosynthesis Image Storage
  '1.2.840.10008.5.1.4.1.1.13.1.4', // Breast Projection X-Ray Image Storage - For Presentation
  '1.2.840.10008.5.1.4.1.1.13.1.5', // Breast Projection X-Ray Image Storage - For Processing
  '1.2.840.10008.5.1.4.1.1.14.1', // Intravascular Optical Coherence Tomography Image Storage - For Presentation
  '1.2.840.10008.5.1.4.1.1.14.2', // Intravascular Optical Coherence Tomography Image Storage - For Processing
  '1.2.840.10008.5.1.4.1.1.20', // Nuclear Medicine Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1', // VL Image Storage - Trial (Retired)
  '1.2.840.10008.5.1.4.1.1.77.2', // VL Multi-frame Image Storage - Trial (Retired)
  '1.2.840.10008.5.1.4.1.1.77.1.1', // VL Endoscopic Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.1.1', // Video Endoscopic Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.2', // VL Microscopic Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.2.1', // Video Microscopic Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.3', // VL Slide-Coordinates Microscopic Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.4', // VL Photographic Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.4.1', // Video Photographic Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.5.1', // Ophthalmic Photography 8 Bit Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.5.2', // Ophthalmic Photography 16 Bit Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.5.4', // Ophthalmic Tomography Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.5.5', // Wide Field Ophthalmic Photography Stereographic Projection Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.5.6', // Wide Field Ophthalmic Photography 3D Coordinates Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.5.7', // Ophthalmic Optical Coherence Tomography En Face Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.6', // VL Whole Slide Microscopy Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.7', // Dermoscopic Photography Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.8', // Confocal Microscopy Image Storage
  '1.2.840.10008.5.1.4.1.1.77.1.9', // Confocal Microscopy Tiled Pyramidal Image Storage
  '1.2.840.10008.5.1.4.1.1.128', // Positron Emission Tomography Image Storage
  '1.2.840.10008.5.1.4.1.1.128.1', // Legacy Converted Enhanced PET Image Storage
  '1.2.840.10008.5.1.4.1.1.130', // Enhanced PET Image Storage
  '1.2.840.10008.5.1.4.1.1.481.1', // RT Image Storage
  '1.2.840.10008.5.1.4.1.1.481.23', // Enhanced RT Image Storage
  '1.2.840.10008.5.1.4.1.1.481.24', // Enhanced Continuous RT Image Storage
  '1.2.840.10008.5.1.4.1.1.501.1', // DICOS CT Image Storage
  '1.2.840.10008.5.1.4.1.1.501.2.1', // DICOS Digital X-Ray Image Storage - For Presentation
  '1.2.840.10008.5.1.4.1.1.501.2.2', // DICOS Digital X-Ray Image Storage - For Processing
  '1.2.840.10008.5.1.4.1.1.601.1', // Eddy Current Image Storage
  '1.2.840.10008.5.1.4.1.1.601.2', // Eddy Current Multi-frame Image Storage
  '1.2.840.10008.5.1.4.1.1.601.3', // Thermography Image Storage
  '1.2.840.10008.5.1.4.1.1.601.4', // Thermography Multi-frame Image Storage
]);

export function isImageStorageSopClass(uid: string): boolean {
  return IMAGE_STORAGE_SOP_CLASSES.has(uid);
}
