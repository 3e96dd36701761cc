/** Each command's usage line, apart from the command itself, so `--help` loads no command. */

export const SERVE_USAGE =
  'dicom-gateway serve [--config FILE] [--ae GATEWAY] [--host ADDR] [--port 11112|0] [--storage DIR] [--max-pdu N]\n' +
  '                    [--allow-calling-ae AE[,AE...]] [--max-associations N] [--accept-unknown-sop-classes true|false]\n' +
  '                    [--log-level debug|info|warn|error] [--log-format text|json] [--ui-port N|0] [--rotate-ui-token]\n' +
  '                    [--tls-port N|0 --tls-cert FILE --tls-key FILE [--tls-ca FILE] [--tls-require-client-cert true|false]]';

const CLIENT_TLS = '[--tls [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--tls-no-verify]]';

export const SEND_USAGE = `dicom-gateway send --to AE@HOST:PORT [--calling-ae AE] [--max-pdu N] [--allow-transcoding] [--json] ${CLIENT_TLS} PATH...`;

export const ECHO_USAGE = `dicom-gateway echo [--calling-ae AE] ${CLIENT_TLS} AE@HOST:PORT`;

export const COMPARE_USAGE = 'dicom-gateway compare A B [--json] [--syntax-a UID] [--syntax-b UID]';
