/** stdout line prefix under which main.ts prints a generated admin token (shell-sourceable: NAME=value). */
export const TOKEN_LINE_PREFIX = 'CDNLAB_CONTROL_TOKEN=';
