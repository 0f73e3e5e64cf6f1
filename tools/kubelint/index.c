/* index: copies out of each document only what the cross-object rules need, so the
 * documents themselves can be freed at once; reports duplicate objects on the way. */
#include "index.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Out of memory, the index marks itself (ix->oom) and stops growing; the run then
 * reports nothing (main), so a partial index is never used. */

/* realloc that keeps p and sets ix->oom on failure. */
static void *grow(kl_index *ix, void *p, size_t n)
{
    void *q = ix->oom ? NULL : realloc(p, n ? n : 1);
    if (!q) {
        ix->oom = 1;
        return p;
    }
    return q;
}

/* n bytes from the index's pool (aligned), never freed one by one. */
static void *palloc(kl_index *ix, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    kl_pool_chunk *c = ix->pool;
    if (c) /* strings (pstrdup) leave the offset unaligned */
        c->used = (c->used + align - 1) & ~(align - 1);
    if (!c || c->used > c->size || c->size - c->used < n) {
        size_t size = n > (1u << 20) ? n : (1u << 20);
        c = ix->oom ? NULL : malloc(sizeof *c + size);
        if (!c) {
            ix->oom = 1;
            return NULL;
        }
        c->next = ix->pool;
        c->used = 0;
        c->size = size;
        ix->pool = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

/* Copies s into the pool with 1-byte alignment waste at most (strings need none). */
static char *pstrdup(kl_index *ix, const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    kl_pool_chunk *c = ix->pool;
    if (!c || c->size - c->used < n) {
        char *p = palloc(ix, n);
        return p ? memcpy(p, s ? s : "", n) : (char *)"";
    }
    char *p = (char *)c->data + c->used;
    c->used += n;
    memcpy(p, s ? s : "", n);
    return p;
}

/* Kinds are few: well-known ones point at a literal, the others are copied. */
static const char *intern_kind(kl_index *ix, const char *kind)
{
    static const char *const kinds[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                                        "ReplicationController", "Job", "CronJob", "Pod", "Service",
                                        "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i], kind))
            return kinds[i];
    return pstrdup(ix, kind);
}

static const char *intern_ns(kl_index *ix, const char *ns)
{
    if (!*ns)
        return "";
    if (!ix->last_ns || strcmp(ix->last_ns, ns))
        ix->last_ns = pstrdup(ix, ns);
    return ix->last_ns;
}

const char *kubelint_ref_label(const kl_ref *r, char *buf, size_t size)
{
    if (*r->ns)
        snprintf(buf, size, "%.80s/%.100s/%.120s", *r->kind ? r->kind : "?", r->ns, *r->name ? r->name : "?");
    else
        snprintf(buf, size, "%.80s/%.120s", *r->kind ? r->kind : "?", *r->name ? r->name : "?");
    return buf;
}

/* Appends a zeroed element to arr (n used, cap allocated): its address, or NULL when
 * out of memory (arr and cap then unchanged). */
#define PUSH(ix, arr, n, cap)                                                          \
    (((n) < (cap) || ((arr) = grow_cap((ix), (arr), &(cap), sizeof *(arr)), (n) < (cap))) \
         ? (memset(&(arr)[(n)], 0, sizeof *(arr)), &(arr)[(n)++])                     \
         : NULL)

/* arr grown from *cap elements of size bytes by half (16 at first), *cap updated; arr
 * itself and *cap unchanged when out of memory. */
static void *grow_cap(kl_index *ix, void *arr, size_t *cap, size_t size)
{
    size_t ncap = *cap ? *cap + *cap / 2 : 16;
    void *p = grow(ix, arr, ncap * size);
    if (!ix->oom)
        *cap = ncap;
    return p;
}

/* ---- hash map ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void hmap_put(kl_index *ix, kl_hmap *m, const char *key, uint32_t id)
{
    if (m->n >= m->nb) {
        size_t nb = m->nb ? m->nb * 2 : 256;
        kl_hentry **b = ix->oom ? NULL : calloc(nb, sizeof *b);
        if (!b) {
            ix->oom = 1;
            return;
        }
        for (size_t i = 0; i < m->nb; i++)
            for (kl_hentry *e = m->b[i], *next; e; e = next) {
                next = e->next;
                size_t k = hash_str(e->key) & (nb - 1);
                e->next = b[k];
                b[k] = e;
            }
        free(m->b);
        m->b = b;
        m->nb = nb;
    }
    size_t len = strlen(key);
    kl_hentry *e = palloc(ix, sizeof *e + len + 1);
    if (!e)
        return;
    memcpy(e->key, key, len + 1);
    e->id = id;
    size_t k = hash_str(key) & (m->nb - 1);
    e->next = m->b[k];
    m->b[k] = e;
    m->n++;
}

const kl_hentry *kubelint_hmap_get(const kl_hmap *m, const char *key)
{
    if (!m->nb)
        return NULL;
    for (kl_hentry *e = m->b[hash_str(key) & (m->nb - 1)]; e; e = e->next)
        if (!strcmp(e->key, key))
            return e;
    return NULL;
}

static void hmap_free(kl_hmap *m)
{
    free(m->b); /* the entries are in the pool */
    memset(m, 0, sizeof *m);
}

const char *kubelint_key(char *buf, size_t size, const char *a, const char *b, const char *c)
{
    if (c)
        snprintf(buf, size, "%s\x1f%s\x1f%s", a, b, c);
    else
        snprintf(buf, size, "%s\x1f%s", a, b);
    return buf;
}

/* ---- selectors ---- */

static const char *label_get(char *const *labels, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(labels[2 * i], key))
            return labels[2 * i + 1];
    return NULL;
}

int kubelint_selector_matches(const kl_selector *sel, char *const *labels, size_t nlabels)
{
    for (size_t i = 0; i < sel->n; i++) {
        const kl_req *r = &sel->reqs[i];
        const char *have = label_get(labels, nlabels, r->key);
        int in = 0;
        for (size_t j = 0; have && j < r->nvalues; j++)
            if (!strcmp(r->values[j], have))
                in = 1;
        if ((r->op == KL_SEL_IN && !in) || (r->op == KL_SEL_NOTIN && in) ||
            (r->op == KL_SEL_EXISTS && !have) || (r->op == KL_SEL_NOTEXISTS && have))
            return 0;
    }
    return 1;
}

/* Appends a requirement: it, or NULL when out of memory. */
static kl_req *sel_add(kl_index *ix, kl_selector *s, const char *key, kl_sel_op op,
                       const char *value)
{
    kl_req *reqs = grow(ix, s->reqs, (s->n + 1) * sizeof *s->reqs);
    if (ix->oom)
        return NULL;
    s->reqs = reqs;
    kl_req *r = &s->reqs[s->n++];
    r->key = pstrdup(ix, key);
    r->op = op;
    r->values = NULL;
    r->nvalues = 0;
    if (value && (r->values = palloc(ix, sizeof *r->values))) {
        r->values[0] = pstrdup(ix, value);
        r->nvalues = 1;
    }
    return r;
}

/* Reads a map of key: value (Service selector, matchLabels). */
static void sel_from_map(kl_index *ix, kl_selector *s, const ynode *m)
{
    if (!m || m->kind != YNODE_MAP)
        return;
    for (size_t i = 0; i < m->len && i < 256; i++) {
        const char *k = ynode_str(m->children[2 * i]), *v = ynode_str(m->children[2 * i + 1]);
        if (k && v)
            sel_add(ix, s, k, KL_SEL_IN, v);
    }
}

/* Reads a LabelSelector (matchLabels + matchExpressions). */
static void sel_from_label_selector(kl_index *ix, kl_selector *s, const ynode *sel)
{
    sel_from_map(ix, s, ynode_map_get(sel, "matchLabels"));
    const ynode *me = ynode_map_get(sel, "matchExpressions");
    if (!me || me->kind != YNODE_SEQ)
        return;
    for (size_t i = 0; i < me->len && i < 256; i++) {
        const ynode *e = me->children[i];
        const char *op = ynode_map_str(e, "operator");
        kl_sel_op o = !strcmp(op, "In") ? KL_SEL_IN : !strcmp(op, "NotIn") ? KL_SEL_NOTIN
                    : !strcmp(op, "Exists") ? KL_SEL_EXISTS : KL_SEL_NOTEXISTS;
        kl_req *r = sel_add(ix, s, ynode_map_str(e, "key"), o, NULL);
        if (!r)
            return;
        const ynode *vals = ynode_map_get(e, "values");
        size_t n = vals && vals->kind == YNODE_SEQ ? (vals->len < 256 ? vals->len : 256) : 0;
        if (n && (r->values = palloc(ix, n * sizeof *r->values))) {
            for (size_t j = 0; j < n; j++)
                if (ynode_str(vals->children[j]))
                    r->values[r->nvalues++] = pstrdup(ix, vals->children[j]->value);
        }
    }
}

static void sel_free(kl_selector *s)
{
    free(s->reqs); /* keys and values are in the pool */
}

/* ---- ports ---- */

/* A port value: a number (plain, or quoted digits) or a name. */
static void port_value(kl_index *ix, const ynode *n, long long *num, char **name)
{
    *num = -1;
    *name = NULL;
    const char *s = ynode_str(n);
    if (!s || !*s)
        return;
    int digits = 1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            digits = 0;
    if (digits && strlen(s) < 12)
        *num = strtoll(s, NULL, 10);
    else
        *name = pstrdup(ix, s);
}

/* Appends a zeroed port (arrays grow one by one: they are short); NULL when out of
 * memory. */
static kl_port *port_push(kl_index *ix, kl_port **arr, size_t *n)
{
    kl_port *p = grow(ix, *arr, (*n + 1) * sizeof **arr);
    if (ix->oom)
        return NULL;
    *arr = p;
    memset(&p[*n], 0, sizeof *p);
    return &p[(*n)++];
}

static void ref_init(kl_index *ix, kl_ref *r, const kl_object *o)
{
    r->file = o->file;
    r->kind = intern_kind(ix, o->kind);
    r->ns = intern_ns(ix, o->ns);
    r->name = pstrdup(ix, o->name);
    r->ignored = o->ignored;
}

static void ports_free(kl_port *p)
{
    free(p); /* names are in the pool */
}

/* ---- the index ---- */

kl_index *kubelint_index_new(void)
{
    return calloc(1, sizeof(kl_index));
}

void kubelint_index_free(kl_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->nw; i++)
        ports_free(ix->w[i].ports);
    free(ix->w);
    for (size_t i = 0; i < ix->ns; i++) {
        sel_free(&ix->s[i].sel);
        ports_free(ix->s[i].ports);
    }
    free(ix->s);
    for (size_t i = 0; i < ix->ni; i++)
        free(ix->ing[i].backends);
    free(ix->ing);
    free(ix->hpa);
    for (size_t i = 0; i < ix->np; i++)
        sel_free(&ix->pdb[i].sel);
    free(ix->pdb);
    hmap_free(&ix->w_by_label);
    hmap_free(&ix->w_by_name);
    hmap_free(&ix->s_by_name);
    hmap_free(&ix->hpa_by_target);
    hmap_free(&ix->sa_by_name);
    hmap_free(&ix->sa_bound);
    free(ix->dup);
    for (kl_pool_chunk *c = ix->pool, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(ix);
}

/* Reports the object when its group/kind/namespace/name was seen before. */
static void check_duplicate(kl_ctx *ctx, const kl_object *o)
{
    kl_index *ix = ctx->index;
    if (!*o->kind || !*o->name)
        return;
    const char *slash = strchr(o->api, '/');
    char key[1024];
    snprintf(key, sizeof key, "%.*s\x1f%s\x1f%s\x1f%s", slash ? (int)(slash - o->api) : 0, o->api,
             o->kind, o->ns, o->name);
    uint64_t h = hash_str(key) | 1; /* 0 marks an empty slot */
    if (ix->ndup * 4 >= ix->cdup * 3) {
        size_t cap = ix->cdup ? ix->cdup * 2 : 1024;
        kl_dupslot *t = ix->oom ? NULL : calloc(cap, sizeof *t);
        if (!t) {
            ix->oom = 1;
            return;
        }
        for (size_t i = 0; i < ix->cdup; i++)
            if (ix->dup[i].h) {
                size_t k = ix->dup[i].h & (cap - 1);
                while (t[k].h)
                    k = (k + 1) & (cap - 1);
                t[k] = ix->dup[i];
            }
        free(ix->dup);
        ix->dup = t;
        ix->cdup = cap;
    }
    size_t k = h & (ix->cdup - 1);
    while (ix->dup[k].h) {
        if (ix->dup[k].h == h) {
            const ynode *n = ynode_path(o->root, "metadata.name");
            kubelint_report_node(ctx, o, KL_DUP_OBJECT, n,
                                 "%.60s %.120s is defined twice (first in %.200s line %u)", o->kind,
                                 o->name, ctx->files[ix->dup[k].file], ix->dup[k].line);
            return;
        }
        k = (k + 1) & (ix->cdup - 1);
    }
    ix->dup[k].h = h;
    ix->dup[k].file = o->file;
    ix->dup[k].line = o->root->line;
    ix->ndup++;
}

static void index_workload(kl_ctx *ctx, const kl_object *o, const kl_pod *pod)
{
    kl_index *ix = ctx->index;
    uint32_t id = (uint32_t)ix->nw;
    kl_workload *w = PUSH(ix, ix->w, ix->nw, ix->cw);
    if (!w)
        return;
    ref_init(ix, &w->ref, o);
    w->line = o->root->line;
    w->col = o->root->col;
    w->spec_line = pod->spec->line;
    w->spec_col = pod->spec->col;
    const ynode *labels = ynode_map_get(pod->meta, "labels");
    char key[1024];
    if (labels && labels->kind == YNODE_MAP &&
        (w->labels = palloc(ix, 2 * (labels->len < 256 ? labels->len : 256) * sizeof *w->labels))) {
        for (size_t i = 0; i < labels->len && i < 256; i++) {
            const char *k = ynode_str(labels->children[2 * i]);
            const char *v = ynode_str(labels->children[2 * i + 1]);
            if (!k || !v)
                continue;
            w->labels[2 * w->nlabels] = pstrdup(ix, k);
            w->labels[2 * w->nlabels + 1] = pstrdup(ix, v);
            w->nlabels++;
            snprintf(key, sizeof key, "%s\x1f%s\x1f%s", o->ns, k, v);
            hmap_put(ix, &ix->w_by_label, key, id);
        }
    }
    hmap_put(ix, &ix->w_by_name, kubelint_key(key, sizeof key, o->ns, o->kind, o->name), id);
    for (int init = 0; init < 2; init++) {
        const ynode *list = ynode_map_get(pod->spec, init ? "initContainers" : "containers");
        if (!list || list->kind != YNODE_SEQ)
            continue;
        for (size_t i = 0; i < list->len && i < 256; i++) {
            const ynode *ports = ynode_map_get(list->children[i], "ports");
            if (!ports || ports->kind != YNODE_SEQ)
                continue;
            for (size_t j = 0; j < ports->len && j < 256; j++) {
                kl_port *p = port_push(ix, &w->ports, &w->nports);
                if (!p)
                    return;
                long long num;
                p->num = ynode_int(ynode_map_get(ports->children[j], "containerPort"), &num) == 0 ? num : -1;
                const char *name = ynode_str(ynode_map_get(ports->children[j], "name"));
                p->name = name && *name ? pstrdup(ix, name) : NULL;
                p->target_num = -1;
            }
        }
    }
    const ynode *sa = ynode_map_get(pod->spec, "serviceAccountName");
    if (!sa)
        sa = ynode_map_get(pod->spec, "serviceAccount");
    if (ynode_str(sa) && *sa->value) {
        w->sa = pstrdup(ix, sa->value);
        w->sa_line = sa->line;
        w->sa_col = sa->col;
    }
    int b;
    w->automount = ynode_bool(ynode_map_get(pod->spec, "automountServiceAccountToken"), &b) == 0 ? b : -1;
    w->replicas = 1;
    const char *k = o->kind;
    if (!strcmp(k, "Deployment") || !strcmp(k, "StatefulSet") || !strcmp(k, "ReplicaSet") ||
        !strcmp(k, "ReplicationController")) {
        const ynode *rn = ynode_path(o->root, "spec.replicas");
        long long r;
        if (rn && ynode_int(rn, &r) == 0)
            w->replicas = r;
    }
}

static void index_service(kl_ctx *ctx, const kl_object *o)
{
    kl_index *ix = ctx->index;
    char key[1024];
    hmap_put(ix, &ix->s_by_name, kubelint_key(key, sizeof key, o->ns, o->name, NULL), (uint32_t)ix->ns);
    kl_service *s = PUSH(ix, ix->s, ix->ns, ix->cs);
    if (!s)
        return;
    ref_init(ix, &s->ref, o);
    const ynode *spec = ynode_map_get(o->root, "spec");
    const ynode *sel = ynode_map_get(spec, "selector");
    if (!strcmp(ynode_map_str(spec, "type"), "ExternalName"))
        sel = NULL;
    sel_from_map(ix, &s->sel, sel);
    if (sel) {
        s->sel.line = sel->line;
        s->sel.col = sel->col;
    }
    const ynode *ports = ynode_map_get(spec, "ports");
    if (ports && ports->kind == YNODE_SEQ)
        for (size_t i = 0; i < ports->len && i < 256; i++) {
            const ynode *pn = ports->children[i];
            kl_port *p = port_push(ix, &s->ports, &s->nports);
            if (!p)
                return;
            long long num;
            p->num = ynode_int(ynode_map_get(pn, "port"), &num) == 0 ? num : -1;
            const char *name = ynode_str(ynode_map_get(pn, "name"));
            p->name = name && *name ? pstrdup(ix, name) : NULL;
            const ynode *tp = ynode_map_get(pn, "targetPort");
            if (tp) {
                port_value(ix, tp, &p->target_num, &p->target_name);
                p->line = tp->line;
                p->col = tp->col;
            } else {
                p->target_num = p->num;
                p->line = pn->line;
                p->col = pn->col;
            }
        }
}

/* Adds one Ingress backend (networking.k8s.io/v1 or the old serviceName/servicePort). */
static void add_backend(kl_index *ix, kl_ingress *g, const ynode *b)
{
    if (!b || b->kind != YNODE_MAP)
        return;
    const ynode *svc = ynode_map_get(b, "service");
    const ynode *name = svc ? ynode_map_get(svc, "name") : ynode_map_get(b, "serviceName");
    const ynode *port = NULL;
    if (svc) {
        port = ynode_path(svc, "port.number");
        if (!port)
            port = ynode_path(svc, "port.name");
    } else {
        port = ynode_map_get(b, "servicePort");
    }
    if (!ynode_str(name))
        return;
    kl_backend *b2 = grow(ix, g->backends, (g->n + 1) * sizeof *g->backends);
    if (ix->oom)
        return;
    g->backends = b2;
    kl_backend *k = &g->backends[g->n++];
    k->service = pstrdup(ix, name->value);
    port_value(ix, port, &k->port_num, &k->port_name);
    k->line = name->line;
    k->col = name->col;
}

static void index_ingress(kl_ctx *ctx, const kl_object *o)
{
    kl_index *ix = ctx->index;
    kl_ingress *g = PUSH(ix, ix->ing, ix->ni, ix->ci);
    if (!g)
        return;
    ref_init(ix, &g->ref, o);
    const ynode *spec = ynode_map_get(o->root, "spec");
    add_backend(ix, g, ynode_map_get(spec, "defaultBackend"));
    add_backend(ix, g, ynode_map_get(spec, "backend"));
    const ynode *rules = ynode_map_get(spec, "rules");
    if (rules && rules->kind == YNODE_SEQ)
        for (size_t i = 0; i < rules->len && i < 1024; i++) {
            const ynode *paths = ynode_path(rules->children[i], "http.paths");
            if (paths && paths->kind == YNODE_SEQ)
                for (size_t j = 0; j < paths->len && j < 1024; j++)
                    add_backend(ix, g, ynode_map_get(paths->children[j], "backend"));
        }
}

static void index_hpa(kl_ctx *ctx, const kl_object *o)
{
    kl_index *ix = ctx->index;
    const ynode *ref = ynode_path(o->root, "spec.scaleTargetRef");
    kl_hpa *h = PUSH(ix, ix->hpa, ix->nh, ix->ch);
    if (!h)
        return;
    ref_init(ix, &h->ref, o);
    h->target_kind = pstrdup(ix, ynode_map_str(ref, "kind"));
    h->target_name = pstrdup(ix, ynode_map_str(ref, "name"));
    h->min_replicas = 1;
    ynode_int(ynode_path(o->root, "spec.minReplicas"), &h->min_replicas);
    char key[1024];
    hmap_put(ix, &ix->hpa_by_target, kubelint_key(key, sizeof key, o->ns, h->target_kind, h->target_name),
             (uint32_t)(ix->nh - 1));
    const ynode *at = ynode_map_get(ref, "name");
    if (!at)
        at = ref ? ref : o->root;
    h->line = at->line;
    h->col = at->col;
}

static void index_pdb(kl_ctx *ctx, const kl_object *o)
{
    kl_index *ix = ctx->index;
    kl_pdb *p = PUSH(ix, ix->pdb, ix->np, ix->cp);
    if (!p)
        return;
    ref_init(ix, &p->ref, o);
    const ynode *spec = ynode_map_get(o->root, "spec");
    const ynode *sel = ynode_map_get(spec, "selector");
    sel_from_label_selector(ix, &p->sel, sel);
    const ynode *at = sel ? sel : spec ? spec : o->root;
    p->sel.line = at->line;
    p->sel.col = at->col;
    const ynode *mn = ynode_map_get(spec, "minAvailable"), *mx = ynode_map_get(spec, "maxUnavailable");
    if (ynode_str(mn)) {
        p->min_available = pstrdup(ix, mn->value);
        p->min_line = mn->line;
        p->min_col = mn->col;
    }
    if (ynode_str(mx)) {
        p->max_unavailable = pstrdup(ix, mx->value);
        p->max_line = mx->line;
        p->max_col = mx->col;
    }
}

static void index_binding(kl_ctx *ctx, const kl_object *o)
{
    const ynode *subjects = ynode_map_get(o->root, "subjects");
    if (!subjects || subjects->kind != YNODE_SEQ)
        return;
    char key[1024];
    for (size_t i = 0; i < subjects->len && i < 1024; i++) {
        const ynode *s = subjects->children[i];
        if (strcmp(ynode_map_str(s, "kind"), "ServiceAccount"))
            continue;
        const char *ns = ynode_map_str(s, "namespace");
        hmap_put(ctx->index, &ctx->index->sa_bound, kubelint_key(key, sizeof key, *ns ? ns : o->ns,
                                                     ynode_map_str(s, "name"), NULL), 1);
    }
}

void kubelint_index_object(kl_ctx *ctx, const kl_object *o, const kl_pod *pod)
{
    check_duplicate(ctx, o);
    const char *k = o->kind;
    char key[1024];
    if (pod)
        index_workload(ctx, o, pod);
    else if (!strcmp(k, "Service"))
        index_service(ctx, o);
    else if (!strcmp(k, "Ingress"))
        index_ingress(ctx, o);
    else if (!strcmp(k, "HorizontalPodAutoscaler"))
        index_hpa(ctx, o);
    else if (!strcmp(k, "PodDisruptionBudget"))
        index_pdb(ctx, o);
    else if (!strcmp(k, "RoleBinding") || !strcmp(k, "ClusterRoleBinding"))
        index_binding(ctx, o);
    else if (!strcmp(k, "ServiceAccount") && *o->name) {
        int b;
        int off = ynode_bool(ynode_map_get(o->root, "automountServiceAccountToken"), &b) == 0 && !b;
        hmap_put(ctx->index, &ctx->index->sa_by_name, kubelint_key(key, sizeof key, o->ns, o->name, NULL), !off);
        ctx->index->nsa++;
    }
    if (ctx->index->oom)
        ctx->oom = 1;
}
