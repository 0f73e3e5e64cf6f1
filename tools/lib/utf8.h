/* utf8: validation of UTF-8 byte sequences (RFC 3629: no overlongs, no surrogates). */
#ifndef TODO_UTF8_H
#define TODO_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at s, or 0 if it is invalid or truncated. */
size_t utf8_sequence_length(const unsigned char *s, size_t avail);
/* Returns the byte offset of the first invalid sequence, or (size_t)-1 if s is valid. */
size_t utf8_first_invalid(const char *s, size_t len);

#endif
