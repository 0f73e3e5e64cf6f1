/* rules_cross: the rules that need the whole input (Services, Ingresses, HPAs, PDBs and
 * ServiceAccounts against the workloads), run once over the index at the end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"

/* Calls fn for each workload in ns matched by sel (label map narrows the search when
 * the selector has an equality; otherwise every workload of the namespace is tried). */
typedef int (*match_fn)(kl_ctx *ctx, const kl_workload *w, void *arg);

static size_t for_matches(kl_ctx *ctx, const char *ns, const kl_selector *sel, match_fn fn, void *arg)
{
    kl_index *ix = ctx->index;
    size_t found = 0;
    const kl_req *eq = NULL;
    for (size_t i = 0; i < sel->n && !eq; i++)
        if (sel->reqs[i].op == KL_SEL_IN && sel->reqs[i].nvalues == 1)
            eq = &sel->reqs[i];
    if (eq) {
        char key[1024];
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", ns, eq->key, eq->values[0]);
        for (const kl_hentry *e = kubelint_hmap_get(&ix->w_by_label, key); e; e = e->next) {
            if (strcmp(e->key, key))
                continue;
            const kl_workload *w = &ix->w[e->id];
            if (kubelint_selector_matches(sel, w->labels, w->nlabels)) {
                found++;
                if (fn && fn(ctx, w, arg))
                    break;
            }
        }
        return found;
    }
    for (size_t i = 0; i < ix->nw; i++) {
        const kl_workload *w = &ix->w[i];
        if (!strcmp(w->ref.ns, ns) && kubelint_selector_matches(sel, w->labels, w->nlabels)) {
            found++;
            if (fn && fn(ctx, w, arg))
                break;
        }
    }
    return found;
}

struct port_query {
    const kl_port *p;
    int found;
};

static int has_target_port(kl_ctx *ctx, const kl_workload *w, void *arg)
{
    (void)ctx;
    struct port_query *q = arg;
    for (size_t i = 0; i < w->nports; i++) {
        if (q->p->target_num >= 0 && w->ports[i].num == q->p->target_num)
            q->found = 1;
        if (q->p->target_name && w->ports[i].name && !strcmp(w->ports[i].name, q->p->target_name))
            q->found = 1;
    }
    return q->found;
}

static void services(kl_ctx *ctx)
{
    char lb[320]; /* the reported object, "Kind/namespace/name" */
    kl_index *ix = ctx->index;
    for (size_t i = 0; i < ix->ns; i++) {
        const kl_service *s = &ix->s[i];
        if (!s->sel.n)
            continue; /* no selector: endpoints are managed by hand */
        if (!for_matches(ctx, s->ref.ns, &s->sel, NULL, NULL)) {
            kubelint_report(ctx, KL_DANGLING_SERVICE, s->ref.file, s->sel.line, s->sel.col,
                            kubelint_ref_label(&s->ref, lb, sizeof lb), s->ref.ignored,
                            "selector matches no pod template in the input");
            continue;
        }
        for (size_t p = 0; p < s->nports; p++) {
            struct port_query q = {&s->ports[p], 0};
            if (s->ports[p].target_num < 0 && !s->ports[p].target_name)
                continue;
            for_matches(ctx, s->ref.ns, &s->sel, has_target_port, &q);
            if (!q.found) {
                char what[96];
                if (s->ports[p].target_name)
                    snprintf(what, sizeof what, "\"%.60s\"", s->ports[p].target_name);
                else
                    snprintf(what, sizeof what, "%lld", s->ports[p].target_num);
                kubelint_report(ctx, KL_INVALID_TARGET_PORTS, s->ref.file, s->ports[p].line,
                                s->ports[p].col, kubelint_ref_label(&s->ref, lb, sizeof lb), s->ref.ignored,
                                "targetPort %s is not a containerPort of the selected pods", what);
            }
        }
    }
}

static void ingresses(kl_ctx *ctx)
{
    char lb[320]; /* the reported object, "Kind/namespace/name" */
    kl_index *ix = ctx->index;
    char key[1024];
    for (size_t i = 0; i < ix->ni; i++) {
        const kl_ingress *g = &ix->ing[i];
        for (size_t b = 0; b < g->n; b++) {
            const kl_backend *k = &g->backends[b];
            const kl_hentry *e = kubelint_hmap_get(&ix->s_by_name,
                                                   kubelint_key(key, sizeof key, g->ref.ns, k->service, NULL));
            if (!e) {
                kubelint_report(ctx, KL_DANGLING_INGRESS, g->ref.file, k->line, k->col, kubelint_ref_label(&g->ref, lb, sizeof lb),
                                g->ref.ignored, "backend Service \"%.100s\" is not in the input", k->service);
                continue;
            }
            const kl_service *s = &ix->s[e->id];
            if (k->port_num < 0 && !k->port_name)
                continue;
            int ok = 0;
            for (size_t p = 0; p < s->nports; p++)
                if ((k->port_num >= 0 && s->ports[p].num == k->port_num) ||
                    (k->port_name && s->ports[p].name && !strcmp(s->ports[p].name, k->port_name)))
                    ok = 1;
            if (!ok) {
                char what[96];
                if (k->port_name)
                    snprintf(what, sizeof what, "\"%.60s\"", k->port_name);
                else
                    snprintf(what, sizeof what, "%lld", k->port_num);
                kubelint_report(ctx, KL_DANGLING_INGRESS, g->ref.file, k->line, k->col, kubelint_ref_label(&g->ref, lb, sizeof lb),
                                g->ref.ignored, "backend Service \"%.100s\" has no port %s", k->service, what);
            }
        }
    }
}

