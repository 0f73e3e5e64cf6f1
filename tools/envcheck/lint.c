/* lint: dotenv-linter's checks (same names and meaning) over a file parsed with Compose's
 * rules, so a quoted multi-line value or an inline comment is understood as Compose does. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"

typedef struct lint_ctx {
    const dotenv_file *f;
    diag_list *out;
    diag_severity sev;
} lint_ctx;

static void warn(lint_ctx *c, unsigned line, unsigned col, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void warn(lint_ctx *c, unsigned line, unsigned col, const char *rule, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(c->out, c->f->name, line, col, c->sev, rule, NULL, "%s", msg);
}

static size_t line_start(const dotenv_file *f, unsigned line)
{
    size_t p = f->line_starts[line - 1];
    return line == 1 && p < f->bom ? f->bom : p;
}

static int is_alpha_or_underscore(const char *s, size_t avail)
{
    unsigned cp;
    dotenv_decode(s, avail, &cp);
    if (cp == '_' || (cp < 0x80 && isalpha((int)cp)))
        return 1;
    return cp >= 0x80 && cp != 0xFFFD && !dotenv_is_unicode_space(cp);
}

/* The key with invalid leading characters removed, as dotenv-linter compares it. */
static const char *clean_key(const char *k)
{
    while (*k && !is_alpha_or_underscore(k, strlen(k)))
        k++;
    return k;
}

static int has_lowercase(const char *k)
{
    for (; *k; k++)
        if (*k >= 'a' && *k <= 'z')
            return 1;
    return 0;
}

static int is_escaped(const char *s, size_t start, size_t i)
{
    size_t n = 0;
    while (i > start && s[i - 1] == '\\') {
        n++;
        i--;
    }
    return n % 2;
}

/* ---- per-entry rules ---- */

static void lint_entry(lint_ctx *c, size_t idx)
{
    const dotenv_file *f = c->f;
    const dotenv_entry *e = &f->entries[idx];
    const char *s = f->src;
    if (!e->key[0])
        return;
    if (e->prev >= 0) {
        const dotenv_entry *p = &f->entries[e->prev];
        int same = e->value && p->value && e->value_len == p->value_len &&
                   !memcmp(e->value, p->value, e->value_len);
        if (e->inherited && !e->value)
            same = 1;
        if (same)
            warn(c, e->line, e->col, "duplicated-key",
                 "The %s key is duplicated (lines %u and %u, same value)", e->key, p->line, e->line);
        else
            diag_add(c->out, f->name, e->line, e->col, DIAG_ERROR, "duplicated-key", NULL,
                     "The %s key is set twice with different values (lines %u and %u): Compose "
                     "keeps the last one, kubectl --from-env-file refuses the file",
                     e->key, p->line, e->line);
    }
    const char *ck = clean_key(e->key);
    for (const char *k = ck; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_' && !((unsigned char)*k & 0x80)) {
            warn(c, e->line, e->col, "incorrect-delimiter", "The %s key has incorrect delimiter '%c' (use _)",
                 e->key, *k);
            break;
        }
    if (e->separator == 0 || e->inherited)
        warn(c, e->line, e->col, "key-without-value",
             "The %s key should be with a value or have an equal sign (Compose takes it from the "
             "environment)", e->key);
    else if (e->separator == ':')
        warn(c, e->line, e->col, "key-without-value",
             "The %s key should be with a value or have an equal sign (write %s=value, not YAML's "
             "'%s: value')", e->key, e->key, e->key);
    /* leading-character: only for a statement that begins its line */
    size_t ls = line_start(f, e->line), p = ls;
    while (p < e->key_start && isspace((unsigned char)s[p]))
        p++;
    if (e->exported && p + 6 <= e->key_start && !memcmp(s + p, "export", 6)) {
        p += 6;
        while (p < e->key_start && isspace((unsigned char)s[p]))
            p++;
    }
    if (p == e->key_start && !is_alpha_or_underscore(s + ls, f->len - ls))
        warn(c, e->line, 1, "leading-character",
             "Invalid leading character detected: the %s line should start with a letter or _", e->key);
    if (has_lowercase(e->key))
        warn(c, e->line, e->col, "lowercase-key", "The %s key should be in uppercase", e->key);
    if (e->separator == '=') {
        size_t sep = e->key_end;
        if ((sep > e->key_start && (s[sep - 1] == ' ' || s[sep - 1] == '\t')) ||
            (sep + 1 < f->len && (s[sep + 1] == ' ' || s[sep + 1] == '\t')))
            warn(c, e->line, e->col, "space-character", "The line has spaces around equal sign (%s)", e->key);
    }
    if (e->separator && !e->inherited) {
        /* quote-character: the text after the separator, as dotenv-linter reads it */
        size_t from = e->key_end + 1, to = e->raw_end;
        if (!e->quote) {
            const char *nl = memchr(s + from, '\n', f->len - from);
            to = nl ? (size_t)(nl - s) : f->len;
        }
        int quotes = 0, skip = 0;
        for (size_t p = from; p < to && !skip; p++) {
            char ch = s[p];
            if (ch == '"' || ch == '\'')
                quotes = 1;
            if (isspace((unsigned char)ch) || strchr("$#&=", ch) || (ch == '\\' && p + 1 < to && s[p + 1] == 'n'))
                skip = 1;
        }
        if (quotes && !skip)
            warn(c, e->line, e->col, "quote-character",
                 "The value has quote characters (', \"): %s needs no quotes", e->key);
        if (e->trailing_text) {
            unsigned l, col;
            dotenv_position(f, e->raw_end, &l, &col);
            warn(c, l, col, "quote-character",
                 "Text after the closing quote of %s: Compose reads it as another variable", e->key);
        }
        if (e->quote != '\'') {
            for (size_t p = e->raw_start; p + 1 < e->raw_end; p++) {
                if (s[p] != '$')
                    continue;
                if (s[p + 1] == '$') {
                    p++;
                    continue;
                }
                if (is_escaped(s, e->raw_start, p))
                    continue;
                size_t k = p + 1;
                while (k < e->raw_end && (isalnum((unsigned char)s[k]) || s[k] == '_'))
                    k++;
                if (k > p + 1 && k < e->raw_end && s[k] == '}') {
                    warn(c, e->line, e->col, "substitution-key",
                         "The %s key is not assigned properly: '$%.*s}' has a closing brace but no "
                         "opening one", e->key, (int)(k - p - 1 > 60 ? 60 : k - p - 1), s + p + 1);
                    break;
                }
                p = k - 1;
            }
        }
        if (!e->quote) {
            for (size_t p = e->raw_start; p < e->raw_end; p++)
                if (s[p] == ' ' || s[p] == '\t') {
                    warn(c, e->line, e->col, "value-without-quotes",
                         "This value needs to be surrounded in quotes (%s)", e->key);
                    break;
                }
        }
    }
}

