/* common/jsonesc.h: strings made safe for JSON and CSV by hand, for writers that format a line
 * per event without a JSON library.
 *
 * JSON (RFC 8259): '"' and '\' are escaped with a backslash, control characters below 0x20 as
 * \u00XX. Names in captures and dtrace text are bytes, not always UTF-8 (a pcapng if_name is
 * whatever its writer put there): a string that is valid UTF-8 passes unchanged, and a string
 * that is not has every byte from 0x80 up written as \u0080..\u00ff, its Latin-1 reading, so
 * the output is always valid JSON and the bytes can be recovered (man/nta.1, "Names that are
 * not UTF-8"). CSV (RFC 4180): a field is quoted, doubling its quotes. */
#ifndef NTA_COMMON_JSONESC_H
#define NTA_COMMON_JSONESC_H

#include <stddef.h>

/* Nonzero when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF). */
int nta_utf8_valid(const char *s, size_t n);

/* Bytes nta_json_quote writes at most for n input bytes. */
#define NTA_JSON_QUOTED_MAX(n) (6 * (n) + 2)

/* s[0..n) as a quoted JSON string into out, which has room for NTA_JSON_QUOTED_MAX(n) bytes;
 * returns the bytes written. */
size_t nta_json_quote(char *out, const char *s, size_t n);

/* The same string as text Jansson accepts (valid UTF-8, unescaped): s itself when it is valid
 * UTF-8, else its Latin-1 reading converted to UTF-8 into buf (cap bytes, 2 * n + 1 suffice;
 * cut short, never overrun). The two writers then give the same JSON value. */
const char *nta_json_text(const char *s, char *buf, size_t cap);

/* s[0..n) as one quoted CSV field into out (room for 2 * n + 2 bytes); returns bytes written. */
size_t nta_csv_quote(char *out, const char *s, size_t n);

#endif