static void hpas(kl_ctx *ctx)
{
    char lb[320]; /* the reported object, "Kind/namespace/name" */
    kl_index *ix = ctx->index;
    char key[1024];
    for (size_t i = 0; i < ix->nh; i++) {
        const kl_hpa *h = &ix->hpa[i];
        if (!kubelint_hmap_get(&ix->w_by_name, kubelint_key(key, sizeof key, h->ref.ns, h->target_kind, h->target_name)))
            kubelint_report(ctx, KL_DANGLING_HPA, h->ref.file, h->line, h->col, kubelint_ref_label(&h->ref, lb, sizeof lb), h->ref.ignored,
                            "scaleTargetRef %.60s/%.100s is not in the input", h->target_kind, h->target_name);
    }
}

/* Parses "3" or "50%": returns 0 and sets *v, *pct. */
static int int_or_percent(const char *s, long long *v, int *pct)
{
    char *end;
    *v = strtoll(s, &end, 10);
    *pct = *end == '%';
    if (end == s || (*end && !(*pct && !end[1])))
        return -1;
    return 0;
}

struct pdb_query {
    const kl_pdb *p;
    const kl_workload *blocked;
    long long replicas;
};

/* True when the PDB leaves no pod of w free to be evicted. */
static int pdb_blocks(kl_ctx *ctx, const kl_workload *w, void *arg)
{
    struct pdb_query *q = arg;
    long long v;
    int pct;
    long long r = w->replicas;
    char key[1024];
    const kl_hentry *h = kubelint_hmap_get(&ctx->index->hpa_by_target,
                                           kubelint_key(key, sizeof key, w->ref.ns, w->ref.kind, w->ref.name));
    if (h)
        r = ctx->index->hpa[h->id].min_replicas; /* the autoscaler owns the replica count */
    if (q->p->min_available && int_or_percent(q->p->min_available, &v, &pct) == 0) {
        long long need = pct ? (long long)ceil((double)r * (double)v / 100.0) : v;
        if (need >= r) {
            q->blocked = w;
            q->replicas = r;
        }
    } else if (q->p->max_unavailable && int_or_percent(q->p->max_unavailable, &v, &pct) == 0) {
        if (v <= 0) {
            q->blocked = w;
            q->replicas = r;
        }
    }
    return q->blocked != NULL;
}

static void pdbs(kl_ctx *ctx)
{
    char lb[320]; /* the reported object, "Kind/namespace/name" */
    kl_index *ix = ctx->index;
    for (size_t i = 0; i < ix->np; i++) {
        const kl_pdb *p = &ix->pdb[i];
        struct pdb_query q = {p, NULL, 0};
        if (!for_matches(ctx, p->ref.ns, &p->sel, pdb_blocks, &q)) {
            kubelint_report(ctx, KL_DANGLING_PDB, p->ref.file, p->sel.line, p->sel.col, kubelint_ref_label(&p->ref, lb, sizeof lb),
                            p->ref.ignored, "selector matches no pod template in the input");
        } else if (q.blocked) {
            int min = p->min_available != NULL;
            kubelint_report(ctx, KL_PDB_MIN_AVAILABLE, p->ref.file, min ? p->min_line : p->max_line,
                            min ? p->min_col : p->max_col, kubelint_ref_label(&p->ref, lb, sizeof lb), p->ref.ignored,
                            "%s %.20s with %lld replica%s of %.60s/%.100s never allows a disruption",
                            min ? "minAvailable" : "maxUnavailable",
                            min ? p->min_available : p->max_unavailable, q.replicas,
                            q.replicas == 1 ? "" : "s", q.blocked->ref.kind, q.blocked->ref.name);
        }
    }
}

static void service_accounts(kl_ctx *ctx)
{
    char lb[320]; /* the reported object, "Kind/namespace/name" */
    kl_index *ix = ctx->index;
    char key[1024];
    for (size_t i = 0; i < ix->nw; i++) {
        const kl_workload *w = &ix->w[i];
        const char *sa = w->sa ? w->sa : "default";
        const kl_hentry *def = kubelint_hmap_get(&ix->sa_by_name, kubelint_key(key, sizeof key, w->ref.ns, sa, NULL));
        if (ix->nsa && w->sa && strcmp(w->sa, "default") && !def)
            kubelint_report(ctx, KL_NONEXISTENT_SA, w->ref.file, w->sa_line, w->sa_col, kubelint_ref_label(&w->ref, lb, sizeof lb),
                            w->ref.ignored, "ServiceAccount \"%.100s\" is not defined in the input", w->sa);
        if (w->automount == 0 || (w->automount < 0 && def && def->id == 0))
            continue;
        if (kubelint_hmap_get(&ix->sa_bound, key))
            continue; /* a RoleBinding grants it API access: the token is needed */
        kubelint_report(ctx, KL_AUTOMOUNT_SA, w->ref.file, w->spec_line, w->spec_col, kubelint_ref_label(&w->ref, lb, sizeof lb),
                        w->ref.ignored,
                        "the service account token is mounted but no RoleBinding in the input grants \"%.100s\" API access; set automountServiceAccountToken: false",
                        sa);
    }
}

void kubelint_rules_cross(kl_ctx *ctx)
{
    services(ctx);
    ingresses(ctx);
    hpas(ctx);
    pdbs(ctx);
    service_accounts(ctx);
}
