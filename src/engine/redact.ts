// Connection strings carry passwords; nothing pgarch prints may contain one.

// The password runs to the last `@` before the host's path: a raw `@` or space in it (which
// percent-encoding should have hidden) must not leave its end in view.
const URL_PASSWORD = /(postgres(?:ql)?:\/\/[^:/@\s]*:)([^/]*)@/gi;
const KEYWORD_PASSWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi;

/** Replace the password in a connection URL or keyword/value string (and in any text containing one). */
export function redact(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@').replace(KEYWORD_PASSWORD, '$1***');
}

/** Redact a known password wherever it appears verbatim (drivers sometimes echo it in errors). */
export function redactSecret(text: string, secret: string | undefined): string {
  const redacted = redact(text);
  return secret ? redacted.split(secret).join('***') : redacted;
}
