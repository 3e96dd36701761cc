/** The gateway's identity in file meta groups and association negotiation. */
export const IMPLEMENTATION_CLASS_UID = '2.25.302598485570690475450927131409596590711';
/** SH, at most 16 characters; constant across patch releases so stored files stay identical. */
export const IMPLEMENTATION_VERSION_NAME = 'DICOMGATEWAY_01';
