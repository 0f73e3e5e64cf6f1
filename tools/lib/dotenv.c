/* dotenv: a .env parser that reads a file the way Docker Compose does (compose-go's
 * dotenv parser and template package are the reference for every rule below). */
#include "dotenv.h"

#include <errno.h>
#include <stdarg.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wctype.h>

#include "utf8.h"

/* ---- small growable byte buffer ---- */

/* Grows on demand; when bounded, up to limit bytes: past it nothing more is added and
 * over is set, so an expansion never builds more than its limit. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    size_t limit;
    int bounded, oom, over;
} sbuf;

static void sb_reserve(sbuf *b, size_t more)
{
    if (b->oom || b->over || b->len + more + 1 <= b->cap)
        return;
    if (b->bounded && more > b->limit - b->len) {
        b->over = 1;
        return;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->bounded && n > b->limit - b->len)
        b->over = 1;
    sb_reserve(b, n);
    if (b->oom || b->over)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_addc(sbuf *b, char c)
{
    sb_add(b, &c, 1);
}

/* Returns the buffer as an owned NUL-terminated string (never NULL unless out of memory). */
static char *sb_take(sbuf *b)
{
    sb_reserve(b, 0);
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    if (!b->p && !(b->p = malloc(1)))
        return NULL;
    b->p[b->len] = '\0';
    char *p = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

/* ---- key -> entry index map (open addressing) ---- */

struct dotenv_map {
    size_t *slots; /* entry index + 1; 0 = empty */
    size_t cap, used;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t *map_slot(const dotenv_file *f, const char *key)
{
    dotenv_map *m = f->map;
    if (!m || !m->cap)
        return NULL;
    size_t i = hash_str(key) & (m->cap - 1);
    for (;;) {
        size_t *s = &m->slots[i];
        if (!*s || !strcmp(f->entries[*s - 1].key, key))
            return s;
        i = (i + 1) & (m->cap - 1);
    }
}

static int map_put(dotenv_file *f, size_t index)
{
    dotenv_map *m = f->map;
    if ((m->used + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        size_t *old = m->slots, ocap = m->cap;
        m->slots = calloc(ncap, sizeof *m->slots);
        if (!m->slots) {
            m->slots = old;
            return -1;
        }
        m->cap = ncap;
        m->used = 0;
        for (size_t i = 0; i < ocap; i++)
            if (old[i]) {
                size_t *s = map_slot(f, f->entries[old[i] - 1].key);
                *s = old[i];
                m->used++;
            }
        free(old);
    }
    size_t *s = map_slot(f, f->entries[index].key);
    if (!*s)
        m->used++;
    *s = index + 1;
    return 0;
}

const dotenv_entry *dotenv_get(const dotenv_file *f, const char *key)
{
    size_t *s = map_slot(f, key);
    return s && *s ? &f->entries[*s - 1] : NULL;
}

/* ---- characters ---- */

size_t dotenv_decode(const char *s, size_t avail, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t n = utf8_sequence_length(u, avail);
    if (!n) {
        *cp = 0xFFFD;
        return 1;
    }
    unsigned c = n == 2 ? u[0] & 0x1F : n == 3 ? u[0] & 0x0F : u[0] & 0x07;
    for (size_t i = 1; i < n; i++)
        c = (c << 6) | (u[i] & 0x3F);
    *cp = c;
    return n;
}

/* Go's unicode.IsSpace. */
int dotenv_is_unicode_space(unsigned cp)
{
    switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return 1;
    }
    return cp >= 0x2000 && cp <= 0x200A;
}

/* Decodes the code point that ends at s[end] (Go's utf8.DecodeLastRune): its length, or 1
 * with U+FFFD when the bytes before end are not a valid sequence ending there. */
static size_t decode_last(const char *s, size_t start, size_t end, unsigned *cp)
{
    unsigned char last = (unsigned char)s[end - 1];
    if (last < 0x80) {
        *cp = last;
        return 1;
    }
    for (size_t k = 2; k <= 4 && k <= end - start; k++) {
        unsigned char b = (unsigned char)s[end - k];
        if ((b & 0xC0) == 0x80)
            continue;
        if (dotenv_decode(s + end - k, k, cp) == k && *cp != 0xFFFD)
            return k;
        break;
    }
    *cp = 0xFFFD;
    return 1;
}

/* Go's strings.TrimRightFunc(s[start:end], unicode.IsSpace): the new end. */
static size_t trim_right_space(const char *s, size_t start, size_t end)
{
    while (end > start) {
        unsigned cp;
        size_t l = decode_last(s, start, end, &cp);
        if (!dotenv_is_unicode_space(cp))
            break;
        end -= l;
    }
    return end;
}

/* compose-go's isSpace: whitespace except the line break. */
static int is_inline_space(unsigned cp)
{
    switch (cp) {
    case '\t': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
        return 1;
    }
    return 0;
}

static int is_name_start(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* ---- interpolation (compose-go's template.Substitute) ---- */

typedef struct parse_ctx {
    dotenv_file *f;
    dotenv_lookup_fn lookup;
    void *lookup_ctx;
    diag_list *diags;
    dotenv_limits lim;
    size_t total;        /* bytes of the values kept so far (for lim.max_total_bytes) */
    int oom;             /* memory ran out: dotenv_parse fails */
    locale_t loc;        /* C.UTF-8, loaded on the first non-ASCII key character */
    int loc_tried;
} parse_ctx;

typedef struct subst_error {
    int set;
    char message[300];
} subst_error;

/* mapping(): the environment first, then keys set earlier in the file (Compose's order). */
static int resolve(parse_ctx *c, const char *name, size_t n, const char **value, size_t *vlen)
{
    char stack[128];
    char *key = n < sizeof stack ? stack : malloc(n + 1);
    if (!key) {
        c->oom = 1;
        return 0;
    }
    memcpy(key, name, n);
    key[n] = '\0';
    int found = 0;
    if (c->lookup && c->lookup(c->lookup_ctx, key, value)) {
        *vlen = strlen(*value);
        found = 1;
    } else {
        const dotenv_entry *e = dotenv_get(c->f, key);
        if (e && e->value) {
            *value = e->value;
            *vlen = e->value_len;
            found = 1;
        }
    }
    if (key != stack)
        free(key);
    return found;
}

static int substitute(parse_ctx *c, const char *s, size_t n, int depth, sbuf *out,
                      subst_error *err);

static void set_error(subst_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(subst_error *err, const char *fmt, ...)
{
    if (err->set)
        return;
    err->set = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* Caps a length for quoting names and texts in messages. */
static int cap80(size_t n)
{
    return n > 80 ? 80 : (int)n;
}

/* getFirstBraceClosingIndex over s[from..end]: compose-go skips the byte after each '{'. */
static size_t first_closing_brace(const char *s, size_t from, size_t end)
{
    int open = 0;
    for (size_t i = from; i < end; i++) {
        if (s[i] == '}') {
            open--;
            if (open == 0)
                return i;
        }
        if (s[i] == '{') {
            open++;
            i++;
        }
    }
    return (size_t)-1;
}

/* Handles ${...} starting at s[i] == '$', s[i+1] == '{'. Returns the index after it. */
static size_t substitute_braced(parse_ctx *c, const char *s, size_t n, size_t i, int depth,
                                sbuf *out, subst_error *err)
{
    size_t j = i + 2, k = j;
    const char *eol = memchr(s + i, '\n', n - i);
    size_t line_end = eol ? (size_t)(eol - s) : n;
    if (k < line_end && is_name_start(s[k])) {
        while (k < line_end && is_name_char(s[k]))
            k++;
    }
    if (k == j) {
        set_error(err, "invalid interpolation: expected a variable name after '${'");
        return n;
    }
    const char *name = s + j;
    size_t nlen = k - j;
    if (k < line_end && s[k] == '}') {
        const char *v;
        size_t vlen;
        if (resolve(c, name, nlen, &v, &vlen))
            sb_add(out, v, vlen);
        return k + 1;
    }
    size_t o = k;
    int colon = 0;
    if (o < line_end && s[o] == ':') {
        colon = 1;
        o++;
    }
    if (o >= line_end || (s[o] != '-' && s[o] != '+' && s[o] != '?')) {
        set_error(err, "invalid interpolation of %.*s: expected '}' or one of :- - :? ? :+ +",
                  cap80(nlen), name);
        return n;
    }
    char op = s[o++];
    /* the regex needs a '}' later on the same line; the last one ends its match */
    size_t last = (size_t)-1;
    for (size_t q = line_end; q > o; q--)
        if (s[q - 1] == '}') {
            last = q - 1;
            break;
        }
    if (last == (size_t)-1) {
        set_error(err, "invalid interpolation of %.*s: missing '}'", cap80(nlen), name);
        return n;
    }
    size_t close = first_closing_brace(s, i, last + 1);
    if (close == (size_t)-1)
        close = last;
    const char *arg = s + o;
    size_t alen = close - o;
    if (depth + 1 > DOTENV_MAX_NESTING) {
        set_error(err, "interpolation of %.*s is nested more than %d levels deep", cap80(nlen),
                  name, DOTENV_MAX_NESTING);
        return n;
    }
    const char *v = "";
    size_t vlen = 0;
    int ok = resolve(c, name, nlen, &v, &vlen);
    int use_arg;
    switch (op) {
    case '-': /* default when unset (:- also when empty) */
        use_arg = !ok || (colon && vlen == 0);
        if (use_arg)
            substitute(c, arg, alen, depth + 1, out, err);
        else
            sb_add(out, v, vlen);
        break;
    case '+': /* replacement when set (:+ only when not empty) */
        use_arg = ok && (!colon || vlen > 0);
        if (use_arg)
            substitute(c, arg, alen, depth + 1, out, err);
        else
            sb_add(out, v, vlen);
        break;
    default: /* '?': error when unset (:? also when empty) */
        if (!ok || (colon && vlen == 0)) {
            if (alen)
                set_error(err, "required variable %.*s is missing a value: %.*s", cap80(nlen),
                          name, cap80(alen), arg);
            else
                set_error(err, "required variable %.*s is missing a value", cap80(nlen), name);
        } else {
            sb_add(out, v, vlen);
        }
        break;
    }
    return close + 1;
}

static int substitute(parse_ctx *c, const char *s, size_t n, int depth, sbuf *out,
                      subst_error *err)
{
    size_t i = 0;
    while (i < n && !err->set && !out->over && !out->oom) {
        const char *dollar = memchr(s + i, '$', n - i);
        if (!dollar) {
            sb_add(out, s + i, n - i);
            break;
        }
        size_t d = (size_t)(dollar - s);
        sb_add(out, s + i, d - i);
        i = d;
        if (i + 1 >= n) {
            sb_addc(out, '$');
            i++;
        } else if (s[i + 1] == '$') {
            sb_addc(out, '$');
            i += 2;
        } else if (is_name_start(s[i + 1])) {
            size_t k = i + 1;
            while (k < n && is_name_char(s[k]))
                k++;
            const char *v;
            size_t vlen;
            if (resolve(c, s + i + 1, k - i - 1, &v, &vlen))
                sb_add(out, v, vlen);
            i = k;
        } else if (s[i + 1] == '{') {
            i = substitute_braced(c, s, n, i, depth, out, err);
        } else {
            sb_addc(out, '$');
            i++;
        }
    }
    return err->set ? -1 : 0;
}

/* ---- double-quote escapes (compose-go's expandEscapes) ---- */

static void put_codepoint(sbuf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        sb_addc(b, (char)cp);
    } else {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        sb_add(b, u, 2);
    }
}

static void expand_escapes(const char *s, size_t n, sbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            sb_addc(out, s[i]);
            continue;
        }
        char e = s[i + 1], r = 0;
        switch (e) {
        case 'a': r = '\a'; break;
        case 'b': r = '\b'; break;
        case 'f': r = '\f'; break;
        case 'n': r = '\n'; break;
        case 'r': r = '\r'; break;
        case 't': r = '\t'; break;
        case 'v': r = '\v'; break;
        case '"': r = '"'; break;
        case '\\': r = '\\'; break;
        }
        if (r) {
            sb_addc(out, r);
            i++;
        } else if (e == '$') {
            sb_add(out, "$$", 2);
            i++;
        } else if (e == '0') {
            size_t k = i + 2, digits = 0;
            while (k < n && digits < 3 && s[k] >= '0' && s[k] <= '9') {
                k++;
                digits++;
            }
            unsigned v = 0;
            int ok = digits == 3;
            for (size_t q = i + 2; q < k && ok; q++) {
                if (s[q] > '7')
                    ok = 0;
                v = v * 8 + (unsigned)(s[q] - '0');
            }
            if (ok && v <= 255) {
                put_codepoint(out, v);
            } else {
                sb_addc(out, '\\');
                sb_add(out, s + i + 2, digits);
            }
            i = k - 1;
        } else {
            sb_addc(out, '\\');
        }
    }
}

/* ---- diagnostics ---- */

void dotenv_position(const dotenv_file *f, size_t off, unsigned *line, unsigned *col)
{
    size_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    size_t start = f->nlines ? f->line_starts[lo] : 0;
    if (lo == 0 && start < f->bom)
        start = f->bom;
    unsigned c = 1;
    for (size_t i = start; i < off && i < f->len; i++)
        if (((unsigned char)f->src[i] & 0xC0) != 0x80)
            c++;
    *line = (unsigned)lo + 1;
    *col = c;
}

size_t dotenv_line_length(const dotenv_file *f, unsigned i)
{
    size_t start = f->line_starts[i];
    size_t end = i + 1 < f->nlines ? f->line_starts[i + 1] - 1 : f->len;
    if (i == 0 && start < f->bom)
        start = f->bom;
    if (i + 1 >= f->nlines && end > start && f->src[end - 1] == '\n')
        end--;
    if (end > start && f->src[end - 1] == '\r')
        end--;
    return end - start;
}

static void report(parse_ctx *c, size_t off, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(parse_ctx *c, size_t off, const char *rule, const char *fmt, ...)
{
    c->f->errors++;
    if (!c->diags || c->f->errors > DOTENV_MAX_DIAGS + 1)
        return;
    if (c->f->errors == DOTENV_MAX_DIAGS + 1) {
        diag_add(c->diags, c->f->name, 0, 0, DIAG_NOTE, rule, NULL,
                 "more than %d syntax errors: the rest are not shown (is this an env file?)",
                 DOTENV_MAX_DIAGS);
        return;
    }
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned line, col;
    dotenv_position(c->f, off, &line, &col);
    diag_add(c->diags, c->f->name, line, col, DIAG_ERROR, rule, NULL, "%s", msg);
}

/* ---- statements ---- */

static dotenv_entry *new_entry(dotenv_file *f)
{
    if (f->nentries == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 32;
        dotenv_entry *e = realloc(f->entries, cap * sizeof *e);
        if (!e)
            return NULL;
        f->entries = e;
        f->cap = cap;
    }
    dotenv_entry *e = &f->entries[f->nentries];
    memset(e, 0, sizeof *e);
    e->prev = -1;
    return e;
}

/* Stores the entry just filled: links duplicates and updates the key map. */
static int commit_entry(dotenv_file *f)
{
    size_t idx = f->nentries;
    dotenv_entry *e = &f->entries[idx];
    size_t *slot = map_slot(f, e->key);
    if (slot && *slot)
        e->prev = (long)(*slot - 1);
    f->nentries++;
    if (e->inherited && !e->value) {
        /* a bare KEY Compose could not resolve sets nothing; remember it for duplicates */
        return 0;
    }
    return map_put(f, idx);
}

static int is_letter_or_number(parse_ctx *c, unsigned cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp == 0xFFFD)
        return 0;
    if (!c->loc_tried) {
        c->loc_tried = 1;
        c->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    }
    if (c->loc != (locale_t)0)
        return iswalnum_l((wint_t)cp, c->loc) != 0;
    return 1;
}

static size_t skip_to_next_line(const dotenv_file *f, size_t pos)
{
    const char *nl = memchr(f->src + pos, '\n', f->len - pos);
    return nl ? (size_t)(nl - f->src) + 1 : f->len;
}

/* Bytes the next value may hold: lim.max_value_bytes, or what is left of
 * lim.max_total_bytes when that is less. */
static size_t value_room(const parse_ctx *c)
{
    size_t left = c->total < c->lim.max_total_bytes ? c->lim.max_total_bytes - c->total : 0;
    return left < c->lim.max_value_bytes ? left : c->lim.max_value_bytes;
}

/* Makes val (bounded by value_room) e's value. A value that went over its limit is a
 * value-too-large finding naming the variable and the limit, and stays empty. Returns
 * -1 when out of memory. */
static int keep_value(parse_ctx *c, dotenv_entry *e, sbuf *val)
{
    if (val->oom) {
        free(val->p);
        c->oom = 1;
        return -1;
    }
    if (val->over) {
        if (c->lim.max_value_bytes <= value_room(c))
            report(c, e->raw_start, "value-too-large",
                   "%.*s: the value expands to more than %zu bytes (limits.max_value_bytes)",
                   cap80(strlen(e->key)), e->key, c->lim.max_value_bytes);
        else
            report(c, e->raw_start, "value-too-large",
                   "%.*s: the values of this file expand to more than %zu bytes in all "
                   "(limits.max_total_bytes)",
                   cap80(strlen(e->key)), e->key, c->lim.max_total_bytes);
        e->error = 1;
        val->len = 0;
        val->over = 0;
    }
    e->value_len = val->len;
    e->value = sb_take(val);
    if (!e->value) {
        c->oom = 1;
        return -1;
    }
    c->total += e->value_len;
    return 0;
}

/* Frees what an entry that cannot be stored holds (memory ran out); stops parsing. */
static size_t abandon_entry(parse_ctx *c, dotenv_entry *e)
{
    c->oom = 1;
    free(e->key);
    free(e->value);
    e->key = e->value = NULL;
    return c->f->len;
}

/* Parses one statement starting at pos (a non-space, non-comment byte); returns the
 * offset where the next statement search starts. */
static size_t parse_statement(parse_ctx *c, size_t pos)
{
    dotenv_file *f = c->f;
    const char *s = f->src;
    size_t n = f->len, p = pos;
    int exported = 0;
    if (n - p > 6 && !memcmp(s + p, "export", 6) && strchr("\t\n\f\r ", s[p + 6]) && s[p + 6]) {
        exported = 1;
        p += 6;
        unsigned cp;
        size_t l;
        while (p < n && (l = dotenv_decode(s + p, n - p, &cp)) && is_inline_space(cp))
            p += l;
    }
    if (exported && p == n) {
        report(c, pos, "invalid-key", "unexpected end of file after 'export' (Compose rejects it)");
        return n;
    }
    size_t key_start = p, key_end = (size_t)-1, i = p;
    char sep = 0;
    while (i < n) {
        unsigned cp;
        size_t l = dotenv_decode(s + i, n - i, &cp);
        if (is_inline_space(cp)) {
            i += l;
            continue;
        }
        if (cp == '=' || cp == ':' || cp == '\n') {
            key_end = i;
            sep = (char)cp;
            break;
        }
        if (cp == '_' || cp == '.' || cp == '-' || cp == '[' || cp == ']' ||
            is_letter_or_number(c, cp)) {
            i += l;
            continue;
        }
        size_t eol = skip_to_next_line(f, i);
        size_t line_len = eol - key_start;
        while (line_len && (s[key_start + line_len - 1] == '\n' || s[key_start + line_len - 1] == '\r'))
            line_len--;
        if (cp == '"' || cp == '\'')
            report(c, i, "invalid-key",
                   "unexpected quote in variable name '%.*s' (quote the value, not the key)",
                   cap80(i - key_start), s + key_start);
        else
            report(c, i, "invalid-key",
                   "unexpected character in variable name '%.*s' (use letters, digits and _)",
                   cap80(i - key_start), s + key_start);
        return eol;
    }
    dotenv_entry *e = new_entry(f);
    if (!e) {
        c->oom = 1;
        return n;
    }
    e->exported = (unsigned char)exported;
    e->key_start = key_start;
    e->separator = sep;
    size_t vpos;
    if (key_end == (size_t)-1) {
        /* compose-go quirk: a last line without '=' or newline is a value with an empty key */
        e->key_end = key_start;
        e->key = strdup("");
        vpos = key_start;
        dotenv_position(f, key_start, &e->line, &e->col);
        if (e->key)
            report(c, key_start, "invalid-key",
                   "the last line has no '=' and no newline: Compose reads it "
                   "as a value with an empty name (add '=' or a newline)");
        e->error = 1;
    } else {
        e->key_end = key_end;
        size_t kend = trim_right_space(s, key_start, key_end);
        e->key = strndup(s + key_start, kend - key_start);
        dotenv_position(f, key_start, &e->line, &e->col);
        vpos = key_end + 1;
        unsigned cp;
        size_t l;
        while (vpos < n && (l = dotenv_decode(s + vpos, n - vpos, &cp)) && is_inline_space(cp))
            vpos += l;
        if (e->key && strpbrk(e->key, " \t\v\f\r")) {
            report(c, key_start, "invalid-key", "variable name '%.*s' contains whitespace",
                   cap80(strlen(e->key)), e->key);
            e->error = 1;
        } else if (e->key && !e->key[0]) {
            report(c, key_start, "invalid-key", "empty variable name before '%s'",
                   sep == '\n' ? "end of line" : sep == '=' ? "=" : ":");
            e->error = 1;
        }
    }
    if (!e->key)
        return abandon_entry(c, e);
    sbuf val = {0};
    val.bounded = 1;
    val.limit = value_room(c);
    if (sep == '\n') {
        /* bare KEY: inherited from the environment (then earlier keys), else not set */
        e->inherited = 1;
        e->raw_start = e->raw_end = key_end;
        const char *v;
        size_t vlen;
        if (resolve(c, e->key, strlen(e->key), &v, &vlen)) {
            sb_add(&val, v, vlen);
            if (keep_value(c, e, &val))
                return abandon_entry(c, e);
        }
        e->end_line = e->line;
        if (c->oom || commit_entry(f))
            return abandon_entry(c, e);
        return vpos;
    }
    size_t next;
    subst_error err = {0};
    if (vpos < n && (s[vpos] == '"' || s[vpos] == '\'')) {
        char q = s[vpos];
        int esc = 0;
        size_t close = (size_t)-1;
        sbuf chars = {0};
        if (q == '\'') /* the characters are the value: bound them as it */
            chars = val;
        for (size_t k = vpos + 1; k < n; k++) {
            char ch = s[k];
            if (ch != q) {
                if (!esc && ch == '\\') {
                    esc = 1;
                    continue;
                }
                if (esc) {
                    esc = 0;
                    sb_addc(&chars, '\\');
                }
                sb_addc(&chars, ch);
                continue;
            }
            if (esc) {
                esc = 0;
                sb_addc(&chars, ch);
                continue;
            }
            close = k;
            break;
        }
        e->quote = q;
        e->raw_start = vpos;
        if (close == (size_t)-1) {
            free(chars.p);
            report(c, vpos, "unterminated-quote",
                   "the value of %.*s opens a quote that is never closed (Compose rejects the file)",
                   cap80(strlen(e->key)), e->key);
            e->error = 1;
            e->raw_end = n;
            e->value = strdup("");
            e->end_line = f->nlines;
            f->stopped = 1;
            if (!e->value || commit_entry(f))
                return abandon_entry(c, e);
            return n;
        }
        e->raw_end = close + 1;
        if (q == '"') {
            sbuf esc_out = {0};
            expand_escapes(chars.p ? chars.p : "", chars.len, &esc_out);
            substitute(c, esc_out.p ? esc_out.p : "", esc_out.len, 0, &val, &err);
            free(esc_out.p);
            free(chars.p);
        } else {
            val = chars;
        }
        next = close + 1;
        /* anything but spaces or a comment after the quote starts a new statement in Compose */
        size_t t = next;
        unsigned cp;
        size_t l;
        while (t < n && (l = dotenv_decode(s + t, n - t, &cp)) && is_inline_space(cp))
            t += l;
        if (t < n && s[t] != '\n' && s[t] != '#')
            e->trailing_text = 1;
    } else {
        const char *nl = memchr(s + vpos, '\n', n - vpos);
        size_t eol = nl ? (size_t)(nl - s) : n;
        size_t end = eol;
        for (size_t k = vpos; k + 1 < eol; k++)
            if (s[k] == ' ' && s[k + 1] == '#') {
                end = k;
                break;
            }
        end = trim_right_space(s, vpos, end);
        e->raw_start = vpos;
        e->raw_end = end;
        substitute(c, s + vpos, end - vpos, 0, &val, &err);
        next = nl ? eol + 1 : n;
    }
    if (err.set) {
        report(c, e->raw_start, "bad-substitution", "%s: %s", e->key, err.message);
        e->error = 1;
    }
    if (keep_value(c, e, &val))
        return abandon_entry(c, e);
    unsigned end_col;
    dotenv_position(f, e->raw_end ? e->raw_end - 1 : 0, &e->end_line, &end_col);
    if (e->end_line < e->line)
        e->end_line = e->line;
    if (c->oom || commit_entry(f))
        return abandon_entry(c, e);
    return next;
}

static int index_lines(dotenv_file *f)
{
    size_t cap = 64;
    f->line_starts = malloc(cap * sizeof *f->line_starts);
    if (!f->line_starts)
        return -1;
    f->nlines = 0;
    size_t pos = 0;
    for (;;) {
        if (f->nlines == cap) {
            cap *= 2;
            size_t *p = realloc(f->line_starts, cap * sizeof *p);
            if (!p)
                return -1;
            f->line_starts = p;
        }
        f->line_starts[f->nlines++] = pos;
        const char *nl = memchr(f->src + pos, '\n', f->len - pos);
        if (!nl || (size_t)(nl - f->src) + 1 >= f->len)
            break;
        pos = (size_t)(nl - f->src) + 1;
    }
    if (f->len == 0 || (f->len == f->bom))
        f->nlines = f->len ? 1 : 0;
    f->line_kind = calloc(f->nlines ? f->nlines : 1, 1);
    return f->line_kind ? 0 : -1;
}

/* Classifies each line, then marks the inside of multi-line quoted values. */
static void classify_lines(dotenv_file *f)
{
    for (unsigned i = 0; i < f->nlines; i++) {
        size_t p = f->line_starts[i];
        if (i == 0 && p < f->bom)
            p = f->bom;
        size_t end = p + dotenv_line_length(f, i);
        unsigned char kind = DOTENV_LINE_BLANK;
        while (p < end) {
            unsigned cp;
            size_t l = dotenv_decode(f->src + p, end - p, &cp);
            if (!dotenv_is_unicode_space(cp)) {
                kind = cp == '#' ? DOTENV_LINE_COMMENT : DOTENV_LINE_STATEMENT;
                break;
            }
            p += l;
        }
        f->line_kind[i] = kind;
    }
    for (size_t k = 0; k < f->nentries; k++) {
        const dotenv_entry *e = &f->entries[k];
        for (unsigned l = e->line + 1; l <= e->end_line && l <= f->nlines; l++)
            f->line_kind[l - 1] = DOTENV_LINE_CONTINUATION;
    }
}

/* Reports invalid UTF-8 and NUL bytes, one finding per line. */
static void check_encoding(parse_ctx *c)
{
    dotenv_file *f = c->f;
    for (unsigned i = 0; i < f->nlines; i++) {
        size_t p = f->line_starts[i];
        if (i == 0 && p < f->bom)
            p = f->bom;
        size_t len = dotenv_line_length(f, i);
        size_t bad = utf8_first_invalid(f->src + p, len);
        const char *nul = memchr(f->src + p, '\0', len);
        if (nul && (bad == (size_t)-1 || (size_t)(nul - f->src - p) < bad))
            report(c, (size_t)(nul - f->src), "invalid-utf8",
                   "NUL byte: an environment variable cannot hold one");
        else if (bad != (size_t)-1)
            report(c, p + bad, "invalid-utf8", "invalid UTF-8 byte sequence");
    }
}

int dotenv_parse(dotenv_file *f, const char *name, const char *src, size_t len,
                 dotenv_lookup_fn lookup, void *ctx, const dotenv_limits *limits,
                 diag_list *diags)
{
    memset(f, 0, sizeof *f);
    f->name = strdup(name ? name : "-");
    f->src = malloc(len + 1);
    f->map = calloc(1, sizeof *f->map);
    if (!f->name || !f->src || !f->map)
        return -1;
    memcpy(f->src, src, len);
    f->src[len] = '\0';
    f->len = len;
    if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
        f->bom = 3;
    if (index_lines(f))
        return -1;
    parse_ctx c = {f, lookup, ctx, diags, limits ? *limits : DOTENV_LIMITS_DEFAULT, 0, 0,
                   (locale_t)0, 0};
    check_encoding(&c);
    size_t pos = f->bom;
    while (pos < f->len) {
        /* getStatementStart: skip whitespace and comment lines */
        unsigned cp;
        size_t l = dotenv_decode(f->src + pos, f->len - pos, &cp);
        if (dotenv_is_unicode_space(cp)) {
            pos += l;
            continue;
        }
        if (cp == '#') {
            const char *nl = memchr(f->src + pos, '\n', f->len - pos);
            pos = nl ? (size_t)(nl - f->src) : f->len;
            continue;
        }
        pos = parse_statement(&c, pos);
        if (f->stopped)
            break;
    }
    if (c.loc != (locale_t)0)
        freelocale(c.loc);
    if (c.oom)
        return -1;
    classify_lines(f);
    return 0;
}

int dotenv_load_path(dotenv_file *f, const char *path, dotenv_lookup_fn lookup, void *ctx,
                     const dotenv_limits *limits, diag_list *diags, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    size_t max = (limits ? *limits : DOTENV_LIMITS_DEFAULT).max_file_bytes;
    int is_stdin = !strcmp(path, "-");
    FILE *in = is_stdin ? stdin : fopen(path, "rb");
    if (!in) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is a directory, not an env file", path);
        if (!is_stdin)
            fclose(in);
        return -1;
    }
    /* read at most max + 1 bytes: one more than allowed tells a file that is too large */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int too_large = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > max + 1)
                cap = max + 1;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                snprintf(err, errlen, "out of memory reading %s", path);
                if (!is_stdin)
                    fclose(in);
                return -1;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, in);
        len += got;
        if (len > max) {
            too_large = 1;
            break;
        }
        if (got == 0)
            break;
    }
    int rerr = ferror(in);
    if (!is_stdin)
        fclose(in);
    if (too_large || rerr) {
        free(buf);
        if (too_large)
            snprintf(err, errlen, "%s is larger than %zu bytes (limits.max_file_bytes): not read",
                     path, max);
        else
            snprintf(err, errlen, "cannot read %s", path);
        return -1;
    }
    int rc = dotenv_parse(f, path, buf ? buf : "", len, lookup, ctx, limits, diags);
    free(buf);
    if (rc)
        snprintf(err, errlen, "out of memory parsing %s", path);
    return rc;
}

