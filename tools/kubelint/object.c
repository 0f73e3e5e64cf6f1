/* object: one parsed document -> its identity, the per-object rules (missing-field,
 * deprecated-api, mismatching-selector, no-anti-affinity), the pod rules, the index. */
#include <stdio.h>
#include <string.h>

#include "kubelint.h"

/* Deprecated (or removed) apiVersion for kind, with the replacement; NULL when fine. */
static const char *deprecated_replacement(const char *api, const char *kind)
{
    static const struct {
        const char *api, *kind, *use;
    } table[] = {
        {"extensions/v1beta1", "Deployment", "apps/v1"},
        {"extensions/v1beta1", "DaemonSet", "apps/v1"},
        {"extensions/v1beta1", "ReplicaSet", "apps/v1"},
        {"extensions/v1beta1", "Ingress", "networking.k8s.io/v1"},
        {"extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1"},
        {"extensions/v1beta1", "PodSecurityPolicy", "(removed; use Pod Security Admission)"},
        {"extensions/v1beta1", NULL, "a stable API group"},
        {"apps/v1beta1", NULL, "apps/v1"},
        {"apps/v1beta2", NULL, "apps/v1"},
        {"policy/v1beta1", "PodDisruptionBudget", "policy/v1"},
        {"policy/v1beta1", "PodSecurityPolicy", "(removed; use Pod Security Admission)"},
        {"autoscaling/v2beta1", NULL, "autoscaling/v2"},
        {"autoscaling/v2beta2", NULL, "autoscaling/v2"},
        {"networking.k8s.io/v1beta1", "Ingress", "networking.k8s.io/v1"},
        {"networking.k8s.io/v1beta1", "IngressClass", "networking.k8s.io/v1"},
        {"batch/v1beta1", "CronJob", "batch/v1"},
        {"batch/v2alpha1", "CronJob", "batch/v1"},
        {"rbac.authorization.k8s.io/v1beta1", NULL, "rbac.authorization.k8s.io/v1"},
        {"rbac.authorization.k8s.io/v1alpha1", NULL, "rbac.authorization.k8s.io/v1"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].api, api) && (!table[i].kind || !strcmp(table[i].kind, kind)))
            return table[i].use;
    return NULL;
}

/* True when labels (a map) satisfy selector (matchLabels / matchExpressions). */
static int selector_matches(const ynode *selector, const ynode *labels)
{
    const ynode *ml = ynode_map_get(selector, "matchLabels");
    if (ml && ml->kind == YNODE_MAP)
        for (size_t i = 0; i < ml->len; i++) {
            const char *k = ynode_str(ml->children[2 * i]);
            const char *v = ynode_str(ml->children[2 * i + 1]);
            const char *have = ynode_str(ynode_map_get(labels, k ? k : ""));
            if (!k || !v || !have || strcmp(have, v))
                return 0;
        }
    const ynode *me = ynode_map_get(selector, "matchExpressions");
    if (me && me->kind == YNODE_SEQ)
        for (size_t i = 0; i < me->len; i++) {
            const ynode *e = me->children[i];
            const char *k = ynode_map_str(e, "key"), *op = ynode_map_str(e, "operator");
            const char *have = ynode_str(ynode_map_get(labels, k));
            const ynode *vals = ynode_map_get(e, "values");
            int in = 0;
            if (have && vals && vals->kind == YNODE_SEQ)
                for (size_t j = 0; j < vals->len; j++)
                    if (ynode_str(vals->children[j]) && !strcmp(ynode_str(vals->children[j]), have))
                        in = 1;
            if ((!strcmp(op, "In") && !in) || (!strcmp(op, "NotIn") && in) ||
                (!strcmp(op, "Exists") && !have) || (!strcmp(op, "DoesNotExist") && have))
                return 0;
        }
    return 1;
}

/* Workload kinds: where the pod template is, whether it is a Job. */
static int pod_of(const kl_object *o, kl_pod *pod, const ynode **template)
{
    const char *k = o->kind;
    memset(pod, 0, sizeof *pod);
    *template = NULL;
    if (!strcmp(k, "Pod")) {
        pod->spec = ynode_map_get(o->root, "spec");
        pod->meta = ynode_map_get(o->root, "metadata");
        /* a bare Pod that is not restarted runs to completion, like a Job (helm tests) */
        const char *restart = ynode_map_str(pod->spec, "restartPolicy");
        pod->is_job = !strcmp(restart, "Never") || !strcmp(restart, "OnFailure");
        return pod->spec && pod->spec->kind == YNODE_MAP;
    }
    if (!strcmp(k, "CronJob")) {
        *template = ynode_path(o->root, "spec.jobTemplate.spec.template");
        pod->is_job = 1;
    } else if (!strcmp(k, "Deployment") || !strcmp(k, "StatefulSet") || !strcmp(k, "DaemonSet") ||
               !strcmp(k, "ReplicaSet") || !strcmp(k, "ReplicationController") || !strcmp(k, "Job")) {
        *template = ynode_path(o->root, "spec.template");
        pod->is_job = !strcmp(k, "Job");
    } else {
        return 0;
    }
    pod->spec = ynode_map_get(*template, "spec");
    pod->meta = ynode_map_get(*template, "metadata");
    return pod->spec && pod->spec->kind == YNODE_MAP;
}

