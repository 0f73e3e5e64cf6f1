/* yamldoc: builds ydoc trees from libyaml events, one document at a time, so a
 * stream of many documents needs memory for one document only. */
#include "yamldoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* ---- arena: every node and string of one document, freed at once ---- */

struct yarena {
    struct yarena_chunk *head;
};

struct yarena_chunk {
    struct yarena_chunk *next;
    size_t used, size;
    max_align_t data[];
};

/* Returns size bytes from the arena, aligned for any type, or NULL. */
static void *arena_alloc(yarena *a, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    struct yarena_chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t chunk = size > 65536 ? size : 65536;
        c = malloc(sizeof *c + chunk);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->size = chunk;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

static void arena_free(yarena *a)
{
    if (!a)
        return;
    struct yarena_chunk *c = a->head;
    while (c) {
        struct yarena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

/* ---- anchors: name -> node, a small chained hash table per document ---- */

struct anchor {
    struct anchor *next;
    char *name;
    ynode *node;
};

#define ANCHOR_BUCKETS 256

/* ---- reader ---- */

struct frame {
    ynode *node;
    ynode **items;
    size_t n, cap;
    char *anchor;  /* anchor to register when the collection closes (owned, malloc) */
};

struct ydoc_reader {
    yaml_parser_t parser;
    ydoc_limits limits;
    unsigned line_offset;
    int done;
    /* per-document state */
    struct frame *stack;
    size_t depth, stack_cap;
    struct anchor *anchors[ANCHOR_BUCKETS];
    yarena *arena;
};

ydoc_limits ydoc_default_limits(void)
{
    ydoc_limits l = {512, 1000000, 16u << 20};
    return l;
}

static void apply_limits(ydoc_reader *r, const ydoc_limits *limits)
{
    r->limits = ydoc_default_limits();
    if (limits) {
        if (limits->max_depth)
            r->limits.max_depth = limits->max_depth;
        if (limits->max_nodes)
            r->limits.max_nodes = limits->max_nodes;
        if (limits->max_scalar)
            r->limits.max_scalar = limits->max_scalar;
    }
}

ydoc_reader *ydoc_reader_from_file(FILE *f, const ydoc_limits *limits)
{
    ydoc_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!yaml_parser_initialize(&r->parser)) {
        free(r);
        return NULL;
    }
    yaml_parser_set_input_file(&r->parser, f);
    apply_limits(r, limits);
    return r;
}

ydoc_reader *ydoc_reader_from_buffer(const char *buf, size_t len, unsigned line_offset,
                                     const ydoc_limits *limits)
{
    ydoc_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!yaml_parser_initialize(&r->parser)) {
        free(r);
        return NULL;
    }
    yaml_parser_set_input_string(&r->parser, (const unsigned char *)buf, len);
    r->line_offset = line_offset;
    apply_limits(r, limits);
    return r;
}

/* Drops the per-document state (stack, anchors); the arena is freed unless kept. */
static void reset_document(ydoc_reader *r, int keep_arena)
{
    for (size_t i = 0; i < r->depth; i++) {
        free(r->stack[i].items);
        free(r->stack[i].anchor);
    }
    r->depth = 0;
    for (size_t b = 0; b < ANCHOR_BUCKETS; b++) {
        struct anchor *a = r->anchors[b];
        while (a) {
            struct anchor *next = a->next;
            free(a->name);
            free(a);
            a = next;
        }
        r->anchors[b] = NULL;
    }
    if (!keep_arena)
        arena_free(r->arena);
    r->arena = NULL;
}

void ydoc_reader_free(ydoc_reader *r)
{
    if (!r)
        return;
    reset_document(r, 0);
    free(r->stack);
    yaml_parser_delete(&r->parser);
    free(r);
}

void ydoc_free(ydoc *doc)
{
    if (!doc)
        return;
    arena_free(doc->arena);
    doc->arena = NULL;
    doc->root = NULL;
}

static unsigned hash_name(const char *s)
{
    unsigned h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h % ANCHOR_BUCKETS;
}

static int anchor_set(ydoc_reader *r, const char *name, ynode *node)
{
    unsigned b = hash_name(name);
    for (struct anchor *a = r->anchors[b]; a; a = a->next)
        if (!strcmp(a->name, name)) {
            a->node = node; /* YAML allows redefining an anchor: later aliases see the new one */
            return 0;
        }
    struct anchor *a = malloc(sizeof *a);
    if (!a || !(a->name = strdup(name))) {
        free(a);
        return -1;
    }
    a->node = node;
    a->next = r->anchors[b];
    r->anchors[b] = a;
    return 0;
}

static ynode *anchor_get(ydoc_reader *r, const char *name)
{
    for (struct anchor *a = r->anchors[hash_name(name)]; a; a = a->next)
        if (!strcmp(a->name, name))
            return a->node;
    return NULL;
}

static int set_error(ydoc_error *err, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int set_error(ydoc_error *err, unsigned line, unsigned col, const char *fmt, ...)
{
    if (err) {
        err->line = line;
        err->col = col;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* set_error for a failed allocation: err->oom tells it from a problem of the input. */
static int set_oom(ydoc_error *err, unsigned line, unsigned col)
{
    if (err)
        err->oom = 1;
    return set_error(err, line, col, "out of memory while parsing YAML");
}

static void parser_error(ydoc_reader *r, ydoc_error *err)
{
    yaml_parser_t *p = &r->parser;
    unsigned line = (unsigned)p->problem_mark.line + 1 + r->line_offset;
    unsigned col = (unsigned)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset, not a line: say where in bytes */
        set_error(err, 0, 0, "%s at byte %zu", p->problem ? p->problem : "cannot read input",
                  p->problem_offset);
        if (err && p->problem_value != -1 && p->problem_value > 0)
            snprintf(err->message + strlen(err->message), sizeof err->message - strlen(err->message),
                     " (byte 0x%02x)", (unsigned)p->problem_value & 0xffu);
        return;
    }
    if (p->error == YAML_MEMORY_ERROR) {
        set_oom(err, 0, 0);
        return;
    }
    if (p->context)
        set_error(err, line, col, "%s %s", p->problem ? p->problem : "syntax error", p->context);
    else
        set_error(err, line, col, "%s", p->problem ? p->problem : "syntax error");
}

static ynode *new_node(ydoc_reader *r, ynode_kind kind, const yaml_mark_t *mark)
{
    ynode *n = arena_alloc(r->arena, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = (unsigned)mark->line + 1 + r->line_offset;
    n->col = (unsigned)mark->column + 1;
    n->weight = 1;
    return n;
}

/* Adds child to the open collection on top of the stack (or makes it the root). */
static int attach(ydoc_reader *r, ydoc *doc, ynode *child, ydoc_error *err)
{
    if (r->depth == 0) {
        doc->root = child;
        return 0;
    }
    struct frame *f = &r->stack[r->depth - 1];
    if (f->node->weight > r->limits.max_nodes - child->weight)
        return set_error(err, child->line, child->col,
                         "document expands to more than %zu nodes (alias bomb?)",
                         r->limits.max_nodes);
    f->node->weight += child->weight;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        ynode **items = realloc(f->items, cap * sizeof *items);
        if (!items)
            return set_oom(err, child->line, child->col);
        f->items = items;
        f->cap = cap;
    }
    f->items[f->n++] = child;
    return 0;
}

static int open_collection(ydoc_reader *r, ynode *node, const yaml_char_t *anchor,
                           ydoc_error *err)
{
    if (r->depth >= r->limits.max_depth)
        return set_error(err, node->line, node->col, "nesting deeper than %zu levels",
                         r->limits.max_depth);
    if (r->depth == r->stack_cap) {
        size_t cap = r->stack_cap ? r->stack_cap * 2 : 16;
        struct frame *s = realloc(r->stack, cap * sizeof *s);
        if (!s)
            return set_oom(err, node->line, node->col);
        r->stack = s;
        r->stack_cap = cap;
    }
    struct frame *f = &r->stack[r->depth++];
    memset(f, 0, sizeof *f);
    f->node = node;
    if (anchor && !(f->anchor = strdup((const char *)anchor)))
        return set_oom(err, node->line, node->col);
    return 0;
}

static int close_collection(ydoc_reader *r, ydoc *doc, ydoc_error *err)
{
    struct frame f = r->stack[--r->depth];
    ynode *n = f.node;
    int rc = 0;
    if (f.n) {
        n->children = arena_alloc(r->arena, f.n * sizeof *n->children);
        if (!n->children)
            rc = set_oom(err, n->line, n->col);
        else
            memcpy(n->children, f.items, f.n * sizeof *n->children);
    }
    n->len = n->kind == YNODE_MAP ? f.n / 2 : f.n;
    if (!rc && f.anchor && anchor_set(r, f.anchor, n))
        rc = set_oom(err, n->line, n->col);
    free(f.items);
    free(f.anchor);
    if (!rc)
        rc = attach(r, doc, n, err);
    return rc;
}

/* Handles one event inside a document; returns 1 when the document is complete. */
static int handle_event(ydoc_reader *r, ydoc *doc, yaml_event_t *ev, ydoc_error *err)
{
    ynode *n;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        if (ev->data.scalar.length > r->limits.max_scalar)
            return set_error(err, (unsigned)ev->start_mark.line + 1 + r->line_offset,
                             (unsigned)ev->start_mark.column + 1,
                             "scalar of %zu bytes exceeds the limit of %zu bytes",
                             ev->data.scalar.length, r->limits.max_scalar);
        if (!(n = new_node(r, YNODE_SCALAR, &ev->start_mark)) ||
            !(n->value = arena_alloc(r->arena, ev->data.scalar.length + 1)))
            return set_oom(err, 0, 0);
        memcpy(n->value, ev->data.scalar.value, ev->data.scalar.length);
        n->value[ev->data.scalar.length] = '\0';
        n->len = ev->data.scalar.length;
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
                    ev->data.scalar.style != YAML_ANY_SCALAR_STYLE;
        if (ev->data.scalar.anchor && anchor_set(r, (const char *)ev->data.scalar.anchor, n))
            return set_oom(err, n->line, n->col);
        return attach(r, doc, n, err);
    }
    case YAML_ALIAS_EVENT: {
        ynode *target = anchor_get(r, (const char *)ev->data.alias.anchor);
        if (!target)
            return set_error(err, (unsigned)ev->start_mark.line + 1 + r->line_offset,
                             (unsigned)ev->start_mark.column + 1, "unknown anchor '%.60s'",
                             (const char *)ev->data.alias.anchor);
        return attach(r, doc, target, err);
    }
    case YAML_SEQUENCE_START_EVENT:
        if (!(n = new_node(r, YNODE_SEQ, &ev->start_mark)))
            return set_oom(err, 0, 0);
        return open_collection(r, n, ev->data.sequence_start.anchor, err);
    case YAML_MAPPING_START_EVENT:
        if (!(n = new_node(r, YNODE_MAP, &ev->start_mark)))
            return set_oom(err, 0, 0);
        return open_collection(r, n, ev->data.mapping_start.anchor, err);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return close_collection(r, doc, err);
    case YAML_DOCUMENT_END_EVENT:
        return 1;
    default:
        return 0;
    }
}

int ydoc_reader_next(ydoc_reader *r, ydoc *doc, ydoc_error *err)
{
    memset(doc, 0, sizeof *doc);
    if (err)
        memset(err, 0, sizeof *err);
    if (r->done)
        return 0;
    int in_document = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&r->parser, &ev)) {
            parser_error(r, err);
            reset_document(r, 0);
            r->done = 1;
            return -1;
        }
        int rc = 0;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            r->done = 1;
            return 0;
        } else if (ev.type == YAML_DOCUMENT_START_EVENT) {
            in_document = 1;
            r->arena = calloc(1, sizeof *r->arena);
            if (!r->arena)
                rc = set_oom(err, 0, 0);
            doc->line = (unsigned)ev.start_mark.line + 1 + r->line_offset;
        } else if (in_document) {
            rc = handle_event(r, doc, &ev, err);
        }
        yaml_event_delete(&ev);
        if (rc < 0) {
            reset_document(r, 0);
            doc->root = NULL;
            r->done = 1;
            return -1;
        }
        if (rc == 1) {
            doc->arena = r->arena;
            reset_document(r, 1);
            return 1;
        }
    }
}