int dotenv_load_usable(dotenv_file *f, const char *tool, const char *path,
                       dotenv_lookup_fn lookup, const dotenv_limits *limits, FILE *err)
{
    diag_list diags;
    diag_list_init(&diags);
    char msg[1024];
    int rc = 0;
    if (dotenv_load_path(f, path, lookup, NULL, limits, &diags, msg, sizeof msg)) {
        fprintf(err, "%s: %s\n", tool, msg);
        rc = 2;
    } else if (diags.oom) {
        fprintf(err, "%s: out of memory\n", tool);
        rc = 2;
    } else if (diags.errors) {
        diag_list_print(err, &diags, DIAG_FORMAT_TEXT, NULL, NULL, NULL, 0);
        fprintf(err, "%s: %s has syntax errors (Compose would refuse it)\n", tool, path);
        rc = 1;
    }
    diag_list_free(&diags);
    return rc;
}

void dotenv_free(dotenv_file *f)
{
    for (size_t i = 0; i < f->nentries; i++) {
        free(f->entries[i].key);
        free(f->entries[i].value);
    }
    /* an entry being filled when memory ran out */
    free(f->entries);
    free(f->name);
    free(f->src);
    free(f->line_starts);
    free(f->line_kind);
    if (f->map)
        free(f->map->slots);
    free(f->map);
    memset(f, 0, sizeof *f);
}

int dotenv_lookup_environ(void *ctx, const char *name, const char **value)
{
    (void)ctx;
    const char *v = getenv(name);
    if (!v)
        return 0;
    *value = v;
    return 1;
}

void dotenv_references(const char *t, size_t n,
                       void (*fn)(void *ctx, const char *name, size_t len), void *ctx)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (t[i] != '$')
            continue;
        if (t[i + 1] == '$') {
            i++;
            continue;
        }
        size_t k = i + 1;
        if (t[k] == '{')
            k++;
        size_t start = k;
        if (k < n && is_name_start(t[k])) {
            while (k < n && is_name_char(t[k]))
                k++;
            fn(ctx, t + start, k - start);
        }
        i = k - 1;
    }
}