/* mismatching-selector and no-anti-affinity for controllers with a selector. */
static void workload_rules(kl_ctx *ctx, const kl_object *o, const kl_pod *pod)
{
    const char *k = o->kind;
    if (!strcmp(k, "Pod") || !strcmp(k, "Job") || !strcmp(k, "CronJob"))
        return;
    const ynode *spec = ynode_map_get(o->root, "spec");
    const ynode *sel = ynode_map_get(spec, "selector");
    const ynode *labels = ynode_map_get(pod->meta, "labels");
    if (!strcmp(k, "ReplicationController")) {
        /* a plain map selector */
        if (sel && sel->kind == YNODE_MAP)
            for (size_t i = 0; i < sel->len; i++) {
                const char *key = ynode_str(sel->children[2 * i]);
                const char *v = ynode_str(sel->children[2 * i + 1]);
                const char *have = ynode_str(ynode_map_get(labels, key ? key : ""));
                if (!have || !v || strcmp(have, v)) {
                    kubelint_report_node(ctx, o, KL_MISMATCH_SELECTOR, sel,
                                         "selector does not match the pod template labels");
                    break;
                }
            }
    } else if (!sel || sel->kind != YNODE_MAP) {
        kubelint_report_node(ctx, o, KL_MISMATCH_SELECTOR, spec, "%s has no spec.selector", k);
    } else if (!ynode_map_get(sel, "matchLabels") && !ynode_map_get(sel, "matchExpressions")) {
        kubelint_report_node(ctx, o, KL_MISMATCH_SELECTOR, sel, "spec.selector is empty");
    } else if (!selector_matches(sel, labels)) {
        kubelint_report_node(ctx, o, KL_MISMATCH_SELECTOR, sel,
                             "spec.selector does not match spec.template.metadata.labels");
    }
    if (!strcmp(k, "DaemonSet"))
        return;
    long long replicas = 1;
    const ynode *rn = ynode_map_get(spec, "replicas");
    if (rn)
        ynode_int(rn, &replicas);
    if (replicas > 1 && !ynode_path(pod->spec, "affinity.podAntiAffinity") &&
        !ynode_map_get(pod->spec, "topologySpreadConstraints"))
        kubelint_report_node(ctx, o, KL_NO_ANTI_AFFINITY, rn,
                             "%lld replicas but neither podAntiAffinity nor topologySpreadConstraints spreads them",
                             replicas);
}

static void lint_object(kl_ctx *ctx, unsigned file, const ynode *root)
{
    kl_object o;
    memset(&o, 0, sizeof o);
    o.file = file;
    o.root = root;
    const ynode *meta = ynode_map_get(root, "metadata");
    o.kind = ynode_map_str(root, "kind");
    o.api = ynode_map_str(root, "apiVersion");
    o.name = ynode_map_str(meta, "name");
    o.ns = ynode_map_str(meta, "namespace");
    if (*o.ns)
        snprintf(o.label, sizeof o.label, "%.80s/%.100s/%.120s", *o.kind ? o.kind : "?", o.ns,
                 *o.name ? o.name : "?");
    else
        snprintf(o.label, sizeof o.label, "%.80s/%.120s", *o.kind ? o.kind : "?",
                 *o.name ? o.name : "?");
    ctx->objects++;
    kubelint_ignores(ctx, &o);

    if (!*o.api)
        kubelint_report_node(ctx, &o, KL_MISSING_FIELD, NULL, "apiVersion is missing");
    if (!*o.kind)
        kubelint_report_node(ctx, &o, KL_MISSING_FIELD, NULL, "kind is missing");
    if (!*o.name && !ynode_map_get(meta, "generateName"))
        kubelint_report_node(ctx, &o, KL_MISSING_FIELD, meta, "metadata.name is missing");
    const char *use = deprecated_replacement(o.api, o.kind);
    if (use)
        kubelint_report_node(ctx, &o, KL_DEPRECATED_API, ynode_map_get(root, "apiVersion"),
                             "%.60s %.60s is deprecated or removed; use %s", o.api, o.kind, use);

    kl_pod pod;
    const ynode *template;
    int has_pod = pod_of(&o, &pod, &template);
    if (has_pod) {
        kubelint_rules_containers(ctx, &o, &pod);
        kubelint_rules_pod(ctx, &o, &pod);
        workload_rules(ctx, &o, &pod);
    }
    kubelint_index_object(ctx, &o, has_pod ? &pod : NULL);
}

void kubelint_lint_document(kl_ctx *ctx, unsigned file, const ynode *root)
{
    if (ynode_is_null(root))
        return; /* empty document (helm renders many) */
    if (root->kind != YNODE_MAP) {
        kubelint_report(ctx, KL_MISSING_FIELD, file, root->line, root->col, NULL, 0,
                        "document is not a mapping, so not a Kubernetes object");
        return;
    }
    if (!strncmp(ynode_map_str(root, "apiVersion"), "kustomize.config.k8s.io/", 24))
        return; /* a kustomize configuration (kustomization.yaml), not a cluster object */
    const char *kind = ynode_map_str(root, "kind");
    const ynode *items = ynode_map_get(root, "items");
    if (!strcmp(kind, "List") || (strlen(kind) > 4 && !strcmp(kind + strlen(kind) - 4, "List") &&
                                  items && items->kind == YNODE_SEQ)) {
        if (items && items->kind == YNODE_SEQ)
            for (size_t i = 0; i < items->len; i++)
                if (items->children[i]->kind == YNODE_MAP)
                    lint_object(ctx, file, items->children[i]);
        return;
    }
    lint_object(ctx, file, root);
}