/* ---- unordered-key: groups split by blank lines, control comments and references ---- */

typedef struct keyset {
    const char **keys;
    unsigned *gen;
    size_t cap;
    unsigned cur;
} keyset;

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static size_t keyset_slot(const keyset *k, const char *s, size_t n)
{
    size_t i = hash_bytes(s, n) & (k->cap - 1);
    while (k->keys[i] && (strlen(k->keys[i]) != n || memcmp(k->keys[i], s, n)))
        i = (i + 1) & (k->cap - 1);
    return i;
}

typedef struct group {
    size_t *idx;   /* entry indexes of the current group */
    size_t len;
    int referenced;
    keyset set;
    const dotenv_entry *entries;
} group;

static void ref_in_group(void *ctx, const char *name, size_t len)
{
    group *g = ctx;
    size_t i = keyset_slot(&g->set, name, len);
    if (g->set.keys[i] && g->set.gen[i] == g->set.cur)
        g->referenced = 1;
}

static int by_key(const void *a, const void *b, void *ctx)
{
    const group *g = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const dotenv_entry *entries = g->entries;
    int r = strcmp(entries[g->idx[x]].key, entries[g->idx[y]].key);
    return r ? r : (x > y) - (x < y);
}

/* For each key, the smallest earlier key of the group that is greater (Fenwick tree over
 * the sorted ranks): dotenv-linter's "The B key should go before the C key". */
static void flush_group(lint_ctx *c, group *g)
{
    size_t n = g->len;
    g->len = 0;
    if (n < 2)
        return;
    size_t *sorted = malloc(n * sizeof *sorted), *pos_rank = malloc(n * sizeof *pos_rank);
    size_t *byrank = malloc((n + 1) * sizeof *byrank), *tree = calloc(n + 1, sizeof *tree);
    if (!sorted || !pos_rank || !byrank || !tree) {
        c->out->oom = 1; /* the check is incomplete: the tool fails rather than say less */
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = i;
    g->entries = c->f->entries;
    qsort_r(sorted, n, sizeof *sorted, by_key, g);
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = c->f->entries[g->idx[sorted[i]]].key;
        if (i == 0 || strcmp(k, c->f->entries[g->idx[sorted[i - 1]]].key))
            byrank[++nr] = g->idx[sorted[i]];
        pos_rank[sorted[i]] = nr;
    }
    size_t logn = 1;
    while ((logn << 1) <= nr)
        logn <<= 1;
    for (size_t i = 0; i < n; i++) {
        size_t rk = pos_rank[i], upto = 0;
        for (size_t k = rk; k; k -= k & -k)
            upto += tree[k];
        if (i > upto) {
            /* an earlier key is greater: name the smallest such, the (upto+1)-th inserted rank */
            size_t want = upto + 1, p = 0;
            for (size_t step = logn; step; step >>= 1)
                if (p + step <= nr && tree[p + step] < want) {
                    p += step;
                    want -= tree[p];
                }
            const dotenv_entry *e = &c->f->entries[g->idx[i]];
            warn(c, e->line, e->col, "unordered-key", "The %s key should go before the %s key",
                 e->key, c->f->entries[byrank[p + 1]].key);
        }
        for (size_t k = rk; k <= nr; k += k & -k)
            tree[k]++;
    }
done:
    free(sorted);
    free(pos_rank);
    free(byrank);
    free(tree);
}

