/* jsonw: minimal JSON writing helpers (strings escaped per RFC 8259). */
#ifndef TODO_JSONW_H
#define TODO_JSONW_H

#include <stddef.h>
#include <stdio.h>

/* Writes s as a quoted JSON string; invalid UTF-8 bytes become U+FFFD. */
void jsonw_string(FILE *out, const char *s);
void jsonw_string_n(FILE *out, const char *s, size_t len);

#endif
