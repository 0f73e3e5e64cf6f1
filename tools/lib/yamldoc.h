/* yamldoc: a YAML (and so JSON) document model over libyaml. Every node knows its
 * line and column; aliases share the anchored node (never copied); limits on depth,
 * expanded size and scalar length turn hostile input into an error, not a crash. */
#ifndef TODO_YAMLDOC_H
#define TODO_YAMLDOC_H

#include <stddef.h>
#include <stdio.h>

typedef enum { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP } ynode_kind;

typedef struct ynode {
    ynode_kind kind;
    unsigned line, col;      /* 1-based position of the node in the input */
    int quoted;              /* scalar written with quotes or as a block (so "123" is a string) */
    size_t len;              /* scalar: bytes of value; seq: items; map: pairs */
    char *value;             /* scalar: NUL-terminated text (NULL for collections) */
    struct ynode **children; /* seq: len items; map: 2*len entries, key then value */
    size_t weight;           /* nodes in this subtree with aliases expanded (bomb guard) */
} ynode;

typedef struct yarena yarena;

typedef struct ydoc {
    ynode *root;         /* NULL for an empty document */
    unsigned line;       /* line where the document starts */
    yarena *arena;       /* owns every node of the document */
} ydoc;

typedef struct ydoc_limits {
    size_t max_depth;   /* nesting of collections; default 512 */
    size_t max_nodes;   /* expanded node count per document; default 1,000,000 */
    size_t max_scalar;  /* bytes in one scalar; default 16 MiB */
} ydoc_limits;

typedef struct ydoc_error {
    unsigned line, col;  /* 1-based; 0 when unknown */
    char message[256];
    int oom;             /* memory ran out: not a problem of the input */
} ydoc_error;

typedef struct ydoc_reader ydoc_reader;

/* Default limits (a zero field in a caller's ydoc_limits also means "default"). */
ydoc_limits ydoc_default_limits(void);

/* A reader over a stream of documents. The reader does not own f or buf, which must
 * outlive it. line_offset is added to every line (for a buffer cut from a larger file).
 * limits may be NULL. Returns NULL when out of memory. */
ydoc_reader *ydoc_reader_from_file(FILE *f, const ydoc_limits *limits);
ydoc_reader *ydoc_reader_from_buffer(const char *buf, size_t len, unsigned line_offset,
                                     const ydoc_limits *limits);
/* Reads the next document: 1 and *doc filled (free it with ydoc_free), 0 at the end of
 * the stream, -1 on a syntax or limit error (*err filled; the reader is then finished). */
int ydoc_reader_next(ydoc_reader *r, ydoc *doc, ydoc_error *err);
void ydoc_reader_free(ydoc_reader *r);
void ydoc_free(ydoc *doc);

/* Loads the first document of a file (schemas, config). -1 with err on failure,
 * including an unreadable file. */
int ydoc_load_path(const char *path, ydoc *doc, ydoc_error *err);

/* Value of key in a map (last one wins, like most YAML loaders), or NULL. */
const ynode *ynode_map_get(const ynode *map, const char *key);
/* Follows a path such as "spec.template.spec.containers[0].image" (a leading "$." or
 * "." is allowed, so jq-style ".access_token" works). NULL when anything is missing. */
const ynode *ynode_path(const ynode *root, const char *path);
/* Scalar text, or NULL when n is not a scalar. */
const char *ynode_str(const ynode *n);
/* Text of key's scalar value in map, or "" when absent or not a scalar. */
const char *ynode_map_str(const ynode *map, const char *key);
/* True for a missing node and for plain null, ~ or empty scalars. */
int ynode_is_null(const ynode *n);
/* Plain true/false (YAML 1.2 core, any case): 0 and *out set, -1 otherwise. */
int ynode_bool(const ynode *n, int *out);
/* Plain decimal integer (also 0x/0o): 0 and *out set, -1 otherwise. */
int ynode_int(const ynode *n, long long *out);

#endif
