/* dotenv: the .env parser with Docker Compose's semantics (compose-go's dotenv package):
 * `export ` prefix, `#` comments, single quotes (literal, multi-line), double quotes
 * (escapes, multi-line, interpolation), `KEY: value`, a bare `KEY` line (inherited from
 * the environment), BOM, CRLF, and ${VAR} interpolation with :- - :? ? :+ + operators.
 *
 * Where Compose stops at the first error, this parser reports it (rules unterminated-quote,
 * invalid-key, invalid-utf8, bad-substitution, value-too-large) and goes on with the next
 * line, so one run shows every problem. Messages never contain a value. */
#ifndef TODO_DOTENV_H
#define TODO_DOTENV_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* Limits that keep hostile input an error, not a crash or a hang. */
#define DOTENV_MAX_NESTING 32               /* ${A:-${B:-...}} levels */
#define DOTENV_MAX_DIAGS 1000               /* findings per file from the parser */

/* Size limits, enforced while reading and expanding (a value is never built past its
 * limit), so a few lines of doubling ${VAR} references are an error, not gigabytes.
 * env.schema.yaml's `limits:` section sets them; these defaults apply otherwise. */
typedef struct dotenv_limits {
    size_t max_file_bytes;   /* bytes dotenv_load_path reads from one file */
    size_t max_value_bytes;  /* one value, after ${VAR} expansion */
    size_t max_total_bytes;  /* all values of one file together, after expansion */
} dotenv_limits;

/* 1 MiB of .env; 128 KiB per value (Linux's MAX_ARG_STRLEN: exec refuses a longer
 * environment string anyway); 2 MiB in all (the usual ARG_MAX for argv + environment). */
#define DOTENV_DEFAULT_MAX_FILE_BYTES ((size_t)1 << 20)
#define DOTENV_DEFAULT_MAX_VALUE_BYTES ((size_t)128 << 10)
#define DOTENV_DEFAULT_MAX_TOTAL_BYTES ((size_t)2 << 20)
#define DOTENV_LIMITS_DEFAULT                                                  \
    ((dotenv_limits){DOTENV_DEFAULT_MAX_FILE_BYTES, DOTENV_DEFAULT_MAX_VALUE_BYTES, \
                     DOTENV_DEFAULT_MAX_TOTAL_BYTES})

typedef struct dotenv_entry {
    char *key;              /* owned; "" for Compose's quirks (`=v`, a last line without '=') */
    char *value;            /* owned; the value Compose sees; NULL for a bare KEY not found */
    size_t value_len;       /* bytes in value (a NUL byte inside is reported, kept) */
    unsigned line, col;     /* position of the key (1-based, col in characters) */
    unsigned end_line;      /* line of the statement's last byte */
    size_t key_start, key_end;  /* key bytes as written (before right-trim) */
    size_t raw_start, raw_end;  /* value as written: with its quotes; an unquoted value
                                 * stops before " #" and trailing spaces */
    char separator;         /* '=', ':' or 0 (bare KEY line, or a last line without '=') */
    char quote;             /* 0, '\'' or '"' */
    unsigned char exported; /* written with `export ` */
    unsigned char inherited;/* bare KEY line: value taken from the environment */
    unsigned char error;    /* a syntax error hit this entry: its value is unreliable */
    unsigned char trailing_text; /* text after the closing quote on the same line */
    long prev;              /* index of the previous entry with the same key, or -1 */
} dotenv_entry;

typedef enum {
    DOTENV_LINE_BLANK,        /* only whitespace */
    DOTENV_LINE_COMMENT,      /* first non-space character is '#' */
    DOTENV_LINE_STATEMENT,    /* anything else outside a quoted value */
    DOTENV_LINE_CONTINUATION  /* inside a multi-line quoted value */
} dotenv_line_kind;

typedef struct dotenv_map dotenv_map;

typedef struct dotenv_file {
    char *name;              /* owned: file name used in findings */
    char *src;               /* owned copy of the input (NUL-terminated) */
    size_t len;
    size_t bom;              /* 3 when the input starts with a UTF-8 BOM, else 0 */
    dotenv_entry *entries;   /* every statement in order, duplicates included */
    size_t nentries, cap;
    size_t *line_starts;     /* offset of each line's first byte */
    unsigned char *line_kind;/* dotenv_line_kind per line */
    unsigned nlines;
    int stopped;             /* parsing stopped early (unterminated quote) */
    size_t errors;           /* syntax errors found */
    dotenv_map *map;         /* key -> index of the entry that set it last */
} dotenv_file;

/* Resolves a name against the process environment (or a test double): 1 and *value set
 * when it is defined, 0 otherwise. */
typedef int (*dotenv_lookup_fn)(void *ctx, const char *name, const char **value);

/* getenv() as a dotenv_lookup_fn (ctx unused). */
int dotenv_lookup_environ(void *ctx, const char *name, const char **value);

/* Parses len bytes of src (copied) into f. Like Compose, ${VAR} and a bare KEY line look
 * VAR up in lookup first (may be NULL: nothing defined) and then in the keys set earlier
 * in this file. A value over limits->max_value_bytes (or past max_total_bytes) is a
 * value-too-large finding and stays empty; limits NULL means the defaults. Syntax findings
 * go to diags (may be NULL). Returns 0, or -1 when out of memory. f must be freed with
 * dotenv_free even on failure. */
int dotenv_parse(dotenv_file *f, const char *name, const char *src, size_t len,
                 dotenv_lookup_fn lookup, void *ctx, const dotenv_limits *limits,
                 diag_list *diags);

/* Reads path ("-" = stdin) and parses it. -1 with a sentence in err on an I/O error
 * (missing file, directory, more than limits->max_file_bytes) or when out of memory. */
int dotenv_load_path(dotenv_file *f, const char *path, dotenv_lookup_fn lookup, void *ctx,
                     const dotenv_limits *limits, diag_list *diags, char *err, size_t errlen);

/* dotenv_load_path for a tool that uses the values (envcheck get, secretgen), which
 * refuses a file Compose would refuse: prints the findings, then "TOOL: PATH has syntax
 * errors (Compose would refuse it)", or the I/O or memory error, on err. Returns 0, 1 for
 * a file with syntax errors, 2 on an I/O error or out of memory (the exit status). f must
 * be freed with dotenv_free in every case. */
int dotenv_load_usable(dotenv_file *f, const char *tool, const char *path,
                       dotenv_lookup_fn lookup, const dotenv_limits *limits, FILE *err);

void dotenv_free(dotenv_file *f);

/* The entry holding key's final value (the last one that set it), or NULL. */
const dotenv_entry *dotenv_get(const dotenv_file *f, const char *key);

/* 1-based line and column (in characters) of a byte offset. */
void dotenv_position(const dotenv_file *f, size_t off, unsigned *line, unsigned *col);

/* Length of line i (0-based) without its "\n" or "\r\n". */
size_t dotenv_line_length(const dotenv_file *f, unsigned i);

/* Names referenced by $NAME / ${NAME...} in text (len bytes, unescaped `$$` skipped):
 * calls fn for each with a pointer into text and its length. */
void dotenv_references(const char *text, size_t len,
                       void (*fn)(void *ctx, const char *name, size_t len), void *ctx);

/* Compose's whitespace classes, exposed for the linter. */
int dotenv_is_unicode_space(unsigned cp);
/* Decodes one code point at s (avail bytes): returns its length (1 for an invalid byte,
 * then *cp = 0xFFFD). */
size_t dotenv_decode(const char *s, size_t avail, unsigned *cp);

#endif