static int is_control_comment(const dotenv_file *f, unsigned line)
{
    size_t p = line_start(f, line), len = dotenv_line_length(f, line - 1);
    const char *s = f->src + p;
    size_t i = 0;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    if (i < len && s[i] == '#')
        i++;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    return len - i >= 14 && (!memcmp(s + i, "dotenv-linter:", 14) || !memcmp(s + i, "envcheck:", 9));
}

static void lint_order(lint_ctx *c)
{
    const dotenv_file *f = c->f;
    group g = {0};
    g.idx = malloc((f->nentries ? f->nentries : 1) * sizeof *g.idx);
    g.set.cap = 64;
    while (g.set.cap < f->nentries * 2)
        g.set.cap <<= 1;
    g.set.keys = calloc(g.set.cap, sizeof *g.set.keys);
    g.set.gen = calloc(g.set.cap, sizeof *g.set.gen);
    g.set.cur = 1;
    if (!g.idx || !g.set.keys || !g.set.gen) {
        c->out->oom = 1;
        goto done;
    }
    unsigned last = 0;
    for (size_t i = 0; i < f->nentries; i++) {
        const dotenv_entry *e = &f->entries[i];
        int brk = 0;
        for (unsigned l = last + 1; l < e->line; l++)
            if (f->line_kind[l - 1] == DOTENV_LINE_BLANK ||
                (f->line_kind[l - 1] == DOTENV_LINE_COMMENT && is_control_comment(f, l)))
                brk = 1;
        if (e->end_line > last)
            last = e->end_line;
        g.referenced = 0;
        if (!brk && e->separator && e->quote != '\'')
            dotenv_references(f->src + e->raw_start, e->raw_end - e->raw_start, ref_in_group, &g);
        if (brk || g.referenced) {
            flush_group(c, &g);
            g.set.cur++;
            if (g.referenced)
                continue;
        }
        if (!e->key[0] || e->error)
            continue;
        g.idx[g.len++] = i;
        size_t slot = keyset_slot(&g.set, e->key, strlen(e->key));
        g.set.keys[slot] = e->key;
        g.set.gen[slot] = g.set.cur;
    }
    flush_group(c, &g);
done:
    free(g.idx);
    free(g.set.keys);
    free(g.set.gen);
}

/* ---- line rules ---- */

static void lint_lines(lint_ctx *c)
{
    const dotenv_file *f = c->f;
    if (!f->nlines || f->len == f->bom)
        return;
    unsigned char *value_end = calloc(f->nlines + 1, 1);
    if (!value_end) {
        c->out->oom = 1;
        return;
    }
    for (size_t i = 0; i < f->nentries; i++)
        if (f->entries[i].end_line > f->entries[i].line && f->entries[i].end_line <= f->nlines)
            value_end[f->entries[i].end_line - 1] = 1;
    int prev_blank = 0;
    for (unsigned i = 0; i < f->nlines; i++) {
        unsigned char k = f->line_kind[i];
        size_t len = dotenv_line_length(f, i);
        size_t start = line_start(f, i + 1);
        if (k == DOTENV_LINE_BLANK || k == DOTENV_LINE_STATEMENT || value_end[i]) {
            if (len && (f->src[start + len - 1] == ' ' || f->src[start + len - 1] == '\t')) {
                unsigned l, col;
                dotenv_position(f, start + len - 1, &l, &col);
                warn(c, i + 1, col, "trailing-whitespace", "Trailing whitespace detected");
            }
        }
        if (k == DOTENV_LINE_BLANK) {
            if (prev_blank)
                warn(c, i + 1, 1, "extra-blank-line", "Extra blank line detected");
            prev_blank = 1;
        } else {
            prev_blank = 0;
        }
    }
    int ends_nl = f->src[f->len - 1] == '\n';
    if (ends_nl && prev_blank && f->line_kind[f->nlines - 1] == DOTENV_LINE_BLANK)
        warn(c, f->nlines + 1, 1, "extra-blank-line", "Extra blank line detected (at the end of the file)");
    if (!ends_nl) {
        unsigned l, col;
        dotenv_position(f, f->len, &l, &col);
        warn(c, l, col, "ending-blank-line", "No blank line at the end of the file");
    }
    free(value_end);
}

void envcheck_lint(const dotenv_file *f, int strict, diag_list *out)
{
    lint_ctx c = {f, out, strict ? DIAG_ERROR : DIAG_WARNING};
    for (size_t i = 0; i < f->nentries; i++)
        if (!f->entries[i].error)
            lint_entry(&c, i);
    lint_order(&c);
    lint_lines(&c);
}