int ydoc_load_path(const char *path, ydoc *doc, ydoc_error *err)
{
    memset(doc, 0, sizeof *doc);
    FILE *f = fopen(path, "rb");
    if (!f)
        return set_error(err, 0, 0, "cannot open %.200s: %s", path, strerror(errno));
    ydoc_reader *r = ydoc_reader_from_file(f, NULL);
    int rc;
    if (!r) {
        rc = set_oom(err, 0, 0);
    } else {
        rc = ydoc_reader_next(r, doc, err);
        if (rc == 0)
            rc = set_error(err, 1, 1, "%.200s holds no YAML document", path);
        else if (rc == 1)
            rc = 0;
        ydoc_reader_free(r);
    }
    fclose(f);
    return rc;
}

const ynode *ynode_map_get(const ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    const ynode *found = NULL;
    for (size_t i = 0; i < map->len; i++) {
        const ynode *k = map->children[2 * i];
        if (k->kind == YNODE_SCALAR && !strcmp(k->value, key))
            found = map->children[2 * i + 1];
    }
    return found;
}

const ynode *ynode_path(const ynode *root, const char *path)
{
    const ynode *n = root;
    const char *p = path;
    if (p[0] == '$')
        p++;
    if (p[0] == '.')
        p++;
    char key[256];
    while (n && *p) {
        if (*p == '[') {
            char *end;
            errno = 0;
            unsigned long idx = strtoul(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || errno || n->kind != YNODE_SEQ || idx >= n->len)
                return NULL;
            n = n->children[idx];
            p = end + 1;
        } else {
            size_t k = 0;
            while (*p && *p != '.' && *p != '[') {
                if (k + 1 >= sizeof key)
                    return NULL;
                key[k++] = *p++;
            }
            key[k] = '\0';
            n = ynode_map_get(n, key);
        }
        if (*p == '.')
            p++;
    }
    return n;
}

const char *ynode_str(const ynode *n)
{
    return n && n->kind == YNODE_SCALAR ? n->value : NULL;
}

const char *ynode_map_str(const ynode *map, const char *key)
{
    const char *s = ynode_str(ynode_map_get(map, key));
    return s ? s : "";
}

int ynode_is_null(const ynode *n)
{
    if (!n)
        return 1;
    if (n->kind != YNODE_SCALAR || n->quoted)
        return 0;
    return !n->len || !strcmp(n->value, "~") || !strcasecmp(n->value, "null");
}

int ynode_bool(const ynode *n, int *out)
{
    if (!n || n->kind != YNODE_SCALAR || n->quoted)
        return -1;
    if (!strcasecmp(n->value, "true"))
        *out = 1;
    else if (!strcasecmp(n->value, "false"))
        *out = 0;
    else
        return -1;
    return 0;
}

int ynode_int(const ynode *n, long long *out)
{
    if (!n || n->kind != YNODE_SCALAR || n->quoted || !n->len)
        return -1;
    const char *s = n->value;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && s[1] == 'o') {
        base = 8;
        s += 2;
    }
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, base);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}
